"""The staff's response queue (issue 19): ``/responses`` lists the measures the
zone's companies raised concerns about or asked the full text of, soonest
enquiry-point date first; ``/responses/{id}`` is one measure's response file:
assign it, draft the zone's comment from the template (each save a version),
approve and send it (officials), send full-text requests, record the reply or
close it, mark the measure as a specific trade concern, export it all as a zip.

Every change commits with its event and the companies' status emails (the
foundation's :func:`warning.responses.lifecycle.transition`); what goes to the
enquiry point is in the outbox in the same transaction
(:mod:`warning.responses.sending`), delivered in the background after the commit.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import quote

from aiohttp import web

from warning.exceptions import ResponseError, ResponseTransitionError
from warning.responses import attachments
from warning.responses.dossier import Dossier, load_dossier, members_label
from warning.responses.lifecycle import transition
from warning.responses.sending import approve_and_send, send_full_text_requests
from warning.storage.response_queue import queue_rows, set_provisions
from warning.storage.responses import add_document, add_draft, add_stc_mark, assign, latest_stc_marks
from warning.types import RESPONSE_STATUSES, ResponseStatus
from warning.web.background_mail import deliver_soon
from warning.web.concern_view import error_text
from warning.web.i18n import translate
from warning.web.keys import RUNTIME
from warning.web.params import path_id
from warning.web.response_history import history_words
from warning.web.security import STAFF, current_user, require_role
from warning.web.templating import NavItem, language, render, see_other
from warning.web.uploads import read_form, streams_upload

routes = web.RouteTableDef()
NAV = [NavItem("/responses", "nav_responses", STAFF)]

_EMAIL = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+")
#: Longest comment text in one language (a comment is a few pages).
MAX_TEXT = 20_000
MAX_LINE = 300
#: History actions with a label in the catalogue (others are shown as stored).
ACTIONS: tuple[str, ...] = ("status", "assign", "draft", "concern", "full_text", "full_text_sent")
ACTIONS += ("stc", "document", "provisions")


def status_names(lang: str) -> dict[str, str]:
    """Each response status in ``lang`` (passed to templates: keys built there escape the catalogue check)."""
    return {s: translate(lang, f"rq_status_{s}") for s in RESPONSE_STATUSES}


def action_names(lang: str) -> dict[str, str]:
    return {a: translate(lang, f"rq_action_{a}") for a in ACTIONS}


@routes.get("/responses")
@require_role(*STAFF)
async def queue_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        rows = await queue_rows(conn)
        stc = await latest_stc_marks(conn, [r.notification_id for r in rows])
    counts = Counter(r.status for r in rows)
    lang = language(request)
    return render(
        request,
        "responses.html",
        member_names=lambda r: members_label(r.member_codes, lang) or r.member,
        status_names=status_names(lang),
        rows=rows,
        stc=stc,
        today=rt.today(),
        counts={s: counts[s] for s in RESPONSE_STATUSES},
    )


def _actor(request: web.Request) -> str:
    user = current_user(request)
    assert user is not None  # require_role
    return user.email


async def _dossier(request: web.Request) -> Dossier:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        found = await load_dossier(conn, path_id(request, "response file"))
    if found is None:
        raise web.HTTPNotFound(reason="no such response file")
    return found


def _page(request: web.Request, d: Dossier, *, status: int = 200, **context: Any) -> web.Response:
    rt = request.app[RUNTIME]
    zone = rt.config.zone
    zh, en = d.template(zone.name_zh, zone.name)
    latest = d.latest
    form = {
        "provisions": d.provisions,
        "text_zh": latest.text_zh if latest else zh,
        "text_en": latest.text_en if latest else en,
        "assign_name": d.file.assigned_name,
        "assign_email": d.file.assigned_email,
        "stc_number": d.stc.stc_number if d.stc else "",
        "stc_url": d.stc.url if d.stc else "",
    } | context.pop("form", {})
    user = current_user(request)
    return render(
        request,
        "response_file.html",
        status=status,
        d=d,
        today=rt.today(),
        form=form,
        may_approve=user is not None and user.may("official"),
        enquiry_email=zone.enquiry_point_email,
        done=context.pop("done", request.query.get("done", "")),
        errors=context.pop("errors", []),
        members_label=members_label,
        status_names=status_names(language(request)),
        action_names=action_names(language(request)),
        history=history_words(d, language(request)),
        **context,
    )


@routes.get("/responses/{id}")
@require_role(*STAFF)
async def file_page(request: web.Request) -> web.Response:
    return _page(request, await _dossier(request))


def _back(d: Dossier, done: str) -> web.Response:
    return see_other(f"/responses/{d.file.id}?done={quote(done)}")


def _text(form: Any, name: str, limit: int) -> str:
    return str(form.get(name, "")).replace("\r\n", "\n").strip()[: limit + 1]


def _problem(lang: str, field: str, problem: str, **values: object) -> str:
    return translate(
        lang,
        "rq_error_field",
        field=translate(lang, f"rq_field_{field}"),
        problem=translate(lang, problem, **values),
    )


def _status_error(lang: str, d: Dossier) -> str:
    return translate(lang, "rq_wrong_status", status=translate(lang, f"rq_status_{d.file.status}"))


@routes.post("/responses/{id}/assign")
@require_role(*STAFF)
async def assign_file(request: web.Request) -> web.Response:
    rt, lang, d = request.app[RUNTIME], language(request), await _dossier(request)
    form = await request.post()
    name, email = _text(form, "name", MAX_LINE), _text(form, "email", MAX_LINE).lower()
    errors = []
    if not name:
        errors.append(_problem(lang, "name", "rq_problem_required"))
    elif len(name) > 200:
        errors.append(_problem(lang, "name", "rq_problem_too_long", n=200))
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        errors.append(_problem(lang, "email", "rq_problem_email"))
    if errors:
        return _page(request, d, status=400, errors=errors, form={"assign_name": name, "assign_email": email})
    async with rt.db.begin() as conn:
        await assign(conn, d.file, name, email, actor=_actor(request), now=rt.now())
    return _back(d, "assigned")


@routes.post("/responses/{id}/draft")
@require_role(*STAFF)
async def save_draft(request: web.Request) -> web.Response:
    """A new version of the comment (the file moves to ``drafting`` with its first)."""
    rt, lang, d = request.app[RUNTIME], language(request), await _dossier(request)
    form = await request.post()
    values = {
        "provisions": _text(form, "provisions", 2000),
        "text_zh": _text(form, "text_zh", MAX_TEXT),
        "text_en": _text(form, "text_en", MAX_TEXT),
    }
    errors = [
        _problem(lang, field, "rq_problem_required") for field in ("text_zh", "text_en") if not values[field]
    ]
    errors += [
        _problem(lang, field, "rq_problem_too_long", n=MAX_TEXT)
        for field in ("text_zh", "text_en")
        if len(values[field]) > MAX_TEXT
    ]
    if d.file.status not in ("open", "drafting", "approved"):
        errors.append(_status_error(lang, d))
    if errors:  # the page again with what was typed: nothing lost
        return _page(request, d, status=400, errors=errors, form=values)
    actor = _actor(request)
    async with rt.db.begin() as conn:
        if d.file.status in ("open", "approved"):  # an approved draft edited goes back to drafting
            await transition(conn, d.file.id, "drafting", actor=actor, now=rt.now(), config=rt.config)
        await set_provisions(
            conn, d.file.id, d.file.notification_id, values["provisions"], actor=actor, now=rt.now()
        )
        fresh = (await load_dossier(conn, d.file.id)) or d
        draft = await add_draft(
            conn, fresh.file, text_zh=values["text_zh"], text_en=values["text_en"], author=actor, now=rt.now()
        )
    deliver_soon(request.app, "response status emails")
    return _back(d, f"draft:{draft.version}")


@routes.post("/responses/{id}/approve")
@require_role("official")
async def approve(request: web.Request) -> web.Response:
    """Approve the latest version and queue it to the enquiry point (one transaction)."""
    rt, lang, d = request.app[RUNTIME], language(request), await _dossier(request)
    try:
        async with rt.db.begin() as conn:
            await approve_and_send(rt, conn, d.file.id, actor=_actor(request))
    except ResponseTransitionError as exc:
        message = translate(lang, "rq_no_draft") if exc.key == "no_draft" else _status_error(lang, d)
        return _page(request, d, status=409, errors=[message])
    except ResponseError:
        return _page(request, d, status=409, errors=[translate(lang, "rq_no_enquiry_email")])
    deliver_soon(request.app, "the comment to the enquiry point")
    return _back(d, "sent")


@routes.post("/responses/{id}/full-text")
@require_role(*STAFF)
async def full_text(request: web.Request) -> web.Response:
    rt, lang, d = request.app[RUNTIME], language(request), await _dossier(request)
    try:
        async with rt.db.begin() as conn:
            await send_full_text_requests(rt, conn, d.file.id, actor=_actor(request))
    except ResponseError:
        return _page(request, d, status=409, errors=[translate(lang, "rq_no_enquiry_email")])
    deliver_soon(request.app, "a full-text request")
    return _back(d, "full_text")


async def _move(
    request: web.Request, d: Dossier, to: ResponseStatus, done: str, reason: str = ""
) -> web.Response:
    """Move the file to ``to`` (the lifecycle decides if it may), then back to its page."""
    rt, lang = request.app[RUNTIME], language(request)
    try:
        async with rt.db.begin() as conn:
            await transition(
                conn, d.file.id, to, actor=_actor(request), now=rt.now(), config=rt.config, reason=reason
            )
    except ResponseTransitionError:
        return _page(request, d, status=409, errors=[_status_error(lang, d)])
    deliver_soon(request.app, "response status emails")
    return _back(d, done)


@routes.post("/responses/{id}/close")
@require_role(*STAFF)
async def close(request: web.Request) -> web.Response:
    lang, d = language(request), await _dossier(request)
    reason = _text(await request.post(), "reason", 2000)
    if not reason:
        return _page(request, d, status=400, errors=[_problem(lang, "reason", "rq_problem_required")])
    return await _move(request, d, "closed", "closed", reason)


@routes.post("/responses/{id}/reopen")
@require_role(*STAFF)
async def reopen(request: web.Request) -> web.Response:
    return await _move(request, await _dossier(request), "open", "reopened")


@routes.post("/responses/{id}/answer")
@require_role(*STAFF)
@streams_upload
async def answer(request: web.Request) -> web.Response:
    """Record the notifying member's reply (an uploaded document, read as a stream
    within ``[responses] max_attachment_bytes``, checked by content); status answered."""
    rt, lang, d = request.app[RUNTIME], language(request), await _dossier(request)
    limit = rt.config.responses.max_attachment_bytes
    try:
        form = await read_form(request, max_file_bytes=limit, max_files=1)
        if not form.files:
            return _page(request, d, status=400, errors=[_problem(lang, "file", "rq_problem_required")])
        checked = attachments.check_file(*form.files[0], limit)
    except ResponseError as exc:
        return _page(request, d, status=400, errors=[error_text(lang, exc)])
    if d.file.status != "sent":
        return _page(request, d, status=409, errors=[_status_error(lang, d)])
    digest = attachments.store(rt.config.responses.attachments_dir, checked.data)
    actor = _actor(request)
    try:
        async with rt.db.begin() as conn:
            await add_document(
                conn,
                d.file,
                kind="reply",
                filename=checked.filename,
                content_type=checked.content_type,
                size=checked.size,
                sha256=digest,
                author=actor,
                now=rt.now(),
            )
            await transition(conn, d.file.id, "answered", actor=actor, now=rt.now(), config=rt.config)
    except ResponseTransitionError:
        return _page(request, d, status=409, errors=[_status_error(lang, d)])
    deliver_soon(request.app, "response status emails")
    return _back(d, "answered")


@routes.post("/responses/{id}/stc")
@require_role(*STAFF)
async def mark_stc(request: web.Request) -> web.Response:
    """Mark the measure as raised as a specific trade concern (number and link)."""
    rt, lang, d = request.app[RUNTIME], language(request), await _dossier(request)
    form = await request.post()
    number, url = _text(form, "stc_number", 40), _text(form, "stc_url", 2000)
    errors = []
    if not number:
        errors.append(_problem(lang, "stc_number", "rq_problem_required"))
    elif len(number) > 40:
        errors.append(_problem(lang, "stc_number", "rq_problem_too_long", n=40))
    if not url.startswith(("https://", "http://")) or len(url) > 2000:
        errors.append(_problem(lang, "stc_url", "rq_problem_url"))
    if errors:
        return _page(request, d, status=400, errors=errors, form={"stc_number": number, "stc_url": url})
    async with rt.db.begin() as conn:
        await add_stc_mark(
            conn, d.file.notification_id, stc_number=number, url=url, marked_by=_actor(request), now=rt.now()
        )
    return _back(d, "stc")
