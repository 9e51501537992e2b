"""Server-side web sessions and single-use sign-in links (tables in ``session_tables``).

A signed-in browser's cookie carries a random session id; the row keyed by its
SHA-256 is the session. Deleting the row ends the session at once, in every
worker: sign-out deletes its own, and account management calls
:func:`revoke_user_sessions` when it removes or disables an account or changes
its password or role. As a second line, a staff session also records a digest
of the account's role and password hash at sign-in (``user_stamp``) and
:func:`session_user` refuses it once they differ, so a role or password
changed by any path (another command, plain SQL) ends the account's sessions
too; removing the account deletes them (foreign key ``ON DELETE CASCADE``).

An exporter contact's emailed sign-in link carries a nonce recorded by
:func:`record_signin_link`; :func:`use_signin_link` marks it used in one
conditional UPDATE, so of two clients racing with the same link only one wins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import staff_users
from warning.storage.session_tables import signin_links, web_sessions
from warning.types import Role, StaffUser


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_stamp(role: str, password_hash: str) -> str:
    """What a staff session remembers of its account: changes with the role or password."""
    return _digest(f"{role}\0{password_hash}")


async def create_session(
    conn: AsyncConnection,
    session_id: str,
    *,
    now: dt.datetime,
    expires_at: dt.datetime,
    user_id: int | None = None,
    exporter_email: str | None = None,
) -> None:
    """Record a new session: a staff account's (``user_id``) or an exporter contact's.

    Expired sessions are deleted on the way (the index on ``expires_at`` makes it cheap).

    Raises:
        ValueError: neither or both of ``user_id`` and ``exporter_email`` given, or
            ``user_id`` names no account.
    """
    if (user_id is None) == (exporter_email is None):
        raise ValueError("a session is either a staff user's or an exporter contact's")
    stamp = None
    if user_id is not None:
        query = sa.select(staff_users.c.role, staff_users.c.password_hash).where(staff_users.c.id == user_id)
        row = (await conn.execute(query)).one_or_none()
        if row is None:
            raise ValueError(f"no staff account with id {user_id}")
        stamp = user_stamp(row.role, row.password_hash)
    await conn.execute(sa.delete(web_sessions).where(web_sessions.c.expires_at <= now))
    await conn.execute(
        sa.insert(web_sessions).values(
            token_hash=_digest(session_id),
            user_id=user_id,
            exporter_email=exporter_email,
            user_stamp=stamp,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def session_user(conn: AsyncConnection, session_id: str, now: dt.datetime) -> StaffUser | None:
    """The staff account of a live session; None when the session was ended, has
    expired, is an exporter's, or its account was removed or changed role or password."""
    query = (
        sa.select(staff_users, web_sessions.c.user_stamp)
        .join(web_sessions, web_sessions.c.user_id == staff_users.c.id)
        .where(web_sessions.c.token_hash == _digest(session_id), web_sessions.c.expires_at > now)
    )
    row = (await conn.execute(query)).one_or_none()
    if row is None or row.user_stamp != user_stamp(row.role, row.password_hash):
        return None
    return StaffUser(row.id, row.email, cast(Role, row.role), row.created_at, row.last_login_at)


async def session_exporter(conn: AsyncConnection, session_id: str, now: dt.datetime) -> str | None:
    """The exporter contact's email of a live exporter session, else None."""
    query = sa.select(web_sessions.c.exporter_email).where(
        web_sessions.c.token_hash == _digest(session_id),
        web_sessions.c.expires_at > now,
        web_sessions.c.user_id.is_(None),
    )
    email = (await conn.execute(query)).scalar_one_or_none()
    return str(email) if email is not None else None


async def revoke_session(conn: AsyncConnection, session_id: str) -> None:
    """End one session (sign-out)."""
    await conn.execute(sa.delete(web_sessions).where(web_sessions.c.token_hash == _digest(session_id)))


async def revoke_user_sessions(conn: AsyncConnection, user_id: int) -> int:
    """End every session of a staff account at once; returns how many were ended.

    Call it in the same transaction that removes or disables the account, or
    changes its password or role: the account's next request in any browser
    and any worker is anonymous. (A role or password change is also caught by
    the stamp check in :func:`session_user`; disabling is not, so it must call this.)
    """
    result = await conn.execute(sa.delete(web_sessions).where(web_sessions.c.user_id == user_id))
    return result.rowcount or 0


async def revoke_exporter_sessions(conn: AsyncConnection, email: str) -> int:
    """End every session of an exporter contact (e.g. when removed from the register)."""
    query = sa.delete(web_sessions).where(web_sessions.c.exporter_email == email.strip().lower())
    return (await conn.execute(query)).rowcount or 0


async def record_signin_link(
    conn: AsyncConnection, nonce: str, email: str, now: dt.datetime, expires_at: dt.datetime
) -> None:
    """Remember an emailed sign-in link (by its nonce) so it can be used once.

    Links that expired are deleted on the way.
    """
    await conn.execute(sa.delete(signin_links).where(signin_links.c.expires_at <= now))
    values = {"nonce_hash": _digest(nonce), "email": email, "created_at": now, "expires_at": expires_at}
    await conn.execute(sa.insert(signin_links).values(**values))


async def signin_link_usable(conn: AsyncConnection, nonce: str, email: str, now: dt.datetime) -> bool:
    """Whether a link is known, unused and unexpired (checks only; see :func:`use_signin_link`)."""
    query = sa.select(signin_links.c.nonce_hash).where(*_usable(nonce, email, now))
    return (await conn.execute(query)).first() is not None


def _usable(nonce: str, email: str, now: dt.datetime) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        signin_links.c.nonce_hash == _digest(nonce),
        signin_links.c.email == email,
        signin_links.c.used_at.is_(None),
        signin_links.c.expires_at > now,
    )


async def use_signin_link(conn: AsyncConnection, nonce: str, email: str, now: dt.datetime) -> bool:
    """Mark a link used; False when it was already used, expired or never issued.

    One conditional UPDATE: of two requests with the same link, only one gets True.
    """
    query = sa.update(signin_links).where(*_usable(nonce, email, now)).values(used_at=now)
    return ((await conn.execute(query)).rowcount or 0) == 1
