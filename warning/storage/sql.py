"""Small dialect-aware helpers shared by the storage modules."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_ignore(conn: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping those that collide with a unique key."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        await conn.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    else:
        await conn.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)


async def insert_returning_id(conn: AsyncConnection, table: sa.Table, values: dict[str, Any]) -> int:
    """Insert one row and return its integer primary key ``id``."""
    result = await conn.execute(sa.insert(table).values(values).returning(table.c.id))
    return int(result.scalar_one())
