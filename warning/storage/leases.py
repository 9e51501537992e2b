"""Job leases in the database: which ``tbtwarn run`` instance runs what.

Every statement is one atomic UPDATE, INSERT or DELETE, so two instances
racing for a lease never both get it: on PostgreSQL the UPDATE locks the row
and re-checks its condition after a concurrent holder commits; SQLite has one
writer at a time. Expiry is read off the database server's clock
(:func:`db_epoch`), never an instance's, so clock skew between machines does
not hand a lease to two holders.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.lease_tables import job_leases
from warning.storage.sql import insert_ignore


@dataclass(frozen=True)
class Lease:
    """A lease as stored; ``expires_in`` is seconds left by the database clock."""

    name: str
    holder: str
    acquired_at: float
    expires_at: float
    expires_in: float


def db_epoch(conn: AsyncConnection) -> sa.ColumnElement[float]:
    """The database server's current time in epoch seconds (not the transaction's start)."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.extract("epoch", sa.func.clock_timestamp()), sa.Float)
    # julianday('now') has millisecond resolution on every SQLite version.
    return (sa.func.julianday("now") - 2440587.5) * 86400.0


async def database_time(conn: AsyncConnection) -> float:
    """:func:`db_epoch` read once."""
    return float((await conn.execute(sa.select(db_epoch(conn)))).scalar_one())


async def try_acquire(conn: AsyncConnection, name: str, holder: str, seconds: float) -> bool:
    """Take ``name`` for ``seconds`` if it is free, lapsed or already ours; True when held."""
    now = await database_time(conn)
    taken = await conn.execute(
        sa.update(job_leases)
        .where(
            job_leases.c.name == name,
            sa.or_(job_leases.c.holder == holder, job_leases.c.expires_at < now),
        )
        .values(
            holder=holder,
            acquired_at=sa.case((job_leases.c.holder == holder, job_leases.c.acquired_at), else_=now),
            expires_at=now + seconds,
        )
    )
    if taken.rowcount:
        return True
    held_by = sa.select(job_leases.c.holder).where(job_leases.c.name == name)
    if (await conn.execute(held_by)).scalar_one_or_none() is not None:
        return False  # in force and another's, or the UPDATE would have taken it
    await insert_ignore(
        conn, job_leases, [{"name": name, "holder": holder, "acquired_at": now, "expires_at": now + seconds}]
    )
    return (await conn.execute(held_by)).scalar_one_or_none() == holder


async def renew(conn: AsyncConnection, names: list[str], holder: str, seconds: float) -> list[str]:
    """Extend the leases of ``names`` that ``holder`` still holds; returns those it lost."""
    if not names:
        return []
    now = await database_time(conn)
    await conn.execute(
        sa.update(job_leases)
        .where(job_leases.c.name.in_(names), job_leases.c.holder == holder)
        .values(expires_at=now + seconds)
    )
    rows = await conn.execute(
        sa.select(job_leases.c.name).where(job_leases.c.name.in_(names), job_leases.c.holder == holder)
    )
    kept = {r.name for r in rows}
    return [n for n in names if n not in kept]


async def release(conn: AsyncConnection, names: list[str], holder: str) -> None:
    """Give up ``names`` (only where ``holder`` still holds them)."""
    if names:
        await conn.execute(
            sa.delete(job_leases).where(job_leases.c.name.in_(names), job_leases.c.holder == holder)
        )


async def holder_of(conn: AsyncConnection, name: str) -> str | None:
    """Who holds ``name`` now (a lapsed lease has no holder)."""
    now = await database_time(conn)
    row = await conn.execute(
        sa.select(job_leases.c.holder).where(job_leases.c.name == name, job_leases.c.expires_at >= now)
    )
    return row.scalar_one_or_none()


async def list_leases(conn: AsyncConnection) -> list[Lease]:
    """Every lease still in force, by name."""
    now = await database_time(conn)
    rows = await conn.execute(
        sa.select(job_leases).where(job_leases.c.expires_at >= now).order_by(job_leases.c.name)
    )
    return [Lease(r.name, r.holder, r.acquired_at, r.expires_at, r.expires_at - now) for r in rows]
