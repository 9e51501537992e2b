"""Staff accounts of the web app."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import staff_users
from warning.storage.sql import insert_returning_id
from warning.types import ROLES, Role, StaffUser


class UserExistsError(ValueError):
    """An account with this email already exists."""


class InvalidEmailError(ValueError):
    """Not an email address a staff account can have."""


# As the export register's importer checks contacts: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def check_email(email: str) -> str:
    """The address, trimmed and lower-cased.

    Raises:
        InvalidEmailError: not of the form name@domain.tld, over 254 characters, or
            holding control characters.
    """
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email) or not email.isprintable():
        raise InvalidEmailError(f"{email[:80]!r} is not an email address (name@domain.example)")
    return email


def _user(row: sa.Row[Any]) -> StaffUser:
    return StaffUser(row.id, row.email, cast(Role, row.role), row.created_at, row.last_login_at)


async def add_user(
    conn: AsyncConnection, email: str, password_hash: str, role: Role, now: dt.datetime
) -> StaffUser:
    """Create a staff account.

    Raises:
        UserExistsError: the email is taken.
        InvalidEmailError: the email is not an address.
        ValueError: the role is unknown.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    email = check_email(email)
    if await get_user_by_email(conn, email) is not None:
        raise UserExistsError(f"a staff account for {email} already exists")
    values = {"email": email, "password_hash": password_hash, "role": role, "created_at": now}
    user_id = await insert_returning_id(conn, staff_users, values)
    return StaffUser(user_id, email, role, now)


async def get_user(conn: AsyncConnection, user_id: int) -> StaffUser | None:
    row = (await conn.execute(sa.select(staff_users).where(staff_users.c.id == user_id))).one_or_none()
    return _user(row) if row is not None else None


async def get_user_by_email(conn: AsyncConnection, email: str) -> StaffUser | None:
    query = sa.select(staff_users).where(staff_users.c.email == email.strip().lower())
    row = (await conn.execute(query)).one_or_none()
    return _user(row) if row is not None else None


async def password_hash_of(conn: AsyncConnection, user_id: int) -> str:
    query = sa.select(staff_users.c.password_hash).where(staff_users.c.id == user_id)
    return str((await conn.execute(query)).scalar_one())


async def set_password_hash(conn: AsyncConnection, user_id: int, password_hash: str) -> None:
    query = sa.update(staff_users).where(staff_users.c.id == user_id)
    await conn.execute(query.values(password_hash=password_hash))


async def record_login(conn: AsyncConnection, user_id: int, now: dt.datetime) -> None:
    await conn.execute(sa.update(staff_users).where(staff_users.c.id == user_id).values(last_login_at=now))


async def list_users(conn: AsyncConnection) -> list[StaffUser]:
    """Every staff account, by email."""
    return [_user(r) for r in await conn.execute(sa.select(staff_users).order_by(staff_users.c.email))]
