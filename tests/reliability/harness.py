"""Running ``tbtwarn run`` as a subprocess and checking what it did.

The daemon logs JSON lines; a reader thread hands them to the test, which
waits on those events (never on a timer). Scheduled minutes are shortened
with ``TBTWARN_TIME_SCALE`` so that a one-minute interval lasts 0.3 s.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from tests.reliability.backends import NOT_READY, PgConnection, connect, database_url, is_sqlite

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "feeds" / "data" / "wto_sample.jsonl"
#: A fixed "now" for every process of the suite.
NOW = "2026-07-01T00:00:00+00:00"
#: One scheduled minute lasts 0.3 s.
TIME_SCALE = "0.005"
SYMBOL = re.compile(r"G/(?:TBT|SPS)/N/[A-Z]{3}/\d+(?:/[A-Za-z]+\.\d+)*")
#: An item's heading line in a plain-text email (``* G/TBT/N/...``); symbols
#: quoted in a description ("notified in G/TBT/N/KEN/1307") do not count.
ITEM_HEAD = re.compile(r"^\* (.+)$", re.MULTILINE)

Event = dict[str, Any]

#: Seconds to wait for a daemon's event before calling it a hang. Only a
#: bound, never a measure: a daemon on a machine whose cores are all busy
#: (``make test-stress``) took over 30 s to import and log its first line.
PATIENCE = 120.0


def sample_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def recombination_base() -> list[dict[str, Any]]:
    """The sample records ``recombined`` cycles through (record n uses base[n % len])."""
    return [r for r in sample_records() if r.get("symbols") and r["symbols"][0].split("/")[3].isalpha()]


def recombined(count: int, start: int = 0) -> list[str]:
    """``count`` distinct notifications made from the sample's real records
    (each gets a new symbol of its member), as JSONL lines."""
    base = recombination_base()
    lines = []
    for n in range(start, start + count):
        record = dict(base[n % len(base)])
        area, member = record["symbols"][0].split("/")[1], record["symbols"][0].split("/")[3]
        record["symbols"] = [f"G/{area}/N/{member}/{90000 + n}"]
        record["record_id"] = 1_000_000 + n
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def exporters_csv(count: int) -> str:
    """``count`` exporters with the sample's HS codes, so most of them match something."""
    codes = sorted(
        {c[:4] for r in sample_records() for c in r.get("hs_codes") or [] if len(c) >= 4 and c < "97"}
    )
    rows = ["name,email,language,hs_codes,markets"]
    for n in range(count):
        picked = ";".join(codes[(n * 7 + k) % len(codes)] for k in range(3))
        rows.append(f"Exporter {n:04d},e{n:04d}@exporter.example.com,{'zh' if n % 2 else 'en'},{picked},*")
    return "\n".join(rows) + "\n"


#: The daily digest every scheduled minute: the scaled cron clock (0.3 s a
#: minute) makes the real daily job run many times within a test.
DAILY_EVERY_MINUTE = 'daily_digest = "* * * * *"\n'


#: Mail goes to .eml files in ``var/outbox``.
OUTBOX_DELIVERY = '[delivery]\ntransport = "outbox"\noutbox_dir = "var/outbox"\n'


def write_config(
    folder: Path,
    sources: str,
    extra: str = "",
    schedule: str = DAILY_EVERY_MINUTE,
    delivery: str = OUTBOX_DELIVERY,
) -> Path:
    """A daemon config; ``schedule`` holds ``[schedule]`` keys (empty: none),
    ``extra`` more sections, ``delivery`` the ``[delivery]`` (and ``[smtp]``) sections."""
    path = folder / "config.toml"
    section = f"[schedule]\n{schedule}" if schedule else ""
    path.write_text(
        f'database_url = "{database_url(folder)}"\n'
        f'[logging]\nformat = "json"\n{section}{extra}\n{sources}\n{delivery}',
        encoding="utf-8",
    )
    return path


def file_source(name: str, path: Path, extra: str = "") -> str:
    return f'[[sources]]\nname = "{name}"\nkind = "file"\npath = "{path}"\ninterval_minutes = 1\n{extra}\n'


def tbtwarn(config: Path, *args: str) -> None:
    """Run a one-shot command in this process (another interpreter would cost
    seconds of start-up on a loaded machine) at the suite's fixed "now"."""
    # Imported here: the harness is also read by code that never runs a command.
    from warning.cli.main import main

    previous = os.environ.get("TBTWARN_NOW")
    os.environ["TBTWARN_NOW"] = NOW
    try:
        code = main(["--config", str(config), *args])
    finally:
        if previous is None:
            del os.environ["TBTWARN_NOW"]
        else:
            os.environ["TBTWARN_NOW"] = previous
    assert code == 0, f"tbtwarn {' '.join(args)} failed ({code}); its messages are in the captured output"


#: Every daemon started by a test; the suite's conftest kills what a failed test left running.
STARTED: list[Daemon] = []


class Daemon:
    """One ``tbtwarn run`` process and the events it logged."""

    def __init__(self, config: Path) -> None:
        STARTED.append(self)
        self.config = config
        self.events: list[Event] = []
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "warning.cli.entry", "--config", str(config), "run", "--port", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ | {"TBTWARN_NOW": NOW, "TBTWARN_TIME_SCALE": TIME_SCALE},
            cwd=ROOT,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                event = {"raw": line.rstrip()}
            self.events.append(event)
            self._queue.put(event)
        self._queue.put(None)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = PATIENCE) -> None:
        """Wait until ``condition()`` holds, re-checking at each logged event."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}; last events: {self.events[-8:]}")
            try:
                if self._queue.get(timeout=remaining) is None and self.proc.poll() is not None:
                    if condition():
                        return
                    raise AssertionError(
                        f"daemon exited ({self.proc.returncode}) before {what}: {self.events[-8:]}"
                    )
            except queue.Empty:
                continue

    def wait_event(self, match: Callable[[Event], bool], what: str, timeout: float = PATIENCE) -> Event:
        """The first logged event (from the start) that ``match`` accepts."""
        found: list[Event] = []

        def seen() -> bool:
            found[:] = [e for e in list(self.events) if match(e)][:1]
            return bool(found)

        self.wait_until(seen, what, timeout)
        return found[0]

    def wait_settled(self, done: Callable[[], bool], what: str, timeout: float = 2 * PATIENCE) -> None:
        """Wait until ``done()`` holds and still holds after one more whole
        collection cycle (collect, classify, alert, dispatch) ended: a state
        seen between two steps (stored but not yet alerted) does not count."""
        deadline = time.monotonic() + timeout
        while True:
            self.wait_until(done, what, max(1.0, deadline - time.monotonic()))
            cycles = self.count(is_collect_finish)
            self.wait_until(
                lambda seen=cycles: self.count(is_collect_finish) > seen,
                what,
                max(1.0, deadline - time.monotonic()),
            )
            if done():
                return

    def count(self, match: Callable[[Event], bool]) -> int:
        return sum(1 for e in list(self.events) if match(e))

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> tuple[int, float]:
        """Send ``sig``; returns the exit code and how long the stop took."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=15)
        return code, time.monotonic() - started


def is_collect_finish(e: Event) -> bool:
    return e.get("event") == "job_finish" and str(e.get("job", "")).startswith("collect:")


def job_finished(job: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "job_finish" and e.get("job") == job


def step_started(step: str, **fields: Any) -> Callable[[Event], bool]:
    return lambda e: (
        e.get("event") == "step_start"
        and e.get("step") == step
        and all(e.get(k) == v for k, v in fields.items())
    )


@contextmanager
def database(folder: Path) -> Iterator[sqlite3.Connection | PgConnection]:
    """A connection to the database of the daemon in ``folder`` (SQLite or PostgreSQL)."""
    conn = connect(folder)
    try:
        yield conn
    finally:
        if isinstance(conn, sqlite3.Connection):
            conn.close()


def scalar(folder: Path, sql: str) -> Any:
    with database(folder) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None, sql
    return row[0]


def quiescent(folder: Path, notifications: int) -> Callable[[], bool]:
    """All ``notifications`` stored and classified, every alert mailed, the outbox empty."""

    def check() -> bool:
        if is_sqlite(folder) and not (folder / "var" / "tbtwarn.db").exists():
            return False
        try:
            with database(folder) as conn:
                row = conn.execute(
                    "SELECT (SELECT count(*) FROM notifications),"
                    " (SELECT count(*) FROM notifications"
                    "  WHERE classified_hash IS NULL OR classified_hash <> content_hash),"
                    # Every alert carried to its contact (the register's default
                    # subscriptions want every level and market).
                    " (SELECT count(*) FROM alerts a WHERE NOT EXISTS"
                    "  (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id)),"
                    " (SELECT count(*) FROM outbox WHERE status != 'sent'),"
                    " (SELECT count(*) FROM alerts)"
                ).fetchone()
        except NOT_READY:
            return False  # tables not created yet
        return bool(row is not None and tuple(row) == (notifications, 0, 0, 0, row[4]) and row[4] > 0)

    return check


def mailed(outbox_dir: Path) -> dict[str, list[set[str]]]:
    """For each recipient, the notification symbols of each email it got."""
    return emails_by_recipient(path.read_bytes() for path in sorted(outbox_dir.glob("*.eml")))


def emails_by_recipient(emails: Iterable[bytes]) -> dict[str, list[set[str]]]:
    """For each recipient (``To``), the notification symbols of each of ``emails``."""
    out: dict[str, list[set[str]]] = {}
    for data in emails:
        message = message_from_bytes(data, policy=policy.default)
        body = message.get_body(("plain",))
        assert body is not None, message["Message-ID"]
        out.setdefault(str(message["To"]), []).append(
            {s for head in ITEM_HEAD.findall(body.get_content()) for s in SYMBOL.findall(head)}
        )  # type: ignore[attr-defined]
    return out


def assert_same_mail(got: dict[str, list[set[str]]], want: dict[str, list[set[str]]]) -> None:
    """Every recipient got each of its notifications in exactly one email, as in ``want``."""
    assert set(got) == set(want)
    for recipient, emails in got.items():
        everything = [s for email in emails for s in email]
        assert len(everything) == len(set(everything)), f"{recipient} got a notification twice"
        assert set(everything) == {s for email in want[recipient] for s in email}, recipient


def assert_nothing_lost_or_twice(folder: Path, reference: Path) -> None:
    """The daemon's result equals a clean ``run --once`` on the same data
    (``reference``): the same notifications, and every recipient got each
    of its notifications in exactly one email."""
    with database(folder) as conn, database(reference) as ref:
        keys = sorted(r[0] for r in conn.execute("SELECT key FROM notifications"))
        assert keys == sorted(r[0] for r in ref.execute("SELECT key FROM notifications"))
        pairs = (
            "SELECT n.key, e.name FROM alerts a JOIN notifications n ON n.id = a.notification_id"
            " JOIN exporters e ON e.id = a.exporter_id"
        )
        assert sorted(conn.execute(pairs)) == sorted(ref.execute(pairs))
        rows = conn.execute("SELECT id, idempotency_key, status FROM outbox").fetchall()
    assert rows and all(status == "sent" for _, _, status in rows)
    files = sorted(p.name for p in (folder / "var" / "outbox").glob("*.eml"))
    expected = sorted(f"{i:06d}-{hashlib.sha256(k.encode()).hexdigest()[:16]}.eml" for i, k, _ in rows)
    assert files == expected, "one .eml file per outbox message, none missing, none extra"
    assert_same_mail(mailed(folder / "var" / "outbox"), mailed(reference / "var" / "outbox"))


def reference_run(folder: Path, sources: str, exporters: str) -> Path:
    """A clean one-shot run on the same data, to compare the daemon with."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exporters.csv").write_text(exporters, encoding="utf-8")
    config = write_config(folder, sources)
    for args in (["import", "exporters", str(folder / "exporters.csv"), "--skip-bad"], ["run", "--once"]):
        tbtwarn(config, *args)
    return folder


def start_with_exporters(folder: Path, config: Path, exporters: str) -> None:
    (folder / "exporters.csv").write_text(exporters, encoding="utf-8")
    tbtwarn(config, "import", "exporters", str(folder / "exporters.csv"), "--skip-bad")
