"""API tokens: issued by an admin, shown once, stored as a SHA-256, named,
expiring, read-only; revoked or expired ones authenticate nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.sql import insert_returning_id
from warning.storage.staff_audit import audit
from warning.storage.staff_tables import api_tokens

#: Every token starts with it, so a leaked one is easy to recognise in logs and code.
PREFIX = "tbtw_"
SCOPES = ("read",)
MAX_DAYS = 366


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    scope: str
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None

    def usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(row: Any) -> ApiToken:
    return ApiToken(
        row.id, row.name, row.scope, row.created_by, row.created_at, row.expires_at, row.revoked_at
    )


async def issue_token(
    conn: AsyncConnection, name: str, days: int, by: str, now: dt.datetime
) -> tuple[str, ApiToken]:
    """A new read-only token valid ``days``; returns the token (shown once) and its record.

    Raises:
        ValueError: no name, a name over 100 characters, or days outside 1..366.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("name the token (1 to 100 characters), e.g. the program that uses it")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token is valid 1 to {MAX_DAYS} days")
    token = PREFIX + secrets.token_urlsafe(32)
    values = {
        "name": name,
        "token_hash": _hash(token),
        "scope": "read",
        "created_by": by,
        "created_at": now,
        "expires_at": now + dt.timedelta(days=days),
    }
    token_id = await insert_returning_id(conn, api_tokens, values)
    await audit(conn, f"token:{name}", "token-issue", f"id {token_id}, read-only, {days} days", by, now)
    return token, ApiToken(token_id, name, "read", by, now, values["expires_at"], None)  # type: ignore[arg-type]


async def list_tokens(conn: AsyncConnection) -> list[ApiToken]:
    """Every token, newest first (hashes never leave storage)."""
    query = sa.select(api_tokens).order_by(api_tokens.c.id.desc())
    return [_token(r) for r in await conn.execute(query)]


async def revoke_token(conn: AsyncConnection, token_id: int, by: str, now: dt.datetime) -> ApiToken:
    """Revoke a token at once (revoking twice keeps the first time).

    Raises:
        LookupError: no such token.
    """
    row = (await conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id))).one_or_none()
    if row is None:
        raise LookupError(f"no API token {token_id}")
    if row.revoked_at is None:
        await conn.execute(
            sa.update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now, revoked_by=by)
        )
        await audit(conn, f"token:{row.name}", "token-revoke", f"id {token_id}", by, now)
    found = (await conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id))).one()
    return _token(found)


async def token_for(conn: AsyncConnection, token: str, now: dt.datetime) -> ApiToken | None:
    """The usable token ``token`` is, or None (unknown, revoked or expired)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = (
        await conn.execute(sa.select(api_tokens).where(api_tokens.c.token_hash == _hash(token)))
    ).one_or_none()
    if row is None:
        return None
    found = _token(row)
    return found if found.usable(now) else None
