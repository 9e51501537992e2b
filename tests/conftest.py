"""Fixtures shared by every test: a config in a temporary folder, a runtime on
a SQLite file there, and a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from warning.clock import FixedClock
from warning.config import Config, load_config
from warning.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "feeds" / "data" / "wto_sample.jsonl"
DEMO_EXPORTERS = ROOT / "warning" / "data" / "demo_exporters.csv"
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


@pytest.fixture
async def runtime(config: Config, clock: FixedClock) -> AsyncIterator[Runtime]:
    rt = await Runtime.open(config, clock)
    try:
        yield rt
    finally:
        await rt.close()
