"""The SMTP server (real aiosmtpd on 127.0.0.1) down for several delivery
cycles of the running daemon, then back: mail queued meanwhile waits in the
outbox, is retried each cycle, never marked failed, and arrives exactly once.
On SQLite and, when ``TBTWARN_TEST_PG_URL`` is set, on PostgreSQL."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from tests.reliability.harness import (
    Daemon,
    Event,
    assert_same_mail,
    database,
    emails_by_recipient,
    exporters_csv,
    file_source,
    mailed,
    quiescent,
    recombined,
    reference_run,
    scalar,
    start_with_exporters,
    tbtwarn,
    write_config,
)
from tests.reliability.servers import Mailbox, MailServer
from tests.reliability.test_faults import healthz, lines

EXPORTERS = exporters_csv(30)
#: Delivery cycles that must fail while the server is down.
CYCLES_DOWN = 4


def smtp_delivery(port: int) -> str:
    # Every pending message is claimed by each run (one batch), so each
    # failed run shows as one more attempt on every message.
    return (
        '[delivery]\ntransport = "smtp"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nrate_per_second = 0\nretries = 2\n'
        "backoff_seconds = 1\nbatch_size = 500\ntimeout_seconds = 5\n"
    )


def delivery_failed(e: Event) -> bool:
    return e.get("event") == "delivery_failed"


def test_smtp_server_down_for_several_cycles_then_back(
    tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "n.jsonl"
    source.write_text(lines(recombined(20)), encoding="utf-8")
    mailbox = Mailbox()
    with MailServer(mailbox) as server:
        config = write_config(folder, file_source("n", source), delivery=smtp_delivery(server.port))
        start_with_exporters(folder, config, EXPORTERS)
        daemon = Daemon(config)
        port = int(daemon.wait_event(lambda e: e.get("event") == "daemon_ready", "start")["port"])
        daemon.wait_settled(quiescent(folder, 20), "the first notifications mailed")
        first = len(mailbox.messages())
        assert first == scalar(folder, "SELECT count(*) FROM outbox WHERE status = 'sent'") > 0
        last_before = scalar(folder, "SELECT max(id) FROM outbox")

        server.down()
        failed_before = daemon.count(delivery_failed)
        source.write_text(lines(recombined(40)), encoding="utf-8")  # new notifications while down

        def retried() -> bool:
            waiting = scalar(folder, f"SELECT min(attempts) FROM outbox WHERE id > {last_before}")
            return waiting is not None and waiting >= CYCLES_DOWN

        daemon.wait_until(
            lambda: retried() and daemon.count(delivery_failed) >= failed_before + CYCLES_DOWN,
            f"{CYCLES_DOWN} delivery cycles failing on the closed port",
        )
        # A delivery run may hold them ("sending") right now; none failed, each says why it waits.
        with database(folder) as conn:
            waiting = conn.execute(
                f"SELECT status, last_error FROM outbox WHERE id > {last_before}"
            ).fetchall()
        assert waiting and {status for status, _ in waiting} <= {"pending", "sending"}
        assert all(f"cannot connect to 127.0.0.1:{server.port}" in error for _, error in waiting)
        # The outbox as officials list it: nothing failed, the waiting mail retried, with the reason.
        capsys.readouterr()  # what the exporters' import printed
        tbtwarn(config, "outbox", "list", "--status", "failed")
        assert capsys.readouterr().out == "0 messages\n"
        tbtwarn(config, "outbox", "list")
        listing = [
            line
            for line in capsys.readouterr().out.splitlines()
            if (found := re.match(r"#(\d+) ", line)) and int(found[1]) > last_before
        ]
        assert len(listing) >= len(waiting)
        assert all(f"(cannot connect to 127.0.0.1:{server.port}: " in line for line in listing)
        assert max(int(n) for n in re.findall(r" attempts=(\d+) ", "\n".join(listing))) >= CYCLES_DOWN
        _, health = healthz(port)
        assert health["outbox_failed"] == 0
        assert len(mailbox.messages()) == first

        server.up()
        daemon.wait_settled(quiescent(folder, 40), "the waiting mail delivered once the server is back")
        code, took = daemon.stop(signal.SIGTERM)
        assert code == 0 and took < 10

    with database(folder) as conn:
        rows = conn.execute("SELECT id, recipient, message_id, status, attempts FROM outbox").fetchall()
    assert {status for *_, status, _ in rows} == {"sent"}
    # The mail of the outage was retried in every failed cycle, the rest went at once.
    assert min(attempts for id_, *_, attempts in rows if id_ > last_before) > 1
    assert {attempts for id_, *_, attempts in rows if id_ <= last_before} == {1}
    # Each queued email arrived exactly once, at its recipient.
    arrived = mailbox.message_ids()
    assert set(arrived.values()) == {1}, [k for k, n in arrived.items() if n > 1]
    assert set(arrived) == {(recipient, message_id) for _, recipient, message_id, _, _ in rows}

    reference = reference_run(tmp_path / "reference", file_source("n", source), EXPORTERS)
    got = emails_by_recipient(data for _, data in mailbox.messages())
    assert_same_mail(got, mailed(reference / "var" / "outbox"))
