"""``tbtwarn backup``: a consistent copy of the database, also while the daemon runs."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from warning.exceptions import BackupError


def _sqlite_copy(source: Path, target: Path) -> int:
    if not source.exists():
        raise BackupError(f"{source}: no database file")
    if target.resolve() == source.resolve():
        raise BackupError(f"{target}: is the database itself")
    # SQLite's online backup API copies a consistent snapshot even while
    # another connection (the daemon) writes; WAL content is included.
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise BackupError(f"the copy failed its integrity check: {ok}")
        finally:
            dst.close()
    finally:
        src.close()
    tmp.replace(target)
    return target.stat().st_size


async def backup_database(database_url: str, target: Path) -> int:
    """Copy the SQLite database to ``target`` (replaced atomically); returns its size.

    Raises:
        BackupError: the database is not a SQLite file (PostgreSQL: use
            pg_dump), does not exist, or cannot be copied.
    """
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "postgresql":
        raise BackupError(
            "the database is PostgreSQL: back it up with pg_dump, e.g. "
            f"pg_dump --format=custom --file {target} {url.database or 'DBNAME'}"
        )
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError(f"cannot back up {url.render_as_string(hide_password=True)}: not a SQLite file")
    source = Path(str(url.database))
    try:
        return await asyncio.to_thread(_sqlite_copy, source, target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"cannot back up to {target}: {exc}") from None
