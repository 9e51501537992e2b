"""What happens when a contact follows a link in an email: feedback, unsubscribe.

These pages are public: the signed, expiring token in the URL is the credential
(see :mod:`notifications.links`).
"""

from __future__ import annotations

from aiohttp import web

from notifications.links import UNSUBSCRIBE, apply_feedback, apply_unsubscribe
from warning.tokens import TokenError
from warning.web.keys import RUNTIME, SIGNER
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


@routes.get("/feedback")
async def feedback(request: web.Request) -> web.Response:
    """Record "relevant / not relevant" from an email link (``relevant=1|0`` overrides the link)."""
    rt = request.app[RUNTIME]
    flag = request.query.get("relevant")
    if flag not in (None, "0", "1"):
        raise web.HTTPBadRequest(reason=f"relevant must be 0 or 1, not {flag!r}")
    try:
        item = await apply_feedback(
            rt, _token(request), None if flag is None else flag == "1", signer=request.app[SIGNER]
        )
    except TokenError as exc:
        raise _refused(exc) from None
    return render(request, "email_feedback.html", relevant=item.relevant)


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
