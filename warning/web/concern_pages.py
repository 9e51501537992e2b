"""A company's concerns about a measure (issue 19): the form, the full-text request, "My concerns".

Every page here opens for the contact an emailed link names (its signed token,
purpose ``notification-page``, kept in the page's links and form actions) or
for a signed-in contact, like the notification page. A contact acts only for
its own companies, and only on measures that alerted one of them; it reads only
its companies' concerns (:func:`warning.storage.concerns.load_concerns` with
their ids). Attachments are never served here: only staff open them
(``/responses/attachments/{id}``, officials and analysts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote

from aiohttp import web

from classifiers.nomenclature import load_nomenclature
from notifications.links import NOTIFICATION_PAGE
from warning.exceptions import ConcernInputError, ResponseError
from warning.responses.attachments import CheckedFile, check_file, load, size_text
from warning.responses.concerns import (
    ConcernForm,
    companies_alerted,
    concern_from_form,
    request_full_text,
    submit_concern,
)
from warning.storage.concerns import company_figures, get_attachment, load_concerns, load_full_text_requests
from warning.storage.exporters import load_exporters
from warning.storage.notifications import load_notifications
from warning.storage.overview import list_alerts
from warning.storage.responses import latest_stc_marks, list_response_files
from warning.storage.schema import notifications
from warning.storage.subscriptions import StoredSubscription
from warning.tokens import TokenError
from warning.translation.display import titles_for
from warning.types import Language
from warning.web.background_mail import deliver_soon
from warning.web.concern_view import concern_form_view, concern_rows, offered_markets
from warning.web.exporter_pages import _contact, _refused, _use_language
from warning.web.exporter_view import days_text
from warning.web.i18n import translate
from warning.web.keys import RUNTIME, SIGNER
from warning.web.notification_pages import notification_id
from warning.web.params import path_id
from warning.web.security import current_exporter, require_role
from warning.web.templating import render, see_other
from warning.web.uploads import read_form, streams_upload

routes = web.RouteTableDef()
#: Text fields of the concern form.
TEXT_FIELDS = ("cost", "lost_sales", "months", "export_value", "request", "note")


@dataclass(frozen=True)
class Visitor:
    """The contact on this request: by an emailed link's token, or signed in."""

    email: str
    lang: str
    token: str | None
    subscriptions: tuple[StoredSubscription, ...]

    @property
    def exporter_ids(self) -> set[int]:
        return {s.exporter_id for s in self.subscriptions}

    def link(self, path: str) -> str:
        """``path`` keeping the token, so a visitor without an account stays recognised."""
        return path + (f"?token={quote(self.token)}" if self.token else "")


async def visitor(request: web.Request) -> Visitor | web.Response:
    """The contact, or the page refusing the link; anyone else goes to the sign-in page."""
    rt = request.app[RUNTIME]
    token = request.query.get("token")
    lang: object = None
    if token:
        try:
            data = request.app[SIGNER].verify(token, NOTIFICATION_PAGE, rt.now())
        except TokenError as exc:
            return _refused(request, token, exc)
        email, lang = data.get("e"), data.get("l")
        if not isinstance(email, str):
            return _refused(request, token, TokenError("malformed token"))
    else:
        email = current_exporter(request)
        if email is None:
            raise web.HTTPSeeOther("/exporter/login")
    subs = await _contact(rt, email)
    chosen = _use_language(
        request, lang if isinstance(lang, str) else (subs[0].subscription.language if subs else None)
    )
    return Visitor(email, chosen, token, tuple(subs))


async def _alerted(request: web.Request, who: Visitor, wanted: int) -> list[int]:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        alerted = await companies_alerted(conn, wanted, sorted(who.exporter_ids))
    if not alerted:
        raise web.HTTPNotFound(reason=translate(who.lang, "resp_not_alerted"))
    return alerted


def _company(raw: str, alerted: Sequence[int]) -> int:
    return int(raw) if raw.isdigit() and int(raw) in alerted else alerted[0]


async def _form_page(
    request: web.Request,
    who: Visitor,
    wanted: int,
    company: int,
    alerted: Sequence[int],
    submitted: tuple[dict[str, str], list[str], list[str]] | None = None,
    errors: Sequence[ResponseError] = (),
    files_lost: bool = False,
) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        exporters = dict(await load_exporters(conn))
        found = await load_notifications(conn, notifications.c.id == wanted)
        figures = await company_figures(conn, company)
        alerts = [
            a
            for a in await list_alerts(conn, notification_id=wanted, limit=10_000)
            if a.exporter_id == company
        ]
    matches = [m for a in alerts for m in a.matches]
    others = [(i, exporters[i].name) for i in alerted if i != company]
    view = concern_form_view(
        wanted,
        found[0][1],
        company,
        exporters[company],
        others,
        matches,
        figures,
        load_nomenclature(),
        who.lang,
        submitted,
        errors,
    )
    limits = rt.config.responses
    return render(
        request,
        "exporter_concern.html",
        status=400 if errors else 200,
        f=view,
        action=who.link(f"/exporter/notifications/{wanted}/concern"),
        back=who.link(f"/exporter/notifications/{wanted}"),
        company_link=lambda i: (
            who.link(f"/exporter/notifications/{wanted}/concern")
            + ("&" if who.token else "?")
            + f"company={i}"
        ),
        max_files=limits.max_attachments,
        max_size=size_text(limits.max_attachment_bytes),
        files_lost=files_lost,
    )


@routes.get("/exporter/notifications/{id}/concern")
async def concern_form(request: web.Request) -> web.StreamResponse:
    who = await visitor(request)
    if isinstance(who, web.Response):
        return who
    wanted = notification_id(request)
    alerted = await _alerted(request, who, wanted)
    return await _form_page(
        request, who, wanted, _company(request.query.get("company", ""), alerted), alerted
    )


def _checked(
    files: Sequence[tuple[str, bytes]], max_bytes: int
) -> tuple[list[CheckedFile], list[ResponseError]]:
    good: list[CheckedFile] = []
    bad: list[ResponseError] = []
    for name, data in files:
        try:
            good.append(check_file(name, data, max_bytes))
        except ResponseError as exc:
            bad.append(exc)
    return good, bad


@routes.post("/exporter/notifications/{id}/concern")
@streams_upload
async def concern_submit(request: web.Request) -> web.StreamResponse:
    rt = request.app[RUNTIME]
    who = await visitor(request)
    if isinstance(who, web.Response):
        return who
    wanted = notification_id(request)
    alerted = await _alerted(request, who, wanted)
    limits = rt.config.responses
    try:
        form = await read_form(
            request, max_file_bytes=limits.max_attachment_bytes, max_files=limits.max_attachments
        )
    except ConcernInputError as exc:
        return await _form_page(request, who, wanted, alerted[0], alerted, None, [exc], files_lost=True)
    company = _company(form.one("company"), alerted)
    fields = {k: form.one(k) for k in TEXT_FIELDS}
    submitted = (fields, form.many("products"), form.many("markets"))
    async with rt.db.begin() as conn:
        exporter = dict(await load_exporters(conn))[company]
        found = await load_notifications(conn, notifications.c.id == wanted)
    markets = offered_markets(found[0][1], exporter) if found else ()
    language: Language = "zh" if who.lang == "zh" else "en"
    base = ConcernForm(wanted, company, who.email, language, exporter.hs_codes, markets)
    concern, errors = concern_from_form(base, fields, submitted[1], submitted[2])
    files, file_errors = _checked(form.files, limits.max_attachment_bytes)
    problems: list[ResponseError] = [*errors, *file_errors]
    if concern is None or problems:
        return await _form_page(request, who, wanted, company, alerted, submitted, problems, bool(form.files))
    try:
        async with rt.db.begin() as conn:
            await submit_concern(conn, concern, files, company=exporter.name, now=rt.now(), config=rt.config)
    except ResponseError as exc:
        return await _form_page(request, who, wanted, company, alerted, submitted, [exc], bool(form.files))
    deliver_soon(request.app, "concern receipt")
    return see_other(who.link("/exporter/concerns") + ("&" if who.token else "?") + "sent=concern")


@routes.post("/exporter/notifications/{id}/full-text")
async def full_text(request: web.Request) -> web.StreamResponse:
    rt = request.app[RUNTIME]
    who = await visitor(request)
    if isinstance(who, web.Response):
        return who
    wanted = notification_id(request)
    alerted = await _alerted(request, who, wanted)
    form = await request.post()
    raw = form.get("company")
    company = _company(raw if isinstance(raw, str) else "", alerted)
    async with rt.db.begin() as conn:
        await request_full_text(
            conn,
            wanted,
            exporter_id=company,
            contact_email=who.email,
            language="zh" if who.lang == "zh" else "en",
            now=rt.now(),
            config=rt.config,
        )
    return see_other(who.link("/exporter/concerns") + ("&" if who.token else "?") + "sent=full-text")


@routes.get("/exporter/concerns")
async def my_concerns(request: web.Request) -> web.StreamResponse:
    """The concerns and full-text requests of the contact's companies, and where each file stands."""
    rt = request.app[RUNTIME]
    who = await visitor(request)
    if isinstance(who, web.Response):
        return who
    ids = who.exporter_ids
    async with rt.db.begin() as conn:
        concerns = await load_concerns(conn, exporter_ids=ids)
        requests = await load_full_text_requests(conn, exporter_ids=ids)
        wanted = {c.concern.notification_id for c in concerns} | {r.notification_id for r in requests}
        files = await list_response_files(conn, notification_ids=wanted)
        notes = dict(await load_notifications(conn, notifications.c.id.in_(sorted(wanted)))) if wanted else {}
        marks = await latest_stc_marks(conn, wanted)
        # Titles in the contact's language where a translation is stored (as the alerts page).
        translated = await titles_for(conn, {i: n.title for i, n in notes.items()}, who.lang)
    notes = {i: replace(n, title=translated[i][0]) if i in translated else n for i, n in notes.items()}
    companies = {s.exporter_id: s.subscription.exporter for s in who.subscriptions}
    rows = concern_rows(
        files, concerns, requests, notes, marks, companies, rt.today(), who.lang, rt.config.zone.timezone
    )
    return render(
        request,
        "exporter_concerns.html",
        rows=rows,
        companies="、".join(sorted(set(companies.values())))
        if who.lang == "zh"
        else ", ".join(sorted(set(companies.values()))),
        sent=request.query.get("sent", ""),
        email=who.email,
        link=who.link,
        days=lambda left: days_text(who.lang, left),
        title_statuses={i: status for i, (_, status) in translated.items()},
    )


@routes.get("/responses/attachments/{id}")
@require_role("official", "analyst")
async def attachment(request: web.Request) -> web.StreamResponse:
    """A concern's attached file, for staff only, always as a download (never shown inline)."""
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        found = await get_attachment(conn, path_id(request, "attachment"))
    if found is None:
        raise web.HTTPNotFound(reason="no such attachment")
    try:
        data = load(rt.config.responses.attachments_dir, found.sha256)
    except FileNotFoundError:
        raise web.HTTPNotFound(
            reason="the attachment's file is missing from the attachments folder"
        ) from None
    return web.Response(
        body=data,
        content_type=found.content_type.split(";")[0],
        headers={
            "Content-Disposition": f"attachment; filename*=utf-8''{quote(found.filename, safe='')}",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
