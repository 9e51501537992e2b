"""Job leases in the database: which ``tbtwarn run`` instance runs what.

Every statement is one atomic UPDATE, INSERT or DELETE, so two instances
racing for a lease never both get it: on PostgreSQL the UPDATE locks the row
and re-checks its condition after a concurrent holder commits; SQLite has one
writer at a time. Expiry is read off the database server's clock
(:func:`db_epoch`), never an instance's, so clock skew between machines does
not hand a lease to two holders. A lease whose holder ran on this host in a
process that no longer exists (killed, crashed) is taken over at once.
"""

from __future__ import annotations

import os
import socket
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


def process_gone(host: str, pid: int) -> bool:
    """True only when ``pid`` ran on this host and no such process exists now."""
    if host != socket.gethostname() or pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


async def try_acquire(conn: AsyncConnection, name: str, holder: str, seconds: float) -> bool:
    """Take ``name`` for ``seconds`` if it is free, lapsed, ours, or its holder's
    process on this host is gone; True when held."""
    now = await database_time(conn)
    mine = {"holder": holder, "host": socket.gethostname(), "pid": os.getpid(), "expires_at": now + seconds}
    taken = await conn.execute(
        sa.update(job_leases)
        .where(
            job_leases.c.name == name,
            sa.or_(job_leases.c.holder == holder, job_leases.c.expires_at < now),
        )
        .values(
            acquired_at=sa.case((job_leases.c.holder == holder, job_leases.c.acquired_at), else_=now),
            **mine,
        )
    )
    if taken.rowcount:
        return True
    query = sa.select(job_leases.c.holder, job_leases.c.host, job_leases.c.pid).where(
        job_leases.c.name == name
    )
    current = (await conn.execute(query)).one_or_none()
    if current is not None:
        if not process_gone(current.host, current.pid):
            return False  # in force and another's, or the UPDATE would have taken it
        dead = await conn.execute(
            sa.update(job_leases)
            .where(
                job_leases.c.name == name,
                job_leases.c.holder == current.holder,
                job_leases.c.pid == current.pid,
            )
            .values(acquired_at=now, **mine)
        )
        return bool(dead.rowcount)
    await insert_ignore(conn, job_leases, [{"name": name, "acquired_at": now, **mine}])
    return str((await conn.execute(query)).one().holder) == holder


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


async def clear_leases(conn: AsyncConnection) -> int:
    """Forget every lease: for a single-instance database (SQLite) at start,
    where any lease left is a dead process's. Returns how many there were."""
    return int((await conn.execute(sa.delete(job_leases))).rowcount or 0)


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
