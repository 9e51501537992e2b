"""Signing in and out, and the language switch."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from aiohttp import web

from warning.storage.sessions import create_session, revoke_session
from warning.storage.users import get_user_by_email, password_hash_of, record_login
from warning.web.i18n import LANG_COOKIE, LANGUAGES
from warning.web.keys import LIMITS, RUNTIME, SECURE_COOKIES
from warning.web.security import (
    SESSION_KEY,
    Session,
    current_user,
    new_session,
    safe_next,
    verify_password,
)
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
    """Check the password; refuse when too many recent failures for this account or address.

    The attempt is counted (in the database, shared by every worker) before the
    password is checked, and taken back if it succeeds.
    """
    rt = request.app[RUNTIME]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    limits = request.app[LIMITS]
    ip = limits.address_of(request)
    attempt = await limits.attempt(rt.db, "staff", ip, email, rt.now())
    if not attempt.allowed:
        log.warning("sign-in refused for %s from %s: too many failures", email, ip)
        return render(request, "login.html", status=429, next=target, error_key="login_limited", email=email)
    async with rt.db.begin() as conn:
        user = await get_user_by_email(conn, email)
        stored = await password_hash_of(conn, user.id) if user else None
    # argon2 is deliberately slow: keep it off the event loop.
    if user is None or not await asyncio.to_thread(verify_password, stored, password):
        return render(request, "login.html", status=401, next=target, error_key="login_failed", email=email)
    await limits.succeeded(rt.db, attempt)
    # A new session (new CSRF token, new server-side row) at sign-in defeats session fixation.
    lifetime = dt.timedelta(hours=rt.config.web.session_hours)
    session = new_session(rt.now(), lifetime, user.id)
    assert session.session_id is not None
    async with rt.db.begin() as conn:
        await record_login(conn, user.id, rt.now())
        await create_session(
            conn, session.session_id, now=rt.now(), expires_at=session.expires_at, user_id=user.id
        )
    request[SESSION_KEY] = session
    return see_other(
        target if target != "/" else ("/dashboard" if user.may("official") else "/notifications")
    )


async def end_session(request: web.Request) -> None:
    """Sign out: delete the session's server-side row (a copied cookie stops working
    too) and give the browser a fresh anonymous session."""
    rt = request.app[RUNTIME]
    session: Session = request[SESSION_KEY]
    if session.session_id is not None:
        async with rt.db.begin() as conn:
            await revoke_session(conn, session.session_id)
    request[SESSION_KEY] = new_session(rt.now(), dt.timedelta(hours=rt.config.web.session_hours))


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    await end_session(request)
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
