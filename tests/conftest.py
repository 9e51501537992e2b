"""Fixtures shared by every test: a config in a temporary folder, a runtime on
a SQLite file there (and on a fresh PostgreSQL database too when
``TBTWARN_TEST_PG_URL`` is set), and a fixed clock."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from warning.clock import FixedClock
from warning.config import Config, load_config
from warning.register import read_exporters
from warning.runtime import Runtime
from warning.storage.exporters import save_exporter

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "feeds" / "data" / "wto_sample.jsonl"
DEMO_EXPORTERS = ROOT / "warning" / "data" / "demo_exporters.csv"


async def save_demo_exporters(rt: Runtime) -> None:
    """Store the bundled demo register's exporters (what ``make run`` imports)."""
    exporters, _ = read_exporters(DEMO_EXPORTERS.read_text(encoding="utf-8"))
    async with rt.db.begin() as conn:
        for exporter in exporters:
            await save_exporter(conn, exporter, rt.now())


#: A fixed "now" for tests: the sample's latest comment deadline is before it.
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)

WriteConfig = Callable[..., Path]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """Write a config.toml into tmp_path; ``sources`` is TOML text of [[sources]]."""

    def write(sources: str | None = None, extra: str = "") -> Path:
        if sources is None:
            sources = f'[[sources]]\nname = "sample"\nkind = "file"\npath = "{SAMPLE}"\n'
        path = tmp_path / "config.toml"
        path.write_text(
            'database_url = "sqlite+aiosqlite:///var/test.db"\n'
            f"{extra}\n{sources}\n"
            '[delivery]\ntransport = "outbox"\noutbox_dir = "var/outbox"\n',
            encoding="utf-8",
        )
        return path

    return write


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def config(write_config: WriteConfig) -> Config:
    return load_config(write_config())


#: A PostgreSQL server for the storage tests, e.g.
#: postgresql+asyncpg://tbtwarn:tbtwarn@127.0.0.1/tbtwarn_test (the role needs CREATEDB).
PG_URL = os.environ.get("TBTWARN_TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test runs on SQLite only")


async def _drop_database(admin: AsyncEngine, name: str) -> None:
    """Drop ``name``. FORCE ends what a failed test left connected but is refused
    when an autovacuum worker (not our role) is in the database; a plain DROP
    makes that worker stop, so it is the fallback."""
    drop = f'DROP DATABASE IF EXISTS "{name}"'
    async with admin.connect() as conn:
        try:
            await conn.execute(sa.text(f"{drop} WITH (FORCE)"))
        except sa.exc.DBAPIError as exc:
            # 42501: insufficient_privilege (terminating another role's process).
            if getattr(exc.orig, "pgcode", None) != "42501" and "pg_signal_backend" not in str(exc):
                raise
            await conn.execute(sa.text(drop))


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, config: Config) -> AsyncIterator[str]:
    """The test's database: the config's SQLite file, or a PostgreSQL database
    created for this test alone and dropped after it."""
    if request.param == "sqlite":
        yield config.database_url
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite only")
    name = f"tbtwarn_t_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        await _drop_database(admin, name)
    finally:
        await admin.dispose()


@pytest.fixture
async def runtime(config: Config, clock: FixedClock, database_url: str) -> AsyncIterator[Runtime]:
    rt = await Runtime.open(config.model_copy(update={"database_url": database_url}), clock)
    try:
        yield rt
    finally:
        await rt.close()
