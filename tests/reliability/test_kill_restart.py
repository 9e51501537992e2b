"""The daemon killed (SIGKILL) during collection, then during
classification, then during sending, then stopped (SIGTERM) while sending,
restarted each time: in the end nothing is lost and no email went out twice.
On SQLite and, when ``TBTWARN_TEST_PG_URL`` is set, on PostgreSQL."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.reliability.harness import (
    Daemon,
    Event,
    assert_nothing_lost_or_twice,
    exporters_csv,
    file_source,
    quiescent,
    recombined,
    reference_run,
    scalar,
    start_with_exporters,
    step_started,
    write_config,
)

NOTIFICATIONS = 300
EXPORTERS = exporters_csv(120)


def sending(e: Event) -> bool:
    return step_started("deliver")(e) and int(e.get("pending", 0)) > 0


def test_killed_at_each_stage_then_stopped_while_sending(tmp_path: Path, folder: Path) -> None:
    source = tmp_path / "year.jsonl"
    source.write_text("\n".join(recombined(NOTIFICATIONS)) + "\n", encoding="utf-8")
    reference = reference_run(tmp_path / "reference", file_source("year", source), EXPORTERS)
    config = write_config(folder, file_source("year", source))
    start_with_exporters(folder, config, EXPORTERS)
    done = quiescent(folder, NOTIFICATIONS)

    for moment, what in [
        (step_started("collect", source="year"), "collection"),
        (step_started("classify"), "classification"),
        (sending, "sending"),
    ]:
        daemon = Daemon(config)
        daemon.wait_event(moment, what)
        daemon.kill()
        assert daemon.proc.returncode == -signal.SIGKILL
        assert not done(), f"killed during {what} too late to test anything"

    # SIGTERM while sending: the email in hand is finished and marked sent, then exit 0.
    # The SIGKILL while sending may have left the file in hand half-written (a .tmp,
    # never an .eml); its message is rewritten, and the .tmp replaced, once its claim
    # lapses. The graceful stop must leave no partial file of its own.
    outbox = folder / "var" / "outbox"
    left_by_kills = set(outbox.glob("*.tmp"))
    daemon = Daemon(config)
    daemon.wait_event(sending, "sending after the restart")
    code, took = daemon.stop(signal.SIGTERM)
    assert code == 0 and took < 10
    assert len(list(outbox.glob("*.eml"))) == scalar(
        folder, "SELECT count(*) FROM outbox WHERE status = 'sent'"
    )
    assert set(outbox.glob("*.tmp")) <= left_by_kills

    daemon = Daemon(config)
    daemon.wait_settled(done, "everything mailed after the last restart")
    code, took = daemon.stop(signal.SIGINT)
    assert code == 0 and took < 10
    assert not list(outbox.glob("*.tmp"))  # every half-written file rewritten whole
    assert_nothing_lost_or_twice(folder, reference)
