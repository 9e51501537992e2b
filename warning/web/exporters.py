"""Exporters' pages: sign-in by an emailed link, their subscriptions (their alerts and
notification pages: :mod:`warning.web.exporter_pages`).

Exporter contacts have no password: ``/exporter/login`` emails a signed,
expiring, single-use link (through the outbox and the configured transport);
opening it shows one button, whose POST to ``/exporter/signin`` uses the link
up and starts an exporter session (mail scanners that open links never use
one). That session holds only the contact's email: it never reaches staff
pages (no staff user), and a staff session never reaches these (no exporter email).
A contact sent here from a page that needs signing in (``?next=/exporter/alerts``)
is brought back to it: the path rides in the link's signed token, checked by
:func:`warning.web.security.safe_next` when asked for and again when used.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import secrets
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.message import build_message, message_id_for
from warning.runtime import Runtime
from warning.storage.outbox import enqueue
from warning.storage.sessions import (
    create_session,
    record_signin_link,
    signin_link_usable,
    use_signin_link,
)
from warning.storage.subscriptions import StoredSubscription, load_subscriptions
from warning.tokens import TokenError
from warning.web.auth import end_session
from warning.web.background_mail import deliver_soon
from warning.web.i18n import translate
from warning.web.keys import LIMITS, RUNTIME, SIGNER
from warning.web.security import SESSION_KEY, new_session, safe_next
from warning.web.templating import NavItem, language, render, see_other

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NAV: list[NavItem] = []
LOGIN_PURPOSE = "exporter-login"


def signin_email(rt: Runtime, email: str, url: str) -> tuple[str, bytes]:
    """Subject and MIME message of a sign-in link email (bilingual)."""
    minutes = rt.config.web.exporter_link_minutes
    subject = "TBT预警登录链接 Your TBT alerts sign-in link"
    text = (
        f"点击以下链接登录（{minutes}分钟内有效，仅可使用一次）：\n{url}\n\n"
        f"Follow this link to sign in (valid for {minutes} minutes, once):\n{url}\n\n"
        "如非本人操作，请忽略此邮件。 If you did not ask for it, ignore this email.\n"
    )
    link = html.escape(url, quote=True)
    body = (
        f"<p>点击以下链接登录（{minutes}分钟内有效，仅可使用一次）/ Follow this link to sign in "
        f'(valid for {minutes} minutes, once):</p><p><a href="{link}">{link}</a></p>'
    )
    # Each request is its own email (a fresh link), so the key carries a nonce.
    key = f"exporter-login:{email}:{rt.now().isoformat()}:{secrets.token_hex(8)}"
    message = build_message(
        sender=rt.config.delivery.sender,
        recipient=email,
        subject=subject,
        text=text,
        html=body,
        now=rt.now(),
        message_key=key,
    )
    return key, message


#: Where a contact lands after signing in when no page was asked for.
HOME = "/exporter"


def _next(value: object) -> str:
    """The page asked for, if it is a safe local path; else the contact's home page."""
    target = safe_next(value if isinstance(value, str) else None)
    return HOME if target == "/" else target


@routes.get("/exporter/login")
async def login_page(request: web.Request) -> web.Response:
    target = _next(request.query.get("next"))
    return render(request, "exporter_login.html", sent=False, email="", next=target)


@routes.post("/exporter/login")
async def send_link(request: web.Request) -> web.Response:
    """Email a sign-in link to a known contact; the page is the same whether it is known or not."""
    rt = request.app[RUNTIME]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    target = _next(form.get("next"))
    if "@" not in email or len(email) > 320:
        return render(request, "exporter_login.html", status=400, sent=False, email=email, next=target)
    # Every request counts against the exporter budget (apart from staff sign-in), so
    # nobody can flood a contact with links; past it the page looks the same but
    # nothing is sent.
    limits = request.app[LIMITS]
    ip = limits.address_of(request)
    allowed = (await limits.attempt(rt.db, "exporter", ip, email, rt.now())).allowed
    if not allowed:
        log.warning("sign-in link for %s from %s not sent: too many requests", email, ip)
    async with rt.db.begin() as conn:
        known = await load_subscriptions(conn, active_only=False, email=email) if allowed else []
        if known:
            await _queue_link(request, conn, email, known[0].exporter_id, target)
    if known:
        # Delivered in the background: the response takes as long for an unknown address.
        deliver_soon(request.app, "sign-in emails")
    return render(request, "exporter_login.html", sent=True, email=email, next=target)


async def _queue_link(
    request: web.Request, conn: AsyncConnection, email: str, exporter_id: int, target: str
) -> None:
    """Record a single-use sign-in link for ``email`` and queue the email carrying it;
    the link brings the contact to ``target`` (a path checked by :func:`_next`)."""
    rt = request.app[RUNTIME]
    expires = rt.now() + dt.timedelta(minutes=rt.config.web.exporter_link_minutes)
    nonce = secrets.token_urlsafe(16)
    await record_signin_link(conn, nonce, email, rt.now(), expires)
    data = {"e": email, "n": nonce} | ({"x": target} if target != HOME else {})
    token = request.app[SIGNER].sign(LOGIN_PURPOSE, data, expires)
    url = f"{rt.config.zone.base_url.rstrip('/')}/exporter/signin?token={quote(token)}"
    key, message = signin_email(rt, email, url)
    await enqueue(
        conn,
        idempotency_key=key,
        recipient=email,
        kind="exporter-login",
        subject="TBT sign-in link",
        message=message,
        exporter_id=exporter_id,
        now=rt.now(),
        message_id=message_id_for(key, rt.config.delivery.sender),
    )


def _link(request: web.Request, token: str) -> tuple[str, str, str]:
    """The email, nonce and page to go to of a sign-in link's token.

    Raises:
        HTTPBadRequest: forged, malformed, expired, or made before links were single-use.
    """
    rt = request.app[RUNTIME]
    try:
        data = request.app[SIGNER].verify(token, LOGIN_PURPOSE, rt.now())
    except TokenError as exc:
        key = "exporter_link_expired" if "expired" in str(exc) else "exporter_link_invalid"
        raise web.HTTPBadRequest(reason=translate(language(request), key)) from None
    email, nonce = data.get("e"), data.get("n")
    if not isinstance(email, str) or not isinstance(nonce, str):
        raise web.HTTPBadRequest(reason=translate(language(request), "exporter_link_invalid"))
    return email, nonce, _next(data.get("x"))


@routes.get("/exporter/signin")
async def signin_page(request: web.Request) -> web.Response:
    """An emailed link opened: one button to sign in; nothing is used up yet."""
    rt = request.app[RUNTIME]
    token = request.query.get("token", "")
    email, nonce, _ = _link(request, token)
    async with rt.db.begin() as conn:
        usable = await signin_link_usable(conn, nonce, email, rt.now())
    if not usable:
        raise web.HTTPBadRequest(reason=translate(language(request), "exporter_link_used"))
    return render(request, "exporter_signin.html", email=email, token=token)


@routes.post("/exporter/signin")
async def signin(request: web.Request) -> web.Response:
    """Use up an emailed link and start an exporter session (a used link starts no other)."""
    rt = request.app[RUNTIME]
    form = await request.post()
    email, nonce, target = _link(request, str(form.get("token", "")))
    lifetime = dt.timedelta(hours=rt.config.web.session_hours)
    session = new_session(rt.now(), lifetime, exporter_email=email)
    assert session.session_id is not None
    async with rt.db.begin() as conn:
        if not await use_signin_link(conn, nonce, email, rt.now()):
            raise web.HTTPBadRequest(reason=translate(language(request), "exporter_link_used"))
        await create_session(
            conn, session.session_id, now=rt.now(), expires_at=session.expires_at, exporter_email=email
        )
    request[SESSION_KEY] = session
    return see_other(target)


@routes.post("/exporter/logout")
async def logout(request: web.Request) -> web.Response:
    await end_session(request)
    return see_other("/exporter/login")


async def _own(rt: Runtime, email: str) -> list[StoredSubscription]:
    async with rt.db.begin() as conn:
        return await load_subscriptions(conn, active_only=False, email=email)


# The subscriptions page (/exporter, /exporter/subscriptions/{id}) is in
# warning/web/subscriptions_page.py (pickers and preview, issue 17).
