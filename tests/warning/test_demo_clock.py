"""The demo clock: ``make run`` on the default config shows what the service is for
(an open comment period, a red alert, a deadline calendar) on the real, unaltered sample."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE
from tests.web.conftest import SECRET
from tests.web.demo_run import demo_now, write_demo_config
from warning.cli.main import main
from warning.clock import FixedClock, ScaledClock, clock_from_env, demo_clock_note
from warning.config import load_config, parse_config
from warning.exceptions import ConfigError

#: The bundled sample is real and must not change: the demo clock is how it shows open deadlines.
SAMPLE_SHA256 = "9ebf2d60065253e926c39262bd1067fa2dc446c09a570568a5c88bbd8b1129cb"


def test_the_default_config_has_a_demo_clock_and_production_none() -> None:
    now = demo_now()
    assert now.tzinfo is not None
    assert load_config(ROOT / "deploy" / "config.production.toml").demo.now is None
    # The latest comment deadline of the sample (2026-08-14) is still ahead of it.
    latest = max(json.loads(line)["comment_deadline"] or "" for line in SAMPLE.read_text().splitlines())
    assert now.date().isoformat() < latest
    with pytest.raises(ConfigError, match=r"demo\.now"):
        parse_config('[demo]\nnow = "2026-08-03T09:00:00"\n', Path("c.toml"))  # no offset


def test_the_demo_clock_starts_at_its_moment_and_tbtwarn_now_overrides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = dt.datetime(2026, 8, 3, 1, 0, tzinfo=dt.UTC)
    monkeypatch.delenv("TBTWARN_NOW", raising=False)
    monkeypatch.delenv("TBTWARN_TIME_SCALE", raising=False)
    clock = clock_from_env(at)
    assert isinstance(clock, ScaledClock) and dt.timedelta(0) <= clock.now() - at < dt.timedelta(minutes=1)
    note = demo_clock_note(at, "Asia/Shanghai")
    assert note is not None and "2026-08-03 09:00 Asia/Shanghai" in note
    monkeypatch.setenv("TBTWARN_NOW", "2026-11-24T02:00:00+00:00")
    pinned = clock_from_env(at)
    assert isinstance(pinned, FixedClock) and pinned.now() == dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC)
    assert demo_clock_note(at, "Asia/Shanghai") is None


def test_make_run_shows_an_open_deadline_a_red_alert_and_a_calendar(
    demo_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_demo_config(tmp_path)
    shutil.copytree(demo_folder / "var", tmp_path / "var")
    monkeypatch.delenv("TBTWARN_NOW", raising=False)
    monkeypatch.setenv("TBTWARN_SECRET", SECRET.decode())
    capsys.readouterr()
    # Every run prints the demo clock (a second run finds nothing new).
    assert main(["--config", str(config), "run", "--once"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("demo clock: the time is taken as 2026-08-03 09:00 Asia/Shanghai")
    assert main(["--config", str(config), "export", "notifications", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    today = demo_now().date().isoformat()
    open_ones = [r for r in records if r["alerts"] and (r["comment_deadline"] or "") >= today]
    assert open_ones, "an alerted notification whose comment period is open"
    assert any(a["level"] == "red" for r in records for a in r["alerts"]), "a red alert"
    calendar = tmp_path / "deadlines.ics"
    assert main(["--config", str(config), "export", "deadlines", "--format", "ics", "-o", str(calendar)]) == 0
    text = calendar.read_text()
    assert text.count("BEGIN:VEVENT") >= 1
    assert "DTSTART;VALUE=DATE:20260809" in text  # the open one: 2026-08-14 less 5 days


def test_the_sample_is_unaltered() -> None:
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert digest == SAMPLE_SHA256
