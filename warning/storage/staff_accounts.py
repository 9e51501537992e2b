"""Managing staff accounts: disable, enable, change role, reset the password,
remove. Each change ends the account's sessions at once and is audited; the
last enabled admin can be neither removed, disabled nor demoted.

Sessions are ended by recording the moment (``staff_account_state``): a
session begun before it is refused on its next request.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.exceptions import TbtError
from warning.storage.schema import staff_users
from warning.storage.sessions import revoke_user_sessions
from warning.storage.staff_audit import audit
from warning.storage.staff_tables import staff_account_state
from warning.storage.users import get_user_by_email, set_password_hash
from warning.types import ROLES, Role, StaffUser


class AccountError(TbtError, ValueError):
    """An account change that cannot be made (unknown account, last admin, bad role)."""


async def _state(conn: AsyncConnection, user_id: int) -> tuple[dt.datetime | None, dt.datetime | None]:
    row = (
        await conn.execute(sa.select(staff_account_state).where(staff_account_state.c.user_id == user_id))
    ).one_or_none()
    return (row.disabled_at, row.sessions_ended_at) if row is not None else (None, None)


async def disabled_ids(conn: AsyncConnection) -> set[int]:
    query = sa.select(staff_account_state.c.user_id).where(staff_account_state.c.disabled_at.is_not(None))
    return set((await conn.execute(query)).scalars())


async def session_refused(conn: AsyncConnection, user_id: int, started_at: dt.datetime) -> bool:
    """Whether a session of ``user_id`` begun at ``started_at`` no longer counts."""
    disabled_at, ended_at = await _state(conn, user_id)
    return disabled_at is not None or (ended_at is not None and started_at < ended_at)


async def _set_state(conn: AsyncConnection, user_id: int, **values: object) -> None:
    updated = await conn.execute(
        sa.update(staff_account_state).where(staff_account_state.c.user_id == user_id).values(**values)
    )
    if updated.rowcount == 0:
        await conn.execute(sa.insert(staff_account_state).values(user_id=user_id, **values))
    if "sessions_ended_at" in values:
        # The server-side sessions go at once, in every browser and worker (issue 14);
        # the stamp above also refuses a session begun before it.
        await revoke_user_sessions(conn, user_id)


#: The languages an official's emails can be in; the first is the default.
STAFF_LANGUAGES = ("zh", "en")


async def staff_languages(conn: AsyncConnection) -> dict[str, str]:
    """Each staff account's email language, by address (``zh`` unless set)."""
    query = sa.select(staff_users.c.email, staff_account_state.c.language).select_from(
        staff_users.outerjoin(staff_account_state, staff_account_state.c.user_id == staff_users.c.id)
    )
    return {
        r.email: r.language if r.language in STAFF_LANGUAGES else STAFF_LANGUAGES[0]
        for r in await conn.execute(query)
    }


async def set_language(
    conn: AsyncConnection, email: str, language: str, by: str, now: dt.datetime
) -> StaffUser:
    """Set the language of the account's emails (no session ends: nothing of its rights changes).

    Raises:
        AccountError: no such account, or not a language emails are written in.
    """
    user = await account(conn, email)
    if language not in STAFF_LANGUAGES:
        raise AccountError(f"unknown language {language!r} (known: {', '.join(STAFF_LANGUAGES)})")
    await _set_state(conn, user.id, language=language)
    await audit(conn, user.email, "language", f"emails in {language}", by, now)
    return user


async def end_sessions(conn: AsyncConnection, user_id: int, now: dt.datetime) -> None:
    """End every session of the account begun before ``now``."""
    await _set_state(conn, user_id, sessions_ended_at=now)


async def account(conn: AsyncConnection, email: str) -> StaffUser:
    user = await get_user_by_email(conn, email)
    if user is None:
        raise AccountError(f"no staff account {email.strip().lower()!r}")
    return user


async def _other_admins(conn: AsyncConnection, user: StaffUser) -> int:
    disabled = await disabled_ids(conn)
    admins = (await conn.execute(sa.select(staff_users.c.id).where(staff_users.c.role == "admin"))).scalars()
    return len([i for i in admins if i != user.id and i not in disabled])


async def _keep_an_admin(conn: AsyncConnection, user: StaffUser, what: str) -> None:
    if user.role == "admin" and await _other_admins(conn, user) == 0:
        raise AccountError(f"{user.email} is the last admin: cannot {what} it (make another admin first)")


async def disable(conn: AsyncConnection, email: str, by: str, now: dt.datetime) -> StaffUser:
    user = await account(conn, email)
    await _keep_an_admin(conn, user, "disable")
    await _set_state(conn, user.id, disabled_at=now, sessions_ended_at=now)
    await audit(conn, user.email, "disable", "account disabled, sessions ended", by, now)
    return user


async def enable(conn: AsyncConnection, email: str, by: str, now: dt.datetime) -> StaffUser:
    user = await account(conn, email)
    await _set_state(conn, user.id, disabled_at=None, sessions_ended_at=now)
    await audit(conn, user.email, "enable", "account enabled", by, now)
    return user


async def set_role(conn: AsyncConnection, email: str, role: str, by: str, now: dt.datetime) -> StaffUser:
    user = await account(conn, email)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    if role != "admin":
        await _keep_an_admin(conn, user, "demote")
    await conn.execute(sa.update(staff_users).where(staff_users.c.id == user.id).values(role=role))
    await end_sessions(conn, user.id, now)
    await audit(conn, user.email, "role", f"{user.role} -> {role}, sessions ended", by, now)
    new_role: Role = role
    return StaffUser(user.id, user.email, new_role, user.created_at, user.last_login_at)


async def reset_password(
    conn: AsyncConnection, email: str, password_hash: str, by: str, now: dt.datetime
) -> None:
    user = await account(conn, email)
    await set_password_hash(conn, user.id, password_hash)
    await end_sessions(conn, user.id, now)
    await audit(conn, user.email, "reset-password", "password reset, sessions ended", by, now)


async def remove(conn: AsyncConnection, email: str, by: str, now: dt.datetime) -> None:
    user = await account(conn, email)
    await _keep_an_admin(conn, user, "remove")
    await conn.execute(sa.delete(staff_account_state).where(staff_account_state.c.user_id == user.id))
    await conn.execute(sa.delete(staff_users).where(staff_users.c.id == user.id))
    await audit(conn, user.email, "remove", f"account removed (was {user.role})", by, now)
