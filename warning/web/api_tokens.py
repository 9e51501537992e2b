"""API tokens: ``Authorization: Bearer`` on /api/ routes, and the admin's
page to issue (shown once), list and revoke them.

A token is read-only: it lets a program GET what any member of staff may
read under /api/, and nothing else. It never grants a staff page (the
header is ignored outside /api/), a write (403), or an admin route. An
unknown, revoked or expired token gets 401 even beside a valid cookie.
"""

from __future__ import annotations

from aiohttp import web

from warning.storage.api_tokens import issue_token, list_tokens, revoke_token, token_for
from warning.types import StaffUser
from warning.web.keys import RUNTIME
from warning.web.security import USER_KEY, Handler, current_user, require_role
from warning.web.templating import NavItem, render, see_other

routes = web.RouteTableDef()
NAV = [NavItem("/admin/tokens", "nav_tokens", ("admin",))]
#: The request key marking a request authenticated by a token (its id).
TOKEN_KEY = web.RequestKey[int]("tbtwarn.api_token")
DEFAULT_DAYS = 90


def bearer(request: web.Request) -> str | None:
    """The bearer token of the request, if it sends one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


@web.middleware
async def token_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """On /api/ routes, a bearer token stands for a read-only member of staff."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    sent = bearer(request)
    if sent is None:
        return await handler(request)
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        token = await token_for(conn, sent, rt.now())
    if token is None:
        raise web.HTTPUnauthorized(
            reason="API token unknown, revoked or expired", headers={"WWW-Authenticate": "Bearer"}
        )
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPForbidden(reason="API tokens are read-only")
    # Officials and analysts may read every /api/ route: the token reads as one.
    request[USER_KEY] = StaffUser(0, f"token:{token.name}", "official", token.created_at)
    request[TOKEN_KEY] = token.id
    return await handler(request)


@routes.get("/admin/tokens")
@require_role("admin")
async def tokens_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        tokens = await list_tokens(conn)
    return render(request, "admin_tokens.html", tokens=tokens, now=rt.now(), issued=None, error=None)


@routes.post("/admin/tokens")
@require_role("admin")
async def issue(request: web.Request) -> web.Response:
    """Issue a token and show it once, on this response only (never stored in clear)."""
    rt = request.app[RUNTIME]
    form = await request.post()
    user = current_user(request)
    assert user is not None
    days_text = str(form.get("days", DEFAULT_DAYS)).strip()
    issued, error = None, None
    try:
        days = int(days_text) if days_text.isdigit() and len(days_text) < 5 else 0
        async with rt.db.begin() as conn:
            issued, _ = await issue_token(conn, str(form.get("name", "")), days, user.email, rt.now())
    except ValueError as exc:
        error = str(exc)
    async with rt.db.begin() as conn:
        tokens = await list_tokens(conn)
    return render(
        request,
        "admin_tokens.html",
        status=400 if error else 200,
        tokens=tokens,
        now=rt.now(),
        issued=issued,
        error=error,
    )


@routes.post("/admin/tokens/revoke")
@require_role("admin")
async def revoke(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    text = str((await request.post()).get("id", ""))
    if not text.isdigit() or len(text) > 12:
        raise web.HTTPBadRequest(reason=f"id: {text!r} is not a token number")
    user = current_user(request)
    assert user is not None
    try:
        async with rt.db.begin() as conn:
            await revoke_token(conn, int(text), user.email, rt.now())
    except LookupError as exc:
        raise web.HTTPNotFound(reason=str(exc)) from None
    return see_other("/admin/tokens")
