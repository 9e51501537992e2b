"""Exporters' pages: sign-in by an emailed link, their subscriptions, their alerts, feedback.

Exporter contacts have no password: ``/exporter/login`` emails a signed,
expiring, single-use link (through the outbox and the configured transport);
opening it shows one button, whose POST to ``/exporter/signin`` uses the link
up and starts an exporter session (mail scanners that open links never use
one). That session holds only the contact's email: it never reaches staff
pages (no staff user), and a staff session never reaches these (no exporter email).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import secrets
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.deliver import deliver_pending
from notifications.message import build_message, message_id_for
from notifications.subscriptions import changed_subscription
from warning.exceptions import SubscriptionError
from warning.runtime import Runtime
from warning.storage.deliveries import load_alerts
from warning.storage.feedback import feedback_of, record_feedback
from warning.storage.outbox import enqueue
from warning.storage.overview import list_alerts
from warning.storage.sessions import (
    create_session,
    record_signin_link,
    signin_link_usable,
    use_signin_link,
)
from warning.storage.subscriptions import StoredSubscription, load_subscriptions, save_choices
from warning.tokens import TokenError
from warning.types import LEVELS, Feedback
from warning.web.auth import end_session
from warning.web.i18n import translate
from warning.web.keys import LIMITS, RUNTIME, SECTORS, SIGNER
from warning.web.params import page_number, path_id
from warning.web.security import SESSION_KEY, current_exporter, new_session, require_exporter
from warning.web.templating import NavItem, language, render, see_other

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NAV: list[NavItem] = []
LOGIN_PURPOSE = "exporter-login"
#: Background deliveries of sign-in emails (kept so they are not garbage-collected).
TASKS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("exporter_tasks", set[asyncio.Task[None]])


def signin_email(rt: Runtime, email: str, url: str) -> tuple[str, bytes]:
    """Subject and MIME message of a sign-in link email (bilingual)."""
    minutes = rt.config.web.exporter_link_minutes
    subject = "TBT预警登录链接 Your TBT alerts sign-in link"
    text = (
        f"点击以下链接登录（{minutes}分钟内有效，仅可使用一次）：\n{url}\n\n"
        f"Follow this link to sign in (valid for {minutes} minutes, once):\n{url}\n\n"
        "如非本人操作，请忽略此邮件。 If you did not ask for it, ignore this email.\n"
    )
    link = html.escape(url, quote=True)
    body = (
        f"<p>点击以下链接登录（{minutes}分钟内有效，仅可使用一次）/ Follow this link to sign in "
        f'(valid for {minutes} minutes, once):</p><p><a href="{link}">{link}</a></p>'
    )
    # Each request is its own email (a fresh link), so the key carries a nonce.
    key = f"exporter-login:{email}:{rt.now().isoformat()}:{secrets.token_hex(8)}"
    message = build_message(
        sender=rt.config.delivery.sender,
        recipient=email,
        subject=subject,
        text=text,
        html=body,
        now=rt.now(),
        message_key=key,
    )
    return key, message


async def _deliver(rt: Runtime) -> None:
    try:
        outcome = await deliver_pending(rt)
    except Exception:  # a background task: log, never lose the exception silently
        log.exception("delivering sign-in emails failed; they stay in the outbox")
        return
    for error in outcome.errors:
        log.warning("sign-in email delivery: %s", error)


@routes.get("/exporter/login")
async def login_page(request: web.Request) -> web.Response:
    return render(request, "exporter_login.html", sent=False, email="")


@routes.post("/exporter/login")
async def send_link(request: web.Request) -> web.Response:
    """Email a sign-in link to a known contact; the page is the same whether it is known or not."""
    rt = request.app[RUNTIME]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    if "@" not in email or len(email) > 320:
        return render(request, "exporter_login.html", status=400, sent=False, email=email)
    # Every request counts against the exporter budget (apart from staff sign-in), so
    # nobody can flood a contact with links; past it the page looks the same but
    # nothing is sent.
    limits = request.app[LIMITS]
    ip = limits.address_of(request)
    allowed = (await limits.attempt(rt.db, "exporter", ip, email, rt.now())).allowed
    if not allowed:
        log.warning("sign-in link for %s from %s not sent: too many requests", email, ip)
    async with rt.db.begin() as conn:
        known = await load_subscriptions(conn, active_only=False, email=email) if allowed else []
        if known:
            await _queue_link(request, conn, email, known[0].exporter_id)
    if known:
        # Delivered in the background: the response takes as long for an unknown address.
        task: asyncio.Task[None] = asyncio.create_task(_deliver(rt))
        request.app[TASKS].add(task)
        task.add_done_callback(request.app[TASKS].discard)
    return render(request, "exporter_login.html", sent=True, email=email)


async def _queue_link(request: web.Request, conn: AsyncConnection, email: str, exporter_id: int) -> None:
    """Record a single-use sign-in link for ``email`` and queue the email carrying it."""
    rt = request.app[RUNTIME]
    expires = rt.now() + dt.timedelta(minutes=rt.config.web.exporter_link_minutes)
    nonce = secrets.token_urlsafe(16)
    await record_signin_link(conn, nonce, email, rt.now(), expires)
    token = request.app[SIGNER].sign(LOGIN_PURPOSE, {"e": email, "n": nonce}, expires)
    url = f"{rt.config.zone.base_url.rstrip('/')}/exporter/signin?token={quote(token)}"
    key, message = signin_email(rt, email, url)
    await enqueue(
        conn,
        idempotency_key=key,
        recipient=email,
        kind="exporter-login",
        subject="TBT sign-in link",
        message=message,
        exporter_id=exporter_id,
        now=rt.now(),
        message_id=message_id_for(key, rt.config.delivery.sender),
    )


def _link(request: web.Request, token: str) -> tuple[str, str]:
    """The email and nonce of a sign-in link's token.

    Raises:
        HTTPBadRequest: forged, malformed, expired, or made before links were single-use.
    """
    rt = request.app[RUNTIME]
    try:
        data = request.app[SIGNER].verify(token, LOGIN_PURPOSE, rt.now())
    except TokenError as exc:
        key = "exporter_link_expired" if "expired" in str(exc) else "exporter_link_invalid"
        raise web.HTTPBadRequest(reason=translate(language(request), key)) from None
    email, nonce = data.get("e"), data.get("n")
    if not isinstance(email, str) or not isinstance(nonce, str):
        raise web.HTTPBadRequest(reason=translate(language(request), "exporter_link_invalid"))
    return email, nonce


@routes.get("/exporter/signin")
async def signin_page(request: web.Request) -> web.Response:
    """An emailed link opened: one button to sign in; nothing is used up yet."""
    rt = request.app[RUNTIME]
    token = request.query.get("token", "")
    email, nonce = _link(request, token)
    async with rt.db.begin() as conn:
        usable = await signin_link_usable(conn, nonce, email, rt.now())
    if not usable:
        raise web.HTTPBadRequest(reason=translate(language(request), "exporter_link_used"))
    return render(request, "exporter_signin.html", email=email, token=token)


@routes.post("/exporter/signin")
async def signin(request: web.Request) -> web.Response:
    """Use up an emailed link and start an exporter session (a used link starts no other)."""
    rt = request.app[RUNTIME]
    form = await request.post()
    email, nonce = _link(request, str(form.get("token", "")))
    lifetime = dt.timedelta(hours=rt.config.web.session_hours)
    session = new_session(rt.now(), lifetime, exporter_email=email)
    assert session.session_id is not None
    async with rt.db.begin() as conn:
        if not await use_signin_link(conn, nonce, email, rt.now()):
            raise web.HTTPBadRequest(reason=translate(language(request), "exporter_link_used"))
        await create_session(
            conn, session.session_id, now=rt.now(), expires_at=session.expires_at, exporter_email=email
        )
    request[SESSION_KEY] = session
    return see_other("/exporter")


@routes.post("/exporter/logout")
async def logout(request: web.Request) -> web.Response:
    await end_session(request)
    return see_other("/exporter/login")


async def _own(rt: Runtime, email: str) -> list[StoredSubscription]:
    async with rt.db.begin() as conn:
        return await load_subscriptions(conn, active_only=False, email=email)


async def _render_subscriptions(
    request: web.Request,
    email: str,
    subs: list[StoredSubscription],
    *,
    saved: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    """The contact's subscriptions page, after a save (``saved``) or a refused change (``error``)."""
    return render(
        request,
        "exporter_subscriptions.html",
        status=status,
        subs=subs,
        email=email,
        sectors=await request.app[SECTORS].get(),
        levels=LEVELS,
        saved=saved,
        error=error,
    )


@routes.get("/exporter")
@require_exporter
async def subscriptions_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    email = current_exporter(request)
    assert email is not None
    return await _render_subscriptions(
        request, email, await _own(rt, email), saved=request.query.get("saved")
    )


@routes.post("/exporter/subscriptions/{id:\\d+}")
@require_exporter
async def save_subscription(request: web.Request) -> web.Response:
    """Save a contact's choices (marked customised: register imports keep them)."""
    rt = request.app[RUNTIME]
    email = current_exporter(request)
    assert email is not None
    subs = {s.id: s for s in await _own(rt, email)}
    stored = subs.get(path_id(request, "subscription"))
    if stored is None:
        raise web.HTTPForbidden(reason="not one of your subscriptions")
    form = await request.post()
    try:
        new = changed_subscription(
            stored.subscription,
            {s.key for s in await request.app[SECTORS].get()},
            sectors=",".join(str(v) for v in form.getall("sectors", [])),
            hs=str(form.get("hs_prefixes", "")),
            markets=str(form.get("markets", "")),
            min_level=str(form.get("min_level", "")) or None,
            frequency=str(form.get("frequency", "")) or None,
            language=str(form.get("language", "")) or None,
        )
    except SubscriptionError as exc:
        return await _render_subscriptions(request, email, list(subs.values()), error=str(exc), status=400)
    active = form.get("active") == "1"
    async with rt.db.begin() as conn:
        await save_choices(conn, stored, new, rt.now(), active=active)
    return see_other(f"/exporter?saved={stored.id}")


#: Alerts on one page of a contact's alerts (a year's catch-up can be hundreds).
ALERTS_PER_PAGE = 100


@routes.get("/exporter/alerts")
@require_exporter
async def alerts_page(request: web.Request) -> web.Response:
    """The alerts emailed to this contact, with level and reasons in the contact's language."""
    rt = request.app[RUNTIME]
    email = current_exporter(request)
    assert email is not None
    subs = await _own(rt, email)
    language = subs[0].subscription.language if subs else "en"
    page = page_number(request)
    async with rt.db.begin() as conn:
        # One more than a page: whether a next page exists, without counting them all.
        found = await list_alerts(
            conn,
            subscription_ids=[s.id for s in subs],
            limit=ALERTS_PER_PAGE + 1,
            offset=(page - 1) * ALERTS_PER_PAGE,
        )
        given = await feedback_of(conn, email)
    return render(
        request,
        "exporter_alerts.html",
        alerts=found[:ALERTS_PER_PAGE],
        reason_lang=language,
        given=given,
        previous_link=f"/exporter/alerts?page={page - 1}" if page > 1 else None,
        next_link=f"/exporter/alerts?page={page + 1}" if len(found) > ALERTS_PER_PAGE else None,
    )


@routes.post("/exporter/alerts/{id:\\d+}/feedback")
@require_exporter
async def alert_feedback(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    email = current_exporter(request)
    assert email is not None
    form = await request.post()
    flag = form.get("relevant")
    if flag not in ("0", "1"):
        raise web.HTTPBadRequest(reason="relevant must be 0 or 1")
    alert_id = path_id(request, "alert")
    exporter_ids = {s.exporter_id for s in await _own(rt, email)}
    async with rt.db.begin() as conn:
        found = await load_alerts(conn, [alert_id])
        alert = found[0] if found else None
        if alert is None or alert.exporter_id not in exporter_ids:
            raise web.HTTPForbidden(reason="not an alert of yours")
        item = Feedback(alert.id, alert.notification_id, alert.exporter_id, email, flag == "1", rt.now())
        await record_feedback(conn, item)
    return see_other(f"/exporter/alerts#alert-{alert_id}")


async def _on_cleanup(app: web.Application) -> None:
    pending: set[asyncio.Task[None]] = app[TASKS]
    tasks = list(pending)
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


def setup(app: web.Application) -> None:
    """Per-app state of this module (called by ``create_app``)."""
    app[TASKS] = set()
    app.on_cleanup.append(_on_cleanup)
