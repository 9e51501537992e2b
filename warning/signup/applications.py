"""An application's life: submitted, verified by an emailed link, then decided by an official.

Links are signed tokens (:mod:`warning.tokens`) carrying the application id
and a nonce also stored with the application: using a link clears the nonce,
so each link works once. An unverified application is void after
``[web] signup_link_hours``. An official approves (the company joins the
register, or, when its credit code or email is already there, the contact
joins that exporter), asks for changes (the applicant gets an edit link) or
rejects with a reason; each step is an ``application_events`` row saying
who, when and why, and the applicant is told by email.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncConnection

from warning.exceptions import ApplicationError
from warning.members import ALL_MARKETS
from warning.runtime import Runtime
from warning.signup.emails import changes_email, queue_email, rejected_email, verify_email, welcome_email
from warning.storage.applications import (
    add_event,
    get_application,
    insert_application,
    update_application,
)
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.exposure import save_exposure
from warning.storage.subscriptions import load_subscriptions, save_choices, sync_from_register
from warning.tokens import Signer, TokenError
from warning.types import Application, Exporter, Frequency, StoredApplication

VERIFY_PURPOSE = "application-verify"
EDIT_PURPOSE = "application-edit"
#: Frequency of a new contact's subscription.
NEW_FREQUENCY: Frequency = "daily"


def _base_url(rt: Runtime) -> str:
    return rt.config.zone.base_url.rstrip("/")


async def submit(rt: Runtime, signer: Signer, a: Application) -> int:
    """Store an unverified application and email its verification link; returns its id."""
    now = rt.now()
    hours = rt.config.web.signup_link_hours
    expires = now + dt.timedelta(hours=hours)
    nonce = secrets.token_urlsafe(16)
    async with rt.db.begin() as conn:
        application_id = await insert_application(conn, a, nonce, now, expires)
        await add_event(conn, application_id, "submitted", a.email, "", now)
        token = signer.sign(VERIFY_PURPOSE, {"a": application_id, "n": nonce}, expires)
        url = f"{_base_url(rt)}/exporter/apply/verify?token={token}"
        await queue_email(conn, rt, a.email, verify_email(a, url, hours))
    return application_id


async def _by_link(
    conn: AsyncConnection, rt: Runtime, signer: Signer, token: str, purpose: str
) -> StoredApplication:
    try:
        data = signer.verify(token, purpose, rt.now())
    except TokenError as exc:
        key = "link_expired" if "expired" in str(exc) else "link_invalid"
        raise ApplicationError(key, f"this link cannot be used: {exc}") from None
    found = await get_application(conn, int(data.get("a", 0))) if isinstance(data.get("a"), int) else None
    if found is None:
        raise ApplicationError("link_invalid", "this link cannot be used: no such application")
    if found.link_nonce is None or not secrets.compare_digest(found.link_nonce, str(data.get("n", ""))):
        raise ApplicationError("link_used", "this link was already used")
    return found


async def check_verify_link(rt: Runtime, signer: Signer, token: str) -> StoredApplication:
    """The application a verification link is for, if the link can still be used.

    Raises:
        ApplicationError: forged, expired or already used.
    """
    async with rt.db.begin() as conn:
        found = await _by_link(conn, rt, signer, token, VERIFY_PURPOSE)
    if found.status != "unverified":
        raise ApplicationError("link_used", "this link was already used")
    if rt.now() >= found.expires_at:
        raise ApplicationError("link_expired", "this link has expired; apply again")
    return found


async def verify(rt: Runtime, signer: Signer, token: str) -> StoredApplication:
    """Mark the application of a verification link verified (the link is then used up).

    Raises:
        ApplicationError: forged, expired or already used.
    """
    found = await check_verify_link(rt, signer, token)
    async with rt.db.begin() as conn:
        await update_application(
            conn, found.id, rt.now(), status="verified", verified_at=rt.now(), link_nonce=None
        )
        await add_event(conn, found.id, "verified", found.application.email, "", rt.now())
    return replace(found, status="verified", verified_at=rt.now(), link_nonce=None)


async def check_edit_link(rt: Runtime, signer: Signer, token: str) -> StoredApplication:
    """The application an edit link is for, while it waits for the applicant's changes.

    Raises:
        ApplicationError: forged, expired, already used.
    """
    async with rt.db.begin() as conn:
        found = await _by_link(conn, rt, signer, token, EDIT_PURPOSE)
    if found.status != "changes":
        raise ApplicationError("link_used", "this link was already used")
    return found


async def resubmit(rt: Runtime, signer: Signer, token: str, a: Application) -> StoredApplication:
    """Store the applicant's edited application (same email) and send it back to the officials.

    Raises:
        ApplicationError: the edit link cannot be used.
    """
    found = await check_edit_link(rt, signer, token)
    edited = replace(a, email=found.application.email)
    async with rt.db.begin() as conn:
        await update_application(
            conn, found.id, rt.now(), status="verified", application=edited, link_nonce=None
        )
        await add_event(conn, found.id, "edited", edited.email, "", rt.now())
    return replace(found, application=edited, status="verified", link_nonce=None)


async def _pending(conn: AsyncConnection, application_id: int) -> StoredApplication:
    found = await get_application(conn, application_id)
    if found is None:
        raise ApplicationError("no_application", f"no application #{application_id}")
    if found.status != "verified":
        raise ApplicationError(
            "not_pending", f"application #{application_id} is {found.status}, not waiting for a decision"
        )
    return found


@dataclass(frozen=True)
class Approval:
    """What an approval did."""

    exporter_id: int
    exporter_name: str
    #: The company was already in the register: the applicant became one more contact.
    joined_existing: bool


def _joined(exporter: Exporter, a: Application) -> Exporter:
    """An exporter with one more contact: their email, products and markets added."""
    markets = tuple(dict.fromkeys((*exporter.markets, *a.markets)))
    return replace(
        exporter,
        emails=tuple(dict.fromkeys((*exporter.emails, a.email))),
        hs_codes=tuple(dict.fromkeys((*exporter.hs_codes, *a.hs_codes))),
        markets=(ALL_MARKETS,) if ALL_MARKETS in markets else markets,
        credit_code=exporter.credit_code or a.credit_code,
    )


def _match(register: list[tuple[int, Exporter]], a: Application) -> tuple[int, Exporter] | None:
    """The registered exporter with the application's credit code, else with its email."""
    for exporter_id, e in register:
        if e.credit_code == a.credit_code:
            return exporter_id, e
    for exporter_id, e in register:
        if a.email.lower() in (m.lower() for m in e.emails):
            return exporter_id, e
    return None


async def _into_register(conn: AsyncConnection, a: Application, now: dt.datetime) -> Approval:
    register = await load_exporters(conn)
    matched = _match(register, a)
    if matched is not None:
        exporter = _joined(matched[1], a)
    else:
        names = {e.name for _, e in register}
        name = a.company_zh if a.company_zh not in names else f"{a.company_zh}（{a.credit_code}）"
        exporter = Exporter(name, (a.email,), a.language, a.hs_codes, a.markets, credit_code=a.credit_code)
    await save_exporter(conn, exporter, now)
    exporter_id = next(i for i, e in await load_exporters(conn) if e.name == exporter.name)
    if a.figures:
        await save_exposure(conn, [replace(f, exporter=exporter.name) for f in a.figures], now)
    await sync_from_register(conn, [(exporter_id, exporter)], now)
    # The contact's own choices, kept across register imports (customised).
    for stored in await load_subscriptions(conn, active_only=False, email=a.email):
        if stored.exporter_id == exporter_id:
            sub = replace(
                stored.subscription,
                language=a.language,
                hs_prefixes=a.hs_codes,
                markets=a.markets,
                frequency=NEW_FREQUENCY,
            )
            await save_choices(conn, stored, sub, now, active=True)
    return Approval(exporter_id, exporter.name, matched is not None)


async def approve(rt: Runtime, application_id: int, official: str, note: str = "") -> Approval:
    """Add the applicant to the register (or to the exporter it matches), subscribe and welcome them.

    Raises:
        ApplicationError: no such application, or not waiting for a decision.
    """
    now = rt.now()
    async with rt.db.begin() as conn:
        found = await _pending(conn, application_id)
        a = found.application
        outcome = await _into_register(conn, a, now)
        await update_application(conn, found.id, now, status="approved", exporter_id=outcome.exporter_id)
        how = "joined existing exporter" if outcome.joined_existing else "new exporter"
        await add_event(conn, found.id, "approved", official, note or f"{how} {outcome.exporter_name}", now)
        await queue_email(
            conn, rt, a.email, welcome_email(a, _base_url(rt), NEW_FREQUENCY), outcome.exporter_id
        )
    return outcome


def _required(note: str, what: str) -> str:
    note = note.strip()
    if not note:
        raise ApplicationError("note_required", f"{what} is required: the applicant is told")
    return note


async def request_changes(rt: Runtime, signer: Signer, application_id: int, official: str, note: str) -> None:
    """Send the application back to the applicant with ``note`` and an edit link.

    Raises:
        ApplicationError: no note, no such application, or not waiting for a decision.
    """
    note = _required(note, "a note saying what to change")
    now = rt.now()
    days = rt.config.web.signup_edit_days
    nonce = secrets.token_urlsafe(16)
    async with rt.db.begin() as conn:
        found = await _pending(conn, application_id)
        await update_application(conn, found.id, now, status="changes", link_nonce=nonce)
        await add_event(conn, found.id, "changes", official, note, now)
        token = signer.sign(EDIT_PURPOSE, {"a": found.id, "n": nonce}, now + dt.timedelta(days=days))
        url = f"{_base_url(rt)}/exporter/apply/edit?token={token}"
        await queue_email(
            conn, rt, found.application.email, changes_email(found.application, note, url, days)
        )


async def reject(rt: Runtime, application_id: int, official: str, reason: str) -> None:
    """Reject the application; the applicant is emailed the reason.

    Raises:
        ApplicationError: no reason, no such application, or not waiting for a decision.
    """
    reason = _required(reason, "a reason")
    now = rt.now()
    async with rt.db.begin() as conn:
        found = await _pending(conn, application_id)
        await update_application(conn, found.id, now, status="rejected", link_nonce=None)
        await add_event(conn, found.id, "rejected", official, reason, now)
        await queue_email(
            conn, rt, found.application.email, rejected_email(found.application, reason, _base_url(rt))
        )
