"""``tbtwarn run --once`` killed (SIGKILL) while sending to a real SMTP server,
at several points, then restarted once its lease lapsed, until everything is
sent: nothing is lost, and a crash costs at most one duplicate per connection
(the message whose 250 was arriving), none with ``[smtp] received_log``.

The server (aiosmtpd, ``DurableSink``) logs each Message-ID durably before its
250 and kills the sender itself, so each kill falls at an exact point: while
the server holds a stored message's 250, or between two messages of a
connection. The figures are printed (``pytest -s``) and quoted in the README.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.harness import (
    NOW,
    ROOT,
    database,
    exporters_csv,
    file_source,
    recombined,
    start_with_exporters,
    write_config,
)
from tests.reliability.servers import DurableSink, MailServer

NOTIFICATIONS = 60
EXPORTERS = exporters_csv(200)
CONNECTIONS = 4
#: Where each run is killed: the stage, and how many messages the server holds by then.
KILLS = [("DATA", 40), ("MAIL", 90), ("DATA", 91), ("DATA", 150)]


def smtp_delivery(port: int, log: Path | None) -> str:
    # The defaults but pacing (batch_size 10, on_uncertain "resend"), four connections.
    received = f'received_log = "{log}"\n' if log else ""
    return (
        '[delivery]\ntransport = "smtp"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nrate_per_second = 0\n'
        f"connections = {CONNECTIONS}\ntimeout_seconds = 30\n{received}"
    )


def run_once(config: Path, now: dt.datetime, sink: DurableSink) -> tuple[int, str]:
    """``tbtwarn run --once`` at ``now``; the sink may kill it. Returns its exit
    code and the end of what it printed."""
    output = config.parent / "run-once.out"
    with open(output, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "warning.cli.main", "--config", str(config), "run", "--once"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | {"TBTWARN_NOW": now.isoformat()},
            cwd=ROOT,
        )
        sink.victim = proc.pid
        code = proc.wait(timeout=600)
    return code, output.read_text(encoding="utf-8", errors="replace")[-2000:]


def outbox_ids(folder: Path) -> dict[str, str]:
    """Message-ID -> status of every outbox message."""
    with database(folder) as conn:
        return {
            str(mid): str(status) for mid, status in conn.execute("SELECT message_id, status FROM outbox")
        }


@pytest.mark.parametrize("received_log", [False, True], ids=["resend", "received_log"])
def test_killed_while_sending_over_smtp_costs_at_most_one_duplicate_per_connection(
    tmp_path: Path, folder: Path, received_log: bool
) -> None:
    source = tmp_path / "n.jsonl"
    source.write_text("\n".join(recombined(NOTIFICATIONS)) + "\n", encoding="utf-8")
    sink = DurableSink(tmp_path / "maillog")
    now = dt.datetime.fromisoformat(NOW)
    unrecorded: list[int] = []
    with MailServer(sink) as server:
        log = sink.log if received_log else None
        config = write_config(folder, file_source("n", source), delivery=smtp_delivery(server.port, log))
        start_with_exporters(folder, config, EXPORTERS)
        for stage, held in KILLS:
            sink.kill_at = (stage, held)
            code, printed = run_once(config, now, sink)
            assert code == -signal.SIGKILL, f"not killed at {stage} {held}: {code} {printed}"
            # What the server has that the outbox does not record as sent: sent
            # again at the restart unless the received_log shows it arrived.
            statuses = outbox_ids(folder)
            unrecorded.append(sum(statuses.get(m) != "sent" for m in set(sink.accepted)))
            now += dt.timedelta(minutes=11)  # restarted once the dead run's lease lapsed
        code, printed = run_once(config, now, sink)
        assert code == 0, printed
    statuses = outbox_ids(folder)
    arrived = sink.arrived()
    duplicates = sum(arrived.values()) - len(arrived)
    lost = [m for m in statuses if m not in arrived]
    print(
        f"\n{'received_log' if received_log else 'resend'}: {len(statuses)} messages, "
        f"{len(KILLS)} kills, unrecorded at each kill {unrecorded}, "
        f"{sum(arrived.values())} arrived, {duplicates} duplicates, {len(lost)} lost"
    )
    assert set(statuses.values()) == {"sent"} and set(arrived) == set(statuses)
    assert not lost
    assert all(n <= CONNECTIONS for n in unrecorded), unrecorded
    if received_log:
        assert duplicates == 0
    else:
        assert duplicates <= sum(unrecorded) <= CONNECTIONS * len(KILLS)
