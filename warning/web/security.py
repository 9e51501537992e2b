"""Security of the web app: sessions, CSRF, roles, headers, sign-in limits, passwords.

Sessions live in a signed cookie (HMAC-SHA256 with the service secret, see
:mod:`warning.tokens`): it holds the user id, the CSRF token and its expiry,
nothing secret. Every POST must carry the session's CSRF token
(``csrf_token`` form field or ``X-CSRF-Token`` header).
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import secrets
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import quote

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


def new_session(
    now: dt.datetime,
    lifetime: dt.timedelta,
    user_id: int | None = None,
    *,
    exporter_email: str | None = None,
) -> Session:
    """A fresh session with a new CSRF token (used at sign-in, so no token outlives it).

    A session is staff (``user_id``) or exporter (``exporter_email``), never both.
    """
    if user_id is not None and exporter_email is not None:
        raise ValueError("a session is either a staff user's or an exporter contact's")
    return Session(user_id, secrets.token_urlsafe(32), now + lifetime, True, exporter_email)


def encode_session(signer: Signer, session: Session) -> str:
    data = {"u": session.user_id, "c": session.csrf, "x": int(session.expires_at.timestamp())}
    if session.exporter_email is not None:
        data["e"] = session.exporter_email
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
    exporter_email = data.get("e")
    if not isinstance(csrf, str) or not isinstance(expires, int):
        return None
    if not (user_id is None or isinstance(user_id, int)):
        return None
    if not (exporter_email is None or (isinstance(exporter_email, str) and user_id is None)):
        return None
    return Session(user_id, csrf, dt.datetime.fromtimestamp(expires, dt.UTC), False, exporter_email)


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf, str(submitted))


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (``//evil``, ``http:``) gives ``/``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_url(request: web.Request) -> str:
    return "/login?next=" + quote(request.path_qs, safe="")


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

    Anyone else (anonymous or staff) is sent to ``/exporter/login``: staff
    sessions never carry an exporter identity. Marked ``exporter_only`` for tests.
    """

    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        if current_exporter(request) is None:
            raise web.HTTPSeeOther("/exporter/login")
        return await handler(request)

    guarded.exporter_only = True  # type: ignore[attr-defined]
    return guarded


@dataclass
class LoginLimiter:
    """Counts failed sign-ins per account and per client address in a sliding window.

    Times come from the caller (the runtime's clock), so tests move a
    FixedClock instead of waiting.
    """

    window: dt.timedelta
    per_account: int
    per_ip: int
    _failures: dict[str, deque[dt.datetime]] = field(default_factory=dict)

    def _recent(self, key: str, now: dt.datetime) -> deque[dt.datetime]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, ip: str, email: str, now: dt.datetime) -> bool:
        """Whether a sign-in from ``ip`` for ``email`` must be refused now."""
        return (
            len(self._recent("ip:" + ip, now)) >= self.per_ip
            or len(self._recent("account:" + email.lower(), now)) >= self.per_account
        )

    def failed(self, ip: str, email: str, now: dt.datetime) -> None:
        if len(self._failures) > 100_000:  # bound memory under a flood of made-up names
            for key in list(self._failures):
                self._recent(key, now)
        for key in ("ip:" + ip, "account:" + email.lower()):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, email: str) -> None:
        self._failures.pop("account:" + email.lower(), None)


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
