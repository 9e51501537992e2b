"""Where the daemon under test keeps its data: the SQLite file in its
folder or, when ``TBTWARN_TEST_PG_URL`` names a PostgreSQL server (as for
the storage tests, see ``tests/conftest.py``), a database created for one
test and dropped after it.

The suite reads the daemon's tables with plain SQL; :class:`PgConnection`
gives one asyncpg connection the part of ``sqlite3``'s interface the suite
uses, so the same checks run on both.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa

#: The PostgreSQL server of the storage tests' variants (``tests/conftest.py``).
PG_URL = os.environ.get("TBTWARN_TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
SQLITE_URL = "sqlite+aiosqlite:///var/tbtwarn.db"
#: What reading the daemon's tables raises before it has created them.
NOT_READY = (sqlite3.OperationalError, asyncpg.PostgresError)


class Rows(list[tuple[Any, ...]]):
    """Query results, read as from a sqlite3 cursor."""

    def fetchone(self) -> tuple[Any, ...] | None:
        return self[0] if self else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self)


class PgConnection:
    """One asyncpg connection driven from synchronous test code (its event
    loop runs in a thread of its own); each statement commits by itself."""

    def __init__(self, url: str) -> None:
        dsn = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="pg-reader", daemon=True)
        self.thread.start()
        self.conn: asyncpg.Connection = self._run(asyncpg.connect(dsn))

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def execute(self, sql: str) -> Rows:
        return Rows(tuple(r) for r in self._run(self.conn.fetch(sql)))

    def close(self) -> None:
        self._run(self.conn.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


#: The PostgreSQL database of each daemon folder that has one, and the open reader.
_POSTGRES: dict[Path, tuple[str, PgConnection | None]] = {}


def database_url(folder: Path) -> str:
    """The ``database_url`` for a daemon in ``folder``."""
    found = _POSTGRES.get(folder.resolve())
    return found[0] if found else SQLITE_URL


def is_sqlite(folder: Path) -> bool:
    return folder.resolve() not in _POSTGRES


def connect(folder: Path) -> sqlite3.Connection | PgConnection:
    """A connection to the daemon's database (for PostgreSQL, one kept for the test)."""
    key = folder.resolve()
    if key not in _POSTGRES:
        return sqlite3.connect(folder / "var" / "tbtwarn.db", timeout=30)
    url, conn = _POSTGRES[key]
    if conn is None:
        conn = PgConnection(url)
        _POSTGRES[key] = (url, conn)
    return conn


async def _admin(*statements: str) -> None:
    """Run the first of ``statements`` that the server accepts."""
    dsn = sa.engine.make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        for n, sql in enumerate(statements, start=1):
            try:
                await conn.execute(sql)
                return
            except asyncpg.InsufficientPrivilegeError:
                if n == len(statements):
                    raise
    finally:
        await conn.close()


@contextmanager
def backend(name: str, folder: Path) -> Iterator[None]:
    """Keep the data of a daemon in ``folder`` on ``name`` (``sqlite`` or
    ``postgresql``: a fresh database, dropped afterwards)."""
    if name == "sqlite":
        yield
        return
    database = f"tbtwarn_r_{uuid.uuid4().hex[:16]}"
    asyncio.run(_admin(f'CREATE DATABASE "{database}"'))
    key = folder.resolve()
    _POSTGRES[key] = (
        sa.engine.make_url(PG_URL).set(database=database).render_as_string(hide_password=False),
        None,
    )
    try:
        yield
    finally:
        _, conn = _POSTGRES.pop(key)
        if conn is not None:
            conn.close()
        # FORCE ends what a failed test left connected, but may not end an
        # autovacuum worker (not our role): a plain DROP makes that one stop.
        drop = f'DROP DATABASE IF EXISTS "{database}"'
        asyncio.run(_admin(f"{drop} WITH (FORCE)", drop))
