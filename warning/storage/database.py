"""Opening the database and applying migrations."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for another database or ``:memory:``."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(str(parsed.database))
    return None


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web app read while a collection writes; the busy timeout
    # waits out another process's lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # In WAL mode NORMAL syncs at checkpoints rather than at every commit: a
    # crash of the process loses nothing, a power cut may lose the last
    # commits but never corrupts, and every step redoes from what is stored
    # (the outbox transport is idempotent), so no email is lost or doubled.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def json_dumps(value: Any) -> str:
    """JSON text of a column value, by orjson (several times faster than the
    standard library; non-ASCII text is kept as UTF-8 rather than escaped).

    What orjson refuses (an integer wider than 64 bits, a ``float`` subclass
    it does not know...) falls back to the standard library, so every value
    stored before is still stored, with the same meaning.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value)


def json_loads(text: str | bytes) -> Any:
    """A JSON column's value: orjson, or the standard library for what orjson
    rejects that it accepts (``NaN``, integers wider than 64 bits)."""
    try:
        return orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError
        return json.loads(text)


def alembic_config() -> AlembicConfig:
    """Alembic configured for the migrations shipped in the package."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("warning") / "migrations"))
    return cfg


#: The PostgreSQL advisory lock taken while migrating ("tbtwarn" in ASCII).
MIGRATION_LOCK = 0x746274776172


class Database:
    """The service's database: an async engine plus its migrations."""

    def __init__(self, url: str) -> None:
        self.url = url
        path = sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(
            url, json_serializer=json_dumps, json_deserializer=json_loads
        )
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _on_sqlite_connect)

    async def migrate(self) -> None:
        """Apply every pending migration (idempotent).

        Migrations may branch from a common parent (work done in parallel);
        upgrading to ``heads`` applies every branch.
        """

        def upgrade(connection: sa.Connection) -> None:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "heads")

        async with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Instances starting together on one database migrate one at a
                # time; the next sees the first's work (held to the commit).
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            await conn.run_sync(upgrade)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction, committed on success."""
        async with self.engine.begin() as conn:
            yield conn

    async def close(self) -> None:
        await self.engine.dispose()
