"""Building the web application: middlewares, route modules, static files.

Each page group is a module with ``routes`` (an ``aiohttp.web.RouteTableDef``)
and ``NAV`` (its navigation entries); adding a group means adding its module
to :data:`ROUTE_MODULES`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from importlib import resources
from pathlib import Path
from types import ModuleType

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.runtime import Runtime
from warning.storage.search import ensure_search_index
from warning.storage.sessions import session_exporter, session_user
from warning.storage.staff_accounts import session_refused
from warning.tokens import Signer, service_signer
from warning.web import (
    admin_users,
    analyst,
    analyst_evaluation,
    analyst_mappings,
    api,
    applications,
    auth,
    background_mail,
    concern_pages,
    dashboard,
    digest,
    email_links,
    exporter_pages,
    exporters,
    feeds,
    notification_pages,
    operations,
    reports,
    responses_files,
    responses_staff,
    review,
    signup,
    subscriptions_page,
)
from warning.web import api_tokens as api_token_pages
from warning.web.api_tokens import token_middleware
from warning.web.i18n import LANG_COOKIE, LANGUAGES, negotiate
from warning.web.keys import LIMITS, RUNTIME, SECTORS, SECURE_COOKIES, SIGNER
from warning.web.limits import SignInLimits
from warning.web.reads import READ_CONN_KEY, wants_single_read
from warning.web.sectors import SectorCache
from warning.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    LANG_KEY,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    SESSION_KEY,
    USER_KEY,
    Handler,
    csrf_ok,
    decode_session,
    encode_session,
    new_session,
)
from warning.web.templating import NAV_KEY, render
from warning.web.uploads import csrf_from_stream, wants_stream

log = logging.getLogger(__name__)

#: The page groups, in navigation order.
ROUTE_MODULES: tuple[ModuleType, ...] = (
    dashboard,
    notification_pages,
    digest,
    applications,
    review,
    responses_staff,
    responses_files,
    analyst,
    analyst_evaluation,
    analyst_mappings,
    operations,
    reports,
    admin_users,
    api_token_pages,
    api,
    feeds,
    email_links,
    exporters,
    subscriptions_page,
    signup,
    exporter_pages,
    concern_pages,
    auth,
)


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every response, errors included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    for name, value in SECURITY_HEADERS.items():
        # A handler may set its own stricter policy (the review's rendered email).
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Errors as a page in the user's language (JSON under /api/); redirects pass through."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if request.path.startswith("/api/"):
            body = json.dumps({"error": exc.reason, "status": exc.status})
            return web.Response(text=body, status=exc.status, content_type="application/json")
        key = f"error_{exc.status}" if exc.status in (400, 403, 404) else "error_other"
        return render(request, "error.html", status=exc.status, message_key=key, detail=exc.reason)


def _now(request: web.Request) -> dt.datetime:
    return request.app[RUNTIME].now()


async def _load_user(request: web.Request, conn: AsyncConnection, lifetime: dt.timedelta) -> None:
    """The signed-in session's staff user into the request, checked against its
    server-side row: a session ended (signed out, account removed or changed) is
    forgotten, and the request is anonymous."""
    session, now = request[SESSION_KEY], request.app[RUNTIME].now()
    user = None
    if session.session_id is not None:
        if session.user_id is not None:
            user = await session_user(conn, session.session_id, now)
            live = user is not None and user.id == session.user_id
            # A disabled account, or one changed since this session began (issue 18), is signed out.
            began = session.expires_at - lifetime
            if live and user is not None and await session_refused(conn, user.id, began):
                live = False
        else:
            live = await session_exporter(conn, session.session_id, now) == session.exporter_email
        if not live:
            user = None
            request[SESSION_KEY] = new_session(now, lifetime)
    request[USER_KEY] = user


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Read the signed session cookie, load the user, pick the language; write the cookie back."""
    app = request.app
    rt = app[RUNTIME]
    lifetime = dt.timedelta(hours=rt.config.web.session_hours)
    session = decode_session(app[SIGNER], request.cookies.get(SESSION_COOKIE), rt.now())
    if session is None:
        session = new_session(rt.now(), lifetime)
    request[SESSION_KEY] = session
    chosen = request.cookies.get(LANG_COOKIE, "")
    request[LANG_KEY] = (
        chosen if chosen in LANGUAGES else negotiate(request.headers.get("Accept-Language", ""))
    )
    if session.user_id is not None and wants_single_read(request):
        # No begin(): the read transaction starts with the first query, and
        # the pool's rollback on return ends it (no commit round trip).
        async with rt.db.engine.connect() as conn:
            request[READ_CONN_KEY] = conn
            await _load_user(request, conn, lifetime)
            response = await handler(request)
    else:
        if session.signed_in:
            async with rt.db.begin() as conn:
                await _load_user(request, conn, lifetime)
        else:
            request[USER_KEY] = None
        response = await handler(request)
    session = request[SESSION_KEY]  # a handler may have replaced it (sign-in, sign-out)
    if session.changed:
        response.set_cookie(
            SESSION_COOKIE,
            encode_session(app[SIGNER], session),
            httponly=True,
            secure=app[SECURE_COOKIES],
            samesite="Lax",
            path="/",
        )
    return response


#: POST paths that need no CSRF token: the email links. ``/unsubscribe``: mail
#: clients send the RFC 8058 one-click POST (body ``List-Unsubscribe=One-Click``)
#: with no cookie and no form token, and the standard requires it to work.
#: ``/feedback``: the button of the page the link opens, for a contact who has
#: no session. The signed, expiring token in the URL is the protection (a forger
#: cannot make one), and the worst a cross-site POST can do is record the answer
#: the link's own owner was sent, or unsubscribe them.
CSRF_EXEMPT: frozenset[str] = frozenset({"/unsubscribe", "/feedback"})


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse any state-changing request without the session's CSRF token."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.path not in CSRF_EXEMPT:
        submitted = request.headers.get(CSRF_HEADER)
        if submitted is None and wants_stream(request):
            # A form with files (issue 19): only its first part, the token, is read here.
            submitted = await csrf_from_stream(request, CSRF_FIELD)
        elif submitted is None and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            form = await request.post()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
        if not csrf_ok(request[SESSION_KEY], submitted):
            raise web.HTTPForbidden(reason="CSRF token missing or wrong; reload the page and try again")
    return await handler(request)


def secure_cookies(rt: Runtime) -> bool:
    """The configured Secure flag, by default on when the public URL is https."""
    configured = rt.config.web.secure_cookies
    if configured is not None:
        return configured
    return rt.config.zone.base_url.startswith("https://")


async def _on_startup(app: web.Application) -> None:
    async with app[RUNTIME].db.begin() as conn:
        await ensure_search_index(conn)


def create_app(rt: Runtime, signer: Signer | None = None) -> web.Application:
    """The web application on an open runtime (the caller closes the runtime).

    The signer defaults to the service secret (``TBTWARN_SECRET`` or
    ``var/secret`` beside the config file).
    """
    app = web.Application(
        middlewares=[
            headers_middleware,
            error_middleware,
            session_middleware,
            token_middleware,
            csrf_middleware,
        ],
        client_max_size=1024 * 1024,
    )
    web_config = rt.config.web
    app[RUNTIME] = rt
    app[SIGNER] = signer or service_signer(rt.config.base_dir / "var", rt.now())
    app[LIMITS] = SignInLimits.from_config(web_config)
    app[SECTORS] = SectorCache(rt)
    app[SECURE_COOKIES] = secure_cookies(rt)
    app[NAV_KEY] = [item for module in ROUTE_MODULES for item in getattr(module, "NAV", [])]
    background_mail.setup(app)
    for module in ROUTE_MODULES:
        app.add_routes(module.routes)
        setup = getattr(module, "setup", None)
        if setup is not None:  # a module holding per-app state (background tasks...)
            setup(app)
    app.router.add_static("/static/", Path(str(resources.files("warning.web") / "static")))
    app.on_startup.append(_on_startup)
    return app
