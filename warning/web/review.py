"""The officials' review of the week's exporter emails (issue 18).

The week's page (``/digest``) lists the measures; the forms there post here:
hold back an alert or a whole notification, set or lift a level, write or
remove an expert note, each with its reason. ``/review/email`` shows a
contact's next email as it will be sent, text and rendered HTML, in either
language; the HTML itself is served by ``/review/email.html`` under a policy
that lets its inline styles apply and nothing else run.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web
from markupsafe import escape

from warning.exceptions import ReviewEditError
from warning.review.edits import Edit, apply_edit
from warning.review.preview import preview_email, subscriptions_of
from warning.types import Language
from warning.web.i18n import translate
from warning.web.keys import RUNTIME
from warning.web.security import current_user, require_role
from warning.web.templating import render, see_other

routes = web.RouteTableDef()

#: The rendered email's own policy: its inline styles apply, nothing runs, and
#: only this site's pages may frame it.
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


def _int(value: object, name: str, *, optional: bool = False) -> int | None:
    text = str(value or "").strip()
    if not text and optional:
        return None
    if not text.isdigit() or len(text) > 12:
        raise web.HTTPBadRequest(reason=f"{name}: {text!r} is not a number")
    return int(text)


def _back(week: str, notification_id: int, outcome: str) -> str:
    return f"/digest?week={quote(week)}&{outcome}#n-{notification_id}"


@routes.post("/review/change")
@require_role("official")
async def change(request: web.Request) -> web.Response:
    """Record one review change, then back to the week's page (its error there if refused)."""
    rt = request.app[RUNTIME]
    form = await request.post()
    notification = _int(form.get("notification_id"), "notification_id")
    assert notification is not None
    edit = Edit(
        notification_id=notification,
        exporter_id=_int(form.get("exporter_id"), "exporter_id", optional=True),
        action=str(form.get("action", "")),
        reason=str(form.get("reason", "")),
        level=str(form.get("level", "")),
        note_zh=str(form.get("note_zh", "")),
        note_en=str(form.get("note_en", "")),
        office=str(form.get("office", "")),
    )
    week = str(form.get("week", ""))
    user = current_user(request)
    assert user is not None
    try:
        async with rt.db.begin() as conn:
            await apply_edit(conn, edit, user.email, rt.now())
    except ReviewEditError as exc:
        return see_other(_back(week, notification, f"error={quote(exc.key)}"))
    return see_other(_back(week, notification, f"done=changed:{quote(edit.action)}"))


def _language(value: str | None) -> Language:
    if value not in ("zh", "en"):
        raise web.HTTPBadRequest(reason="lang: zh or en")
    return value  # type: ignore[return-value]


@routes.get("/review/email")
@require_role("official")
async def email_page(request: web.Request) -> web.Response:
    """An exporter's contacts, and one contact's next email(s) as they will be sent."""
    rt = request.app[RUNTIME]
    exporter = _int(request.query.get("exporter"), "exporter", optional=True)
    subscription = _int(request.query.get("subscription"), "subscription", optional=True)
    lang = _language(request.query.get("lang", "zh"))
    contacts = await subscriptions_of(rt, exporter) if exporter is not None else []
    if subscription is None and len(contacts) >= 1:
        subscription = contacts[0].id
    if subscription is None:
        raise web.HTTPNotFound(reason="no active contact for this exporter")
    emails = await preview_email(rt, subscription, lang)
    if emails is None:
        raise web.HTTPNotFound(reason="no such active subscription")
    return render(
        request,
        "review_email.html",
        emails=emails,
        contacts=contacts,
        exporter=exporter,
        subscription=subscription,
        email_lang=lang,
    )


@routes.get("/review/email.html")
@require_role("official")
async def email_html(request: web.Request) -> web.Response:
    """The HTML part of a contact's next email, as mail clients get it."""
    rt = request.app[RUNTIME]
    subscription = _int(request.query.get("subscription"), "subscription")
    assert subscription is not None
    index = _int(request.query.get("n", "0"), "n")
    lang = _language(request.query.get("lang", "zh"))
    emails = await preview_email(rt, subscription, lang)
    if emails is None:
        raise web.HTTPNotFound(reason="no such active subscription")
    if index is None or index >= max(1, len(emails)):
        raise web.HTTPNotFound(reason="no such email")
    html = emails[index].html if emails else f"<p>{escape(translate(lang, 'review_email_none'))}</p>"
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
