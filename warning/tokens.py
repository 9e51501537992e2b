"""Signed, expiring tokens for links in emails and the web app.

A token is ``<payload>.<signature>``: the payload is URL-safe base64 of JSON
holding the purpose, the data and the expiry; the signature is an HMAC-SHA256
over it with the service secret. The secret comes from the environment
variable ``TBTWARN_SECRET``; the embedded default generates one and keeps it
in ``var/secret`` (readable by the owner only).

Rotation: links already emailed were signed with the old secret. While
``TBTWARN_SECRET_PREVIOUS`` holds it, tokens signed with it still verify
(nothing is ever signed with it), until ``TBTWARN_SECRET_PREVIOUS_UNTIL`` (an
ISO date, optional) has passed; see README, "Rotating the secret".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from warning.exceptions import TbtError

SECRET_ENV = "TBTWARN_SECRET"
#: The secret before the last rotation: verifies, never signs.
PREVIOUS_ENV = "TBTWARN_SECRET_PREVIOUS"
#: The first day the previous secret is no longer accepted (ISO date, optional).
PREVIOUS_UNTIL_ENV = "TBTWARN_SECRET_PREVIOUS_UNTIL"

log = logging.getLogger("tbtwarn.tokens")
_warned: set[str] = set()


class TokenError(TbtError, ValueError):
    """A token is forged, malformed, for another purpose, or expired."""


def load_secret(var_dir: Path) -> bytes:
    """The signing secret: ``$TBTWARN_SECRET``, else ``var_dir/secret`` (created once)."""
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode()
    path = var_dir / "secret"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _keyed(secret: bytes) -> hmac.HMAC:
    if len(secret) < 16:
        raise TokenError("the signing secret must be at least 16 bytes")
    return hmac.new(secret, digestmod=hashlib.sha256)


class Signer:
    """Signs tokens with one secret; verifies them with it, or with the
    ``previous`` secrets (a rotation's grace period, ending at ``previous_until``)."""

    def __init__(
        self, secret: bytes, previous: Sequence[bytes] = (), previous_until: dt.datetime | None = None
    ) -> None:
        self._secret = secret
        # The key schedule is done once; each signature copies it (a digest has
        # thousands of links to sign).
        self._keyed = _keyed(secret)
        self._previous = [_keyed(p) for p in previous if p != secret]
        self._previous_until = previous_until

    def _mac(self, payload: str, keyed: hmac.HMAC | None = None) -> str:
        mac = (keyed or self._keyed).copy()
        mac.update(payload.encode())
        return _b64(mac.digest())

    def _signed(self, payload: str, mac: str, now: dt.datetime) -> bool:
        if hmac.compare_digest(mac, self._mac(payload)):
            return True
        if self._previous_until is not None and now >= self._previous_until:
            return False
        return any(hmac.compare_digest(mac, self._mac(payload, keyed)) for keyed in self._previous)

    def sign(self, purpose: str, data: dict[str, Any], expires_at: dt.datetime) -> str:
        """A token for ``purpose`` carrying ``data``, valid until ``expires_at``."""
        body = {"p": purpose, "d": data, "e": int(expires_at.timestamp())}
        return self.sign_body(json.dumps(body, separators=(",", ":"), sort_keys=True))

    def sign_body(self, body: str) -> str:
        """A token for a body already serialised as :meth:`sign` does (compact
        JSON, sorted keys): for callers that sign thousands of similar tokens."""
        payload = _b64(body.encode())
        return f"{payload}.{self._mac(payload)}"

    def verify(self, token: str, purpose: str, now: dt.datetime) -> dict[str, Any]:
        """The data of a valid token.

        Raises:
            TokenError: forged, malformed, for another purpose, or expired.
        """
        payload, _, mac = token.partition(".")
        if not payload or not mac or not self._signed(payload, mac, now):
            raise TokenError("invalid token signature")
        try:
            body = json.loads(_unb64(payload))
        except (ValueError, UnicodeDecodeError):
            raise TokenError("malformed token") from None
        if not isinstance(body, dict) or body.get("p") != purpose:
            raise TokenError(f"token is not for {purpose!r}")
        if now.timestamp() >= body.get("e", 0):
            raise TokenError("token has expired")
        data = body.get("d")
        if not isinstance(data, dict):
            raise TokenError("malformed token")
        return data


def _file_secret(var_dir: Path) -> bytes | None:
    try:
        return (var_dir / "secret").read_text().strip().encode() or None
    except OSError:
        return None


def _warn_once(message: str, event: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message, extra={"event": event})


def _previous_until() -> dt.datetime | None:
    text = os.environ.get(PREVIOUS_UNTIL_ENV, "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise TokenError(f"{PREVIOUS_UNTIL_ENV} must be a date such as 2027-03-01, got {text!r}") from None
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def service_signer(var_dir: Path, now: dt.datetime) -> Signer:
    """The service's signer: :func:`load_secret`, plus ``$TBTWARN_SECRET_PREVIOUS``
    for verification until ``$TBTWARN_SECRET_PREVIOUS_UNTIL``.

    Warns (one line, once per process) when ``var_dir/secret`` exists and
    differs from ``$TBTWARN_SECRET`` without being kept as the previous
    secret: every link emailed under it has stopped working.

    Raises:
        TokenError: a secret is shorter than 16 bytes, or the date is not one.
    """
    secret = load_secret(var_dir)
    previous = os.environ.get(PREVIOUS_ENV, "").encode()
    until = _previous_until()
    if previous and until is not None and now >= until:
        _warn_once(
            f"{PREVIOUS_ENV} is no longer accepted since {until.date()} ({PREVIOUS_UNTIL_ENV}): remove both",
            "secret_previous_expired",
        )
    in_file = _file_secret(var_dir) if os.environ.get(SECRET_ENV) else None
    if in_file is not None and in_file not in (secret, previous):
        _warn_once(
            f"{SECRET_ENV} differs from the secret in {var_dir / 'secret'}: links in emails signed with "
            f"that file no longer work; set {PREVIOUS_ENV} to its content to keep them working "
            "(README: Rotating the secret)",
            "secret_mismatch",
        )
    return Signer(secret, [previous] if previous else [], until)
