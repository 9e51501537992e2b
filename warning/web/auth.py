"""Signing in and out, and the language switch."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from aiohttp import web

from warning.storage.staff_accounts import disabled_ids
from warning.storage.users import get_user_by_email, password_hash_of, record_login
from warning.web.i18n import LANG_COOKIE, LANGUAGES
from warning.web.keys import LIMITER, RUNTIME, SECURE_COOKIES
from warning.web.security import SESSION_KEY, current_user, new_session, safe_next, verify_password
from warning.web.templating import NavItem, render, see_other

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NAV: list[NavItem] = []


def _home_for(request: web.Request) -> str:
    user = current_user(request)
    if user is None:
        return "/login"
    return "/dashboard" if user.may("official") else "/notifications"


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    return see_other(_home_for(request))


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", next=safe_next(request.query.get("next")), error_key=None, email="")


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    """Check the password; refuse when too many recent failures for this account or address."""
    rt = request.app[RUNTIME]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    ip = request.remote or "unknown"
    limiter = request.app[LIMITER]
    if limiter.blocked(ip, email, rt.now()):
        log.warning("sign-in refused for %s from %s: too many failures", email, ip)
        return render(request, "login.html", status=429, next=target, error_key="login_limited", email=email)
    async with rt.db.begin() as conn:
        user = await get_user_by_email(conn, email)
        stored = await password_hash_of(conn, user.id) if user else None
        if user is not None and user.id in await disabled_ids(conn):
            user, stored = None, None  # a disabled account signs in as no account does
    # argon2 is deliberately slow: keep it off the event loop.
    if user is None or not await asyncio.to_thread(verify_password, stored, password):
        limiter.failed(ip, email, rt.now())
        return render(request, "login.html", status=401, next=target, error_key="login_failed", email=email)
    limiter.succeeded(email)
    async with rt.db.begin() as conn:
        await record_login(conn, user.id, rt.now())
    # A new session (new CSRF token) at sign-in defeats session fixation.
    lifetime = dt.timedelta(hours=rt.config.web.session_hours)
    request[SESSION_KEY] = new_session(rt.now(), lifetime, user.id)
    return see_other(
        target if target != "/" else ("/dashboard" if user.may("official") else "/notifications")
    )


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    request[SESSION_KEY] = new_session(rt.now(), dt.timedelta(hours=rt.config.web.session_hours))
    return see_other("/login")


@routes.post("/lang")
async def set_language(request: web.Request) -> web.Response:
    """Remember the chosen interface language in a cookie and go back."""
    form = await request.post()
    lang = str(form.get("lang", ""))
    if lang not in LANGUAGES:
        raise web.HTTPBadRequest(reason=f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
    response = see_other(safe_next(str(form.get("next", ""))))
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        secure=request.app[SECURE_COOKIES],
        samesite="Lax",
        path="/",
    )
    return response
