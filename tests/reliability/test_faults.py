"""Faults around the running daemon: sources that hang, send garbage or
flap; the database locked by another process; the outbox folder unwritable;
a config file with mistakes. Each ends with nothing lost or sent twice.

The sources here are ``file`` sources (an unreadable, garbage or
appearing-and-disappearing file, a FIFO that never ends); HTTP sources that
hang, send garbage or flap between 503 and 200 are in ``test_http_sources.py``,
the SMTP server down and back in ``test_smtp_outage.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.harness import (
    DAILY_EVERY_MINUTE,
    Daemon,
    assert_nothing_lost_or_twice,
    exporters_csv,
    file_source,
    job_finished,
    quiescent,
    recombined,
    reference_run,
    scalar,
    start_with_exporters,
    write_config,
)
from warning.cli.main import main

EXPORTERS = exporters_csv(30)


def lines(records: list[str]) -> str:
    return "\n".join(records) + "\n"


def healthz(port: int) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_sources_that_hang_send_garbage_and_flap(tmp_path: Path) -> None:
    good, flap, garbage, fifo = (
        tmp_path / n for n in ("good.jsonl", "flap.jsonl", "garbage.jsonl", "hang.jsonl")
    )
    good.write_text(lines(recombined(40)), encoding="utf-8")
    two_good = recombined(2, start=500)
    garbage.write_bytes(b"\x00\xff\xfe binary\n{not json\n" + lines(['{"record_id": 1}', *two_good]).encode())
    os.mkfifo(fifo)
    # A writer that never writes: a read of the FIFO blocks until it closes.
    writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    sources = "".join(file_source(n, p) for n, p in (("good", good), ("garbage", garbage), ("flap", flap)))
    folder = tmp_path / "daemon"
    folder.mkdir()
    config = write_config(
        folder,
        sources + file_source("hang", fifo),
        schedule=DAILY_EVERY_MINUTE + "collect_timeout_seconds = 1\n",
    )
    start_with_exporters(folder, config, EXPORTERS)
    try:
        daemon = Daemon(config)
        port = int(daemon.wait_event(lambda e: e.get("event") == "daemon_ready", "start")["port"])
        # The flapping file appears (each time with more), disappears, appears...
        finished = 0
        for appearance in (1, 2, 3, 0):
            for present in (True, False) if appearance else (True,):
                finished += 1
                daemon.wait_until(lambda n=finished: daemon.count(job_finished("collect:flap")) >= n, "flap")
                if present:
                    flap.write_text(lines(recombined(10 * (appearance or 3), start=1000)), encoding="utf-8")
                else:
                    flap.unlink()
        total = 40 + 2 + 30
        daemon.wait_until(
            lambda: (
                scalar(folder, "SELECT consecutive_failures FROM source_state WHERE source_name = 'flap'")
                == 0
            ),
            "the flapping source back",
        )
        flap_failures = daemon.count(
            lambda e: job_finished("collect:flap")(e) and "cannot read" in (e["error"] or "")
        )
        assert flap_failures >= 3
        daemon.wait_settled(quiescent(folder, total), "everything from the working sources mailed")
        daemon.wait_until(
            lambda: daemon.count(job_finished("collect:hang")) >= 2, "the hanging source retried"
        )
        status, health = healthz(port)
        assert status == 503 and health["database"] is True
        assert "source hang: never collected successfully" in health["problems"]
        hang = next(s for s in health["sources"] if s["name"] == "hang")
        assert hang["consecutive_failures"] >= 2
        assert "no answer in 1 s" in hang["last_error"] or "still hanging" in hang["last_error"]
        # Stops in time although a read still hangs in a thread.
        code, took = daemon.stop(signal.SIGTERM)
        assert code == 0 and took < 10
    finally:
        os.close(writer)

    # Garbage: each bad line quarantined once with its reason, however many cycles ran.
    reasons = sorted(
        r[0]
        for r in sqlite3.connect(folder / "var" / "tbtwarn.db").execute(
            "SELECT reason FROM quarantine WHERE source_name = 'garbage'"
        )
    )
    assert len(reasons) == 3
    assert any(r.startswith("not UTF-8") for r in reasons) and any(r.startswith("not JSON") for r in reasons)
    reference = reference_run(tmp_path / "reference", sources, EXPORTERS)
    assert_nothing_lost_or_twice(folder, reference)


def test_database_locked_by_another_process(tmp_path: Path) -> None:
    source = tmp_path / "n.jsonl"
    source.write_text(lines(recombined(40)), encoding="utf-8")
    folder = tmp_path / "daemon"
    folder.mkdir()
    config = write_config(folder, file_source("n", source))
    start_with_exporters(folder, config, EXPORTERS)
    daemon = Daemon(config)
    daemon.wait_settled(quiescent(folder, 40), "the first notifications mailed")

    locker = sqlite3.connect(folder / "var" / "tbtwarn.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    source.write_text(lines(recombined(60)), encoding="utf-8")
    skipped = daemon.count(lambda e: "maximum number of running instances" in e.get("message", ""))
    # The jobs wait on the lock: the scheduler skips their next runs.
    daemon.wait_until(
        lambda: (
            daemon.count(lambda e: "maximum number of running instances" in e.get("message", ""))
            > skipped + 2
        ),
        "jobs held up by the lock",
    )
    assert scalar(folder, "SELECT count(*) FROM notifications") == 40
    locker.execute("ROLLBACK")
    locker.close()

    daemon.wait_settled(quiescent(folder, 60), "the new notifications mailed after the lock")
    code, took = daemon.stop()
    assert code == 0 and took < 10
    reference = reference_run(tmp_path / "reference", file_source("n", source), EXPORTERS)
    assert_nothing_lost_or_twice(folder, reference)


def test_outbox_folder_unwritable_then_back(tmp_path: Path) -> None:
    """The outbox folder cannot be written (its path is taken by a file:
    every write fails as on a full disk); mail waits and leaves once, later."""
    source = tmp_path / "n.jsonl"
    source.write_text(lines(recombined(40)), encoding="utf-8")
    folder = tmp_path / "daemon"
    (folder / "var").mkdir(parents=True)
    blocker = folder / "var" / "outbox"
    blocker.write_text("not a folder", encoding="utf-8")
    config = write_config(folder, file_source("n", source))
    start_with_exporters(folder, config, EXPORTERS)
    daemon = Daemon(config)

    def retried() -> bool:
        try:
            return bool(scalar(folder, "SELECT min(attempts) FROM outbox WHERE status = 'pending'") >= 3)
        except (sqlite3.OperationalError, TypeError):
            return False

    daemon.wait_until(
        lambda: retried() and daemon.count(lambda e: e.get("event") == "delivery_failed") >= 3,
        "three failed attempts for every message, in three runs",
    )
    errors = {
        r[0] for r in sqlite3.connect(folder / "var" / "tbtwarn.db").execute("SELECT last_error FROM outbox")
    }
    assert len(errors) == 1 and next(iter(errors)).startswith("cannot write")
    assert daemon.count(lambda e: e.get("event") == "delivery_failed") >= 3
    blocker.unlink()

    daemon.wait_settled(quiescent(folder, 40), "mail delivered once the folder is back")
    code, _ = daemon.stop()
    assert code == 0
    reference = reference_run(tmp_path / "reference", file_source("n", source), EXPORTERS)
    assert_nothing_lost_or_twice(folder, reference)


MISTAKES = [
    ('[schedule]\ndaily_digest = "0 8 * *"', "schedule.daily_digest: Value error, not a cron expression"),
    ('[schedule]\ntimezone = "China/Jinan"', "schedule.timezone: Value error, unknown time zone"),
    ("[schedule]\ndispatch_every = 5", "schedule.dispatch_every: unknown key"),
    (
        '[[sources]]\nname = "x"\nkind = "file"\npath = "x.jsonl"\ninterval_minutes = 0',
        "sources.1.interval_minutes: Input should be greater than or equal to 1",
    ),
]


def test_config_with_mistakes_refused_and_nothing_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process: the refusal happens before anything starts, as in a subprocess.
    source = tmp_path / "n.jsonl"
    source.write_text(lines(recombined(5)), encoding="utf-8")
    config = write_config(tmp_path, file_source("n", source), schedule="")
    good = config.read_text(encoding="utf-8")
    assert main(["--config", str(config), "init"]) == 0
    db = tmp_path / "var" / "tbtwarn.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()

    for mistake, message in MISTAKES:
        config.write_text(good + mistake + "\n", encoding="utf-8")
        assert main(["--config", str(config), "run", "--port", "0"]) == 2, mistake
        err = capsys.readouterr().err
        assert f"tbtwarn: config error: {config}: " in err and message in err, err
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        assert not (tmp_path / "var" / "outbox").exists()
    assert scalar(tmp_path, "SELECT count(*) FROM job_runs") == 0
