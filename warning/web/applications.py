"""Officials' pages for sign-up applications: the list, one application, and the decisions.

``/applications`` lists the verified applications waiting for a decision
(and the recently decided ones); ``/applications/{id}`` shows one with its
history and, when its credit code or email is already in the register, the
exporter it would join. Approve, ask for changes (a note) and reject (a
reason) are POSTs by an official; each is recorded with who, when and why.
"""

from __future__ import annotations

from aiohttp import web

from warning.exceptions import ApplicationError
from warning.signup.applications import _match, approve, reject, request_changes
from warning.signup.pickers import market_name, product_index
from warning.storage.applications import events_of, get_application, list_applications
from warning.storage.exporters import load_exporters
from warning.web.background_mail import deliver_soon
from warning.web.i18n import translate
from warning.web.keys import RUNTIME, SIGNER
from warning.web.security import current_user, require_role
from warning.web.templating import NavItem, language, render, see_other

routes = web.RouteTableDef()
NAV = [NavItem("/applications", "nav_applications", ("official",))]
#: Decided applications listed under the waiting ones.
RECENT = 20


@routes.get("/applications")
@require_role("official")
async def applications_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        waiting = await list_applications(conn, ["verified"])
        decided = await list_applications(conn, ["approved", "rejected", "changes"])
    decided.sort(key=lambda a: a.updated_at, reverse=True)
    return render(request, "applications.html", waiting=waiting, decided=decided[:RECENT])


#: The messages a decision may end with (``?done=``).
DONE = ("approved_new", "approved_existing", "changes_sent", "rejected_sent")


def _done_text(lang: str, done: str, exporter_name: str) -> str:
    return translate(lang, done, name=exporter_name) if done in DONE else ""


def _application_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if len(raw) > 12:
        raise web.HTTPNotFound(reason="no such application")
    return int(raw)


async def _render_one(
    request: web.Request, application_id: int, *, done: str = "", error: str = "", status: int = 200
) -> web.Response:
    rt = request.app[RUNTIME]
    lang = language(request)
    async with rt.db.begin() as conn:
        found = await get_application(conn, application_id)
        if found is None:
            raise web.HTTPNotFound(reason="no such application")
        events = await events_of(conn, application_id)
        register = await load_exporters(conn)
    matched = _match(register, found.application) if found.status == "verified" else None
    exporter_name = next((e.name for i, e in register if i == found.exporter_id), "")
    a = found.application
    match_note = ""
    if matched is not None:
        what = "match_credit_code" if matched[1].credit_code == a.credit_code else "match_email"
        match_note = translate(lang, "matches_registered", name=matched[1].name, what=translate(lang, what))
    index = product_index()
    return render(
        request,
        "application.html",
        status=status,
        app=found,
        events=events,
        match_note=match_note,
        products=[(c, index.name(c, lang)) for c in a.hs_codes],
        markets=[(m, market_name(m, lang)) for m in a.markets],
        done=done,
        done_text=_done_text(lang, done, exporter_name),
        error=error,
    )


@routes.get("/applications/{id:\\d+}")
@require_role("official")
async def application_page(request: web.Request) -> web.Response:
    return await _render_one(request, _application_id(request), done=request.query.get("done", ""))


@routes.post("/applications/{id:\\d+}/decide")
@require_role("official")
async def decide(request: web.Request) -> web.Response:
    """Approve, ask for changes (``note``) or reject (``note`` as the reason)."""
    rt = request.app[RUNTIME]
    user = current_user(request)
    assert user is not None
    application_id = _application_id(request)
    post = await request.post()
    action, note = post.get("action"), post.get("note", "")
    note = note.strip()[:2000] if isinstance(note, str) else ""
    try:
        if action == "approve":
            outcome = await approve(rt, application_id, user.email, note)
            done = "approved_existing" if outcome.joined_existing else "approved_new"
        elif action == "changes":
            await request_changes(rt, request.app[SIGNER], application_id, user.email, note)
            done = "changes_sent"
        elif action == "reject":
            await reject(rt, application_id, user.email, note)
            done = "rejected_sent"
        else:
            raise web.HTTPBadRequest(reason="action must be approve, changes or reject")
    except ApplicationError as exc:
        lang = language(request)
        return await _render_one(request, application_id, error=translate(lang, exc.key), status=400)
    deliver_soon(request.app, "application emails")
    return see_other(f"/applications/{application_id}?done={done}")
