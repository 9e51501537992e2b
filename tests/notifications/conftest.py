"""Fixtures for the notifications tests: runtimes on a SQLite file with a chosen
transport, on the fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from warning.clock import FixedClock
from warning.config import load_config
from warning.runtime import Runtime

MakeRuntime = Callable[..., Awaitable[Runtime]]


def write_delivery_config(tmp_path: Path, transport: str = "outbox", extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        'database_url = "sqlite+aiosqlite:///var/test.db"\n'
        '[zone]\nbase_url = "https://tbt.example.org"\n'
        f'[delivery]\ntransport = "{transport}"\noutbox_dir = "var/outbox"\n'
        'sender = "TBT Warning <tbt@zone.example.org>"\n'
        f"{extra}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TBTWARN_SECRET", "test-secret-of-at-least-16-bytes")


@pytest.fixture
async def make_runtime(tmp_path: Path, clock: FixedClock) -> AsyncIterator[MakeRuntime]:
    opened: list[Runtime] = []

    async def make(transport: str = "outbox", extra: str = "") -> Runtime:
        rt = await Runtime.open(load_config(write_delivery_config(tmp_path, transport, extra)), clock)
        opened.append(rt)
        return rt

    yield make
    for rt in opened:
        await rt.close()
