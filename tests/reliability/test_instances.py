"""Several ``tbtwarn run`` instances on one PostgreSQL database (issue 21).

Three daemons share the database and the outbox folder; the one classifying
is killed (SIGKILL), a fourth takes its place, then the one sending is killed:
the others take the jobs over once the leases lapse, and in the end every
contact got each of its notifications exactly once, as a single-instance
``run --once`` on the same data says. On SQLite a second instance is refused.
"""

from __future__ import annotations

import json
import queue
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.backends import is_sqlite
from tests.reliability.harness import (
    Daemon,
    Event,
    assert_nothing_lost_or_twice,
    exporters_csv,
    file_source,
    is_collect_finish,
    quiescent,
    recombined,
    reference_run,
    start_with_exporters,
    step_started,
    write_config,
)

NOTIFICATIONS = 240
EXPORTERS = exporters_csv(100)
#: Leases lapse after 2 s (real): a killed holder's jobs move on quickly.
SCHEDULE = 'daily_digest = "* * * * *"\nlease_seconds = 2\n'


def sending(e: Event) -> bool:
    return step_started("deliver")(e) and int(e.get("pending", 0)) > 0


def wait_any(daemons: list[Daemon], condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    """Wait until ``condition()`` holds, re-checking whenever any daemon logs."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; {[d.events[-4:] for d in daemons]}")
        for daemon in daemons:
            try:
                daemon._queue.get(timeout=0.05)
            except queue.Empty:
                continue


def first_with(daemons: list[Daemon], match: Callable[[Event], bool], what: str) -> Daemon:
    """The first daemon that logged an event ``match`` accepts."""
    found: list[Daemon] = []

    def seen() -> bool:
        found[:] = [d for d in daemons if any(match(e) for e in list(d.events))][:1]
        return bool(found)

    wait_any(daemons, seen, what)
    return found[0]


def test_three_instances_share_the_jobs_and_survive_two_kills(tmp_path: Path, folder: Path) -> None:
    if is_sqlite(folder):
        pytest.skip("several instances need PostgreSQL")
    source = tmp_path / "week.jsonl"
    source.write_text("\n".join(recombined(NOTIFICATIONS)) + "\n", encoding="utf-8")
    reference = reference_run(tmp_path / "reference", file_source("week", source), EXPORTERS)
    config = write_config(folder, file_source("week", source), schedule=SCHEDULE)
    start_with_exporters(folder, config, EXPORTERS)
    done = quiescent(folder, NOTIFICATIONS)

    daemons = [Daemon(config) for _ in range(3)]
    killed: list[Daemon] = []
    for moment, what in [(step_started("classify"), "classification"), (sending, "sending")]:
        holder = first_with(daemons, moment, what)
        holder.kill()
        assert holder.proc.returncode == -signal.SIGKILL
        assert not done(), f"killed during {what} too late to test anything"
        daemons.remove(holder)
        killed.append(holder)
        if len(daemons) < 3:
            daemons.append(Daemon(config))

    wait_any(daemons, done, "everything mailed by the instances left")
    # Still so after one more collection cycle by any instance.
    cycles = sum(d.count(is_collect_finish) for d in daemons)
    wait_any(daemons, lambda: sum(d.count(is_collect_finish) for d in daemons) > cycles, "one more cycle")
    assert done()

    # /healthz names the instance answering and the live holders of the leases.
    report = _health(daemons[0])
    pids = {str(d.proc.pid) for d in daemons}
    assert str(report["instance"]).rsplit(":", 1)[1] in pids
    holders = {str(lease["holder"]).rsplit(":", 1)[1] for lease in report["leases"]}  # type: ignore[attr-defined]
    assert holders <= pids, "only live instances hold leases (the killed ones' lapsed)"
    for daemon in daemons:
        code, took = daemon.stop(signal.SIGTERM)
        assert code == 0 and took < 10
    assert_nothing_lost_or_twice(folder, reference)


def _health(daemon: Daemon) -> dict[str, object]:
    """The daemon's ``/healthz`` report (a 503, unhealthy, still carries it)."""
    port = int(daemon.wait_event(lambda e: e.get("event") == "daemon_ready", "start")["port"])
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            return dict(json.loads(answer.read()))
    except urllib.error.HTTPError as exc:
        return dict(json.loads(exc.read()))


def test_sqlite_refuses_a_second_instance(folder: Path, tmp_path: Path) -> None:
    if not is_sqlite(folder):
        pytest.skip("PostgreSQL serves several instances")
    source = tmp_path / "one.jsonl"
    source.write_text("\n".join(recombined(3)) + "\n", encoding="utf-8")
    config = write_config(folder, file_source("one", source))
    first = Daemon(config)
    first.wait_event(lambda e: e.get("event") == "daemon_ready", "the first instance ready")
    second = Daemon(config)
    assert second.proc.wait(timeout=60) == 1
    said = " ".join(str(e.get("raw", e.get("message", ""))) for e in second.events)
    assert f"another tbtwarn run (pid {first.proc.pid}) is using" in said
    assert "SQLite serves one instance" in said
    code, _ = first.stop(signal.SIGTERM)
    assert code == 0
