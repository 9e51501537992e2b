"""Security of the web app: sessions, CSRF, roles, headers, redirects, passwords.

The session cookie is signed (HMAC-SHA256 with the service secret, see
:mod:`warning.tokens`): it holds the CSRF token, its expiry and, once signed
in, the user id (or exporter email) and a random session id naming a row of
``web_sessions`` (:mod:`warning.storage.sessions`). A signed-in cookie is
honoured only while that row exists, so signing out, or removing an account,
ends the session everywhere at once. Every POST must carry the session's CSRF
token (``csrf_token`` form field or ``X-CSRF-Token`` header). The sign-in
limits are in :mod:`warning.web.limits`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from warning.tokens import Signer, TokenError
from warning.types import Role, StaffUser

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE: Final = "tbtwarn_session"
SESSION_PURPOSE: Final = "web-session"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
#: Roles that make "any member of staff" (admin holds every role).
STAFF: Final[tuple[Role, ...]] = ("official", "analyst")

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # Feed links carry a token in the URL: never leak it in a Referer.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass
class Session:
    """The signed-cookie session of one browser."""

    user_id: int | None
    csrf: str
    expires_at: dt.datetime
    #: Whether the cookie must be (re)written with this response.
    changed: bool = False
    #: The exporter contact signed in by an emailed link; never set together with ``user_id``.
    exporter_email: str | None = None
    #: The random id of a signed-in session's server-side row (None: anonymous).
    session_id: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.session_id is not None


def new_session(
    now: dt.datetime,
    lifetime: dt.timedelta,
    user_id: int | None = None,
    *,
    exporter_email: str | None = None,
) -> Session:
    """A fresh session with a new CSRF token (used at sign-in, so no token outlives it).

    A session is staff (``user_id``), exporter (``exporter_email``) or anonymous, never
    both; a signed-in one gets a new random ``session_id``, which the caller records with
    :func:`warning.storage.sessions.create_session` before the cookie is sent.
    """
    if user_id is not None and exporter_email is not None:
        raise ValueError("a session is either a staff user's or an exporter contact's")
    signed_in = user_id is not None or exporter_email is not None
    session_id = secrets.token_urlsafe(32) if signed_in else None
    return Session(user_id, secrets.token_urlsafe(32), now + lifetime, True, exporter_email, session_id)


def encode_session(signer: Signer, session: Session) -> str:
    data = {"u": session.user_id, "c": session.csrf, "x": int(session.expires_at.timestamp())}
    if session.exporter_email is not None:
        data["e"] = session.exporter_email
    if session.session_id is not None:
        data["s"] = session.session_id
    return signer.sign(SESSION_PURPOSE, data, session.expires_at)


def decode_session(signer: Signer, cookie: str | None, now: dt.datetime) -> Session | None:
    """The session a cookie holds; None when absent, forged or expired."""
    if not cookie:
        return None
    try:
        data = signer.verify(cookie, SESSION_PURPOSE, now)
    except TokenError:
        return None
    user_id, csrf, expires = data.get("u"), data.get("c"), data.get("x")
    exporter_email, session_id = data.get("e"), data.get("s")
    if not isinstance(csrf, str) or not isinstance(expires, int):
        return None
    if not (user_id is None or isinstance(user_id, int)):
        return None
    if not (exporter_email is None or (isinstance(exporter_email, str) and user_id is None)):
        return None
    signed_in = user_id is not None or exporter_email is not None
    # A signed-in cookie without a server-side session (made before sessions were
    # stored) is not honoured: sign in again.
    if signed_in != isinstance(session_id, str):
        return None
    expiry = dt.datetime.fromtimestamp(expires, dt.UTC)
    return Session(user_id, csrf, expiry, False, exporter_email, session_id if signed_in else None)


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf, str(submitted))


def _plain(text: str) -> bool:
    """No whitespace, no control or invisible format character, no backslash."""
    return "\\" not in text and not any(c.isspace() or unicodedata.category(c)[0] == "C" for c in text)


def _local_path(path: str) -> bool:
    return path.startswith("/") and path[1:2] not in ("/", "\\") and _plain(path)


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else gives ``/``.

    Only a plain relative path passes: one leading ``/`` not followed by ``/`` or
    ``\\``, no whitespace or control character anywhere (browsers drop tabs and
    newlines from URLs, so ``/<TAB>/evil.example`` would leave the site, and a CR/LF
    would break the ``Location`` header). The path is checked again after each
    round of percent-decoding (``/%2F/evil.example``, ``/%09/...``).
    """
    if not target or len(target) > 2000 or not _plain(target):
        return "/"
    path = target.split("?", 1)[0].split("#", 1)[0]
    for _ in range(4):  # each round decodes one layer; deeper nesting is refused
        if not _local_path(path):
            return "/"
        try:
            decoded = unquote(path, errors="strict")
        except UnicodeDecodeError:  # percent-encoded bytes that are not UTF-8
            return "/"
        if decoded == path:
            return target
        path = decoded
    return "/"


def login_url(request: web.Request) -> str:
    return "/login?next=" + quote(request.path_qs, safe="")


def exporter_login_url(request: web.Request) -> str:
    """The exporter sign-in page, asked to come back to this page afterwards (a GET's
    path: a form posted without a session is not replayed)."""
    if request.method not in ("GET", "HEAD"):
        return "/exporter/login"
    return "/exporter/login?next=" + quote(request.path_qs, safe="")


USER_KEY: Final = web.RequestKey[StaffUser | None]("tbtwarn.user")
SESSION_KEY: Final = web.RequestKey[Session]("tbtwarn.session")
LANG_KEY: Final = web.RequestKey[str]("tbtwarn.lang")


def current_user(request: web.Request) -> StaffUser | None:
    return request.get(USER_KEY)


def require_role(*roles: Role) -> Callable[[Handler], Handler]:
    """Decorate a handler so only staff holding one of ``roles`` (or admin) reach it.

    An anonymous visitor is sent to ``/login`` (an API call gets 401); a
    signed-in user without the role gets 403. The roles are kept on the
    handler as ``required_roles`` so tests can list every guarded route.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            user = current_user(request)
            if user is None:
                if request.path.startswith("/api/"):
                    raise web.HTTPUnauthorized(reason="sign in first")
                raise web.HTTPSeeOther(login_url(request))
            if not user.may(*roles):
                raise web.HTTPForbidden(reason=f"needs role {' or '.join(roles)}")
            return await handler(request)

        guarded.required_roles = roles  # type: ignore[attr-defined]
        return guarded

    return decorate


def current_exporter(request: web.Request) -> str | None:
    """The email of the exporter contact signed in on this request, if any."""
    session = request.get(SESSION_KEY)
    return session.exporter_email if session is not None else None


def require_exporter(handler: Handler) -> Handler:
    """Decorate a handler so only a signed-in exporter contact reaches it.

    Anyone else (anonymous or staff) is sent to ``/exporter/login``, which brings
    them back here once signed in (``next=``): staff sessions never carry an
    exporter identity. Marked ``exporter_only`` for tests.
    """

    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        if current_exporter(request) is None:
            raise web.HTTPSeeOther(exporter_login_url(request))
        return await handler(request)

    guarded.exporter_only = True  # type: ignore[attr-defined]
    return guarded


_HASHER = PasswordHasher()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (CPU and memory heavy: call off the event loop).

    Raises:
        ValueError: the password is shorter than 8 characters.
    """
    if len(password) < 8:
        raise ValueError("the password must be at least 8 characters")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a None hash burns the same time and fails."""
    try:
        ok = _HASHER.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None
