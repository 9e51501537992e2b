"""Signed, expiring tokens for links in emails and the web app.

A token is ``<payload>.<signature>``: the payload is URL-safe base64 of JSON
holding the purpose, the data and the expiry; the signature is an HMAC-SHA256
over it with the service secret. The secret comes from the environment
variable ``TBTWARN_SECRET``; the embedded default generates one and keeps it
in ``var/secret`` (readable by the owner only).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from warning.exceptions import TbtError

SECRET_ENV = "TBTWARN_SECRET"


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


class Signer:
    """Signs and verifies tokens with one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise TokenError("the signing secret must be at least 16 bytes")
        self._secret = secret
        # The key schedule is done once; each signature copies it (a digest has
        # thousands of links to sign).
        self._keyed = hmac.new(secret, digestmod=hashlib.sha256)

    def _mac(self, payload: str) -> str:
        mac = self._keyed.copy()
        mac.update(payload.encode())
        return _b64(mac.digest())

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
        if not payload or not mac or not hmac.compare_digest(mac, self._mac(payload)):
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
