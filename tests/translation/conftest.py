"""Fixtures of the translation tests: runtimes whose config names a translation engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from warning.clock import FixedClock
from warning.config import load_config
from warning.runtime import Runtime

MakeRuntime = Callable[..., Awaitable[Runtime]]


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TBTWARN_SECRET", "test-secret-of-at-least-16-bytes")


@pytest.fixture
async def make_runtime(tmp_path: Path, clock: FixedClock) -> AsyncIterator[MakeRuntime]:
    """A runtime on a SQLite file whose ``[translation]`` section is ``translation`` (TOML)."""
    opened: list[Runtime] = []

    async def make(translation: str = "", extra: str = "") -> Runtime:
        path = tmp_path / "config.toml"
        path.write_text(
            'database_url = "sqlite+aiosqlite:///var/test.db"\n'
            '[zone]\nbase_url = "https://tbt.example.org"\n'
            '[delivery]\ntransport = "outbox"\noutbox_dir = "var/outbox"\n'
            'sender = "TBT Warning <tbt@zone.example.org>"\n'
            f"[translation]\n{translation}\n{extra}\n",
            encoding="utf-8",
        )
        rt = await Runtime.open(load_config(path), clock)
        opened.append(rt)
        return rt

    yield make
    for rt in opened:
        await rt.close()


def libretranslate(url: str, **extra: object) -> str:
    """The ``[translation]`` keys of a LibreTranslate engine at ``url``."""
    lines = ['engine = "libretranslate"', f'url = "{url}"']
    lines += [f"{k} = {v}" for k, v in extra.items()]
    return "\n".join(lines)
