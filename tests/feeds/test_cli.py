"""``tbtwarn collect``, ``sources`` and ``quarantine list`` against a replay server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from warning.cli.main import main

HTML_ERROR = b"<!DOCTYPE html><html><head><title>Bad gateway</title></head></html>"


async def test_collect_sources_quarantine_reparse(
    write_config: Callable[..., Path],
    replay: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TBTWARN_NOW", "2026-07-12T02:00:00+00:00")
    good = replay.add("/rss", {"body": replay.data("wto_tbt.rss"), "content_type": "application/rss+xml"})
    bad = replay.add("/eping", {"body": HTML_ERROR, "content_type": "text/html"})
    config = write_config(
        f'[[sources]]\nname = "wto-rss"\nkind = "rss"\nurl = "{good}"\n'
        f'[[sources]]\nname = "eping"\nkind = "eping"\nurl = "{bad}"\n'
        '[[sources]]\nname = "off"\nkind = "rss"\nurl = "http://127.0.0.1:9/none"\nenabled = false\n'
    )

    async def cli(*args: str) -> tuple[int, str]:
        code = await asyncio.to_thread(main, ["--config", str(config), *args])
        return code, capsys.readouterr().out

    code, out = await cli("collect")
    assert code == 1
    assert out.splitlines() == [
        "wto-rss: 3 new, 0 updated, 0 unchanged, 2 quarantined",
        "eping: error: page 1: expected JSON, got an HTML page (text/html): 'Bad gateway' "
        "(0 new, 0 updated, 0 unchanged, 1 quarantined)",
    ]

    code, out = await cli("collect", "--source", "wto-rss")
    assert (code, out.strip()) == (0, "wto-rss: 0 new, 0 updated, 0 unchanged, 0 quarantined")

    code, out = await cli("sources")
    lines = out.splitlines()
    assert lines[0].startswith("wto-rss (rss): last success 2026-07-12T02:00:00+00:00")
    assert lines[1].startswith(
        "eping (eping): last success never, 1 failures in a row, last: page 1: expected JSON"
    )
    assert lines[2] == "off (rss): never run"

    code, out = await cli("quarantine", "list")
    assert "eping document: page 1: expected JSON, got an HTML page" in out
    assert "wto-rss item 4: field 'published': not a date: 'the 3rd of July'" in out
    assert out.strip().endswith("3 quarantined")

    # Re-parsing history: everything stored is read again from the raw payloads.
    code, out = await cli("collect", "--reparse", "--source", "wto-rss")
    assert (code, out.strip()) == (0, "wto-rss: 0 new, 0 updated, 3 unchanged, 2 quarantined")
    assert len(replay.hits("/rss")) == 2  # re-parsing fetches nothing
