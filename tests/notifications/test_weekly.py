"""The officials' weekly digest, its review, and the delivery commands."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import NOW
from tests.notifications.conftest import write_delivery_config
from tests.notifications.helpers import notification, parse, seed
from warning.cli.main import main
from warning.clock import FixedClock
from warning.config import load_config
from warning.runtime import Runtime
from warning.storage.outbox import list_messages

OFFICIALS = '[digest]\nreview_required = true\nofficials = ["official@commerce.example.gov.cn"]\n'


async def _seed(config: Path) -> None:
    rt = await Runtime.open(load_config(config), FixedClock(NOW))
    try:
        this_week = dt.date(2026, 11, 23)
        await seed(
            rt,
            [
                (notification("G/TBT/N/USA/1", distribution_date=this_week), "red"),
                (notification("G/TBT/N/KEN/2", distribution_date=this_week), None),
                (notification("G/TBT/N/EU/3", distribution_date=this_week - dt.timedelta(days=7)), "red"),
            ],
        )
    finally:
        await rt.close()


async def _messages(config: Path) -> list[tuple[str, str, bytes]]:
    rt = await Runtime.open(load_config(config), FixedClock(NOW))
    try:
        async with rt.db.begin() as conn:
            return [(m.kind, m.recipient, m.message) for m in await list_messages(conn, bodies=True)]
    finally:
        await rt.close()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TBTWARN_NOW", NOW.isoformat())
    path = write_delivery_config(tmp_path, "outbox", OFFICIALS)
    asyncio.run(_seed(path))
    return str(path)


def test_weekly_digest_waits_for_approval(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli = ["--config", config]
    assert main([*cli, "subscriptions", "set", "en@qilu.example.com", "--frequency", "weekly"]) == 0
    assert main([*cli, "subscriptions", "set", "zh@luyuan.example.com", "--sectors", "nope"]) == 1
    assert "unknown sector(s) nope" in capsys.readouterr().err
    assert main([*cli, "subscriptions", "list", "--email", "en@qilu.example.com"]) == 0
    assert "weekly" in capsys.readouterr().out

    assert main([*cli, "digest", "weekly", "--preview"]) == 0
    preview = capsys.readouterr().out
    # In Chinese, the officials' default language: one language per email.
    assert "本周通报: 2 (上周: 1)" in preview and "This week" not in preview
    assert "红色: 1 (上周 1)" in preview and "G/TBT/N/USA/1" in preview
    assert "涉及本区企业: 2 (预警 4 条)" in preview
    assert main([*cli, "digest", "weekly", "--preview", "--language", "en"]) == 0
    english = capsys.readouterr().out
    assert "This week: 2 (previous week: 1)" in english and "本周" not in english

    assert main([*cli, "digest", "weekly"]) == 0
    assert "wait for approval" in capsys.readouterr().out
    queued = asyncio.run(_messages(Path(config)))
    assert [(k, r) for k, r, _ in queued] == [("officials", "official@commerce.example.gov.cn")]
    official = parse(queued[0][2])
    html_part = official.get_body(("html",))
    assert html_part is not None and 'src="cid:weekly-chart"' in html_part.get_content()
    images = [p for p in official.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<weekly-chart>"
    assert images[0].get_payload(decode=True).startswith(b"\x89PNG")  # type: ignore[union-attr]

    assert main([*cli, "digest", "approve", "--week", "2026-W48", "--by", "Li Wei"]) == 0
    assert "approved by Li Wei" in capsys.readouterr().out
    kinds = [(k, r) for k, r, _ in asyncio.run(_messages(Path(config)))]
    assert ("weekly", "en@qilu.example.com") in kinds
    assert main([*cli, "send"]) == 0
    assert "0 failed" in capsys.readouterr().out
    assert main([*cli, "outbox", "list", "--status", "pending"]) == 0
    assert capsys.readouterr().out.strip() == "0 messages"
    assert main([*cli, "outbox", "list", "--status", "sent"]) == 0
    listing = capsys.readouterr().out
    assert "weekly en@qilu.example.com" in listing and "officials official@" in listing
    assert main([*cli, "outbox", "requeue", "1"]) == 0
    assert "#1: sent, not requeued" in capsys.readouterr().out
