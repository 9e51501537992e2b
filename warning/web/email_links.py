"""What happens when a contact follows a link in an email: feedback, unsubscribe.

These pages are public: the signed, expiring token in the URL is the credential
(see :mod:`notifications.links`).
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from notifications.links import FEEDBACK, UNSUBSCRIBE, apply_feedback, apply_unsubscribe
from warning.storage.subscriptions import contact_language
from warning.tokens import TokenError
from warning.web.i18n import LANG_COOKIE, LANGUAGES
from warning.web.keys import RUNTIME, SIGNER
from warning.web.security import LANG_KEY
from warning.web.templating import NavItem, render

routes = web.RouteTableDef()
NAV: list[NavItem] = []


def _token(request: web.Request) -> str:
    token = request.query.get("token", "")
    if not token:
        raise web.HTTPBadRequest(reason="the link has no token; copy the whole link from the email")
    return token


def _refused(exc: TokenError) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(reason=f"this link cannot be used: {exc}")


async def _speak_contacts_language(request: web.Request, email: str) -> None:
    """The page in the language the contact's emails are in, unless the
    reader chose one with the language switch (its cookie)."""
    if request.cookies.get(LANG_COOKIE) in LANGUAGES:
        return
    async with request.app[RUNTIME].db.begin() as conn:
        request[LANG_KEY] = await contact_language(conn, email) or request[LANG_KEY]


def _flag(request: web.Request) -> bool | None:
    flag = request.query.get("relevant")
    if flag not in (None, "0", "1"):
        raise web.HTTPBadRequest(reason=f"relevant must be 0 or 1, not {flag!r}")
    return None if flag is None else flag == "1"


@routes.get("/feedback")
async def feedback_page(request: web.Request) -> web.Response:
    """Show the answer a link carries with one button that records it.

    GET records nothing: mail scanners open every link in an email, and would
    answer for the contact. The page is in the contact's language.
    """
    rt = request.app[RUNTIME]
    token, override = _token(request), _flag(request)
    try:
        data = request.app[SIGNER].verify(token, FEEDBACK, rt.now())
    except TokenError as exc:
        raise _refused(exc) from None
    relevant = override if override is not None else data.get("r") is True
    email = data.get("e")
    if isinstance(email, str):
        await _speak_contacts_language(request, email)
    action = f"/feedback?token={quote(token)}" + ("" if override is None else f"&relevant={int(override)}")
    return render(request, "email_feedback.html", confirm=True, relevant=relevant, action=action)


@routes.post("/feedback")
async def feedback(request: web.Request) -> web.Response:
    """Record "relevant / not relevant" (``relevant=1|0`` overrides the link's flag).

    Exempt from the CSRF check (see ``CSRF_EXEMPT`` in :mod:`warning.web.app`):
    the signed token is the credential.
    """
    rt = request.app[RUNTIME]
    token, override = _token(request), _flag(request)
    try:
        item = await apply_feedback(rt, token, override, signer=request.app[SIGNER])
    except TokenError as exc:
        raise _refused(exc) from None
    await _speak_contacts_language(request, item.email)
    return render(request, "email_feedback.html", confirm=False, relevant=item.relevant, action="")


@routes.get("/unsubscribe")
async def unsubscribe_page(request: web.Request) -> web.Response:
    """Ask before unsubscribing: link scanners follow GET links, so GET changes nothing."""
    token = _token(request)
    try:
        request.app[SIGNER].verify(token, UNSUBSCRIBE, request.app[RUNTIME].now())
    except TokenError as exc:
        raise _refused(exc) from None
    return render(request, "email_unsubscribe.html", token=token, done=False)


@routes.post("/unsubscribe")
async def unsubscribe(request: web.Request) -> web.Response:
    """Unsubscribe at once (the confirm button, or a mail client's RFC 8058 one-click POST).

    Exempt from the CSRF check (see ``CSRF_EXEMPT`` in :mod:`warning.web.app`).
    """
    try:
        await apply_unsubscribe(request.app[RUNTIME], _token(request), signer=request.app[SIGNER])
    except TokenError as exc:
        raise _refused(exc) from None
    return render(request, "email_unsubscribe.html", token="", done=True)
