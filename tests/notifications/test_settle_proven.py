"""A run killed right after delivering leaves its messages ``sending`` under a
lease. The next run must not wait for the lease to lapse to record what the
transport proves arrived (the .eml file is there; the SMTP server's
``received_log`` names it): that left delivered mail unrecorded across a
restart and a stop (the flaky
``test_killed_at_each_stage_then_stopped_while_sending``). What cannot be
proven still waits for the lease."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from notifications.compose import compose_digests
from notifications.deliver import deliver_pending
from notifications.transports.eml_dir import EmlDirectoryTransport
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import MailServer, Recorder, notification, parse, seed, smtp_config
from warning.clock import FixedClock
from warning.runtime import Runtime
from warning.storage.outbox import claim_many, list_messages, pending_ids


async def _claim_all(rt: Runtime) -> list[int]:
    """Claim every pending message as a run does (lease of ``lease_seconds``)."""
    lease = rt.now() + dt.timedelta(seconds=rt.config.smtp.lease_seconds)
    async with rt.db.begin() as conn:
        return [m.id for m in await claim_many(conn, await pending_ids(conn), lease)]


async def _statuses(rt: Runtime) -> dict[int, str]:
    async with rt.db.begin() as conn:
        return {m.id: m.status for m in await list_messages(conn)}


async def test_written_eml_files_of_a_killed_run_are_recorded_at_once(
    make_runtime: MakeRuntime, clock: FixedClock, tmp_path: Path
) -> None:
    rt = await make_runtime("outbox")
    await seed(rt, [(notification("G/TBT/N/USA/1"), None)])
    await compose_digests(rt)
    claimed = await _claim_all(rt)
    assert len(claimed) == 3
    # The killed run wrote the first two, then died before recording them.
    async with rt.db.begin() as conn:
        messages = await list_messages(conn, "sending", bodies=True)
    folder = tmp_path / "var" / "outbox"
    for message in messages[:2]:
        await EmlDirectoryTransport(folder).deliver(message)

    clock.advance(dt.timedelta(seconds=5))  # restarted at once: the lease (600 s) still runs
    outcome = await deliver_pending(rt)
    assert outcome.settled == 2 and outcome.sent == 0
    assert await _statuses(rt) == {claimed[0]: "sent", claimed[1]: "sent", claimed[2]: "sending"}
    assert len(list(folder.glob("*.eml"))) == 2

    clock.advance(dt.timedelta(minutes=11))  # the lease of the unwritten one lapsed
    outcome = await deliver_pending(rt)
    assert outcome.settled == 1 and outcome.sent == 1
    assert set((await _statuses(rt)).values()) == {"sent"}
    assert len(list(folder.glob("*.eml"))) == 3


async def test_messages_in_the_received_log_are_recorded_without_waiting_for_the_lease(
    make_runtime: MakeRuntime, clock: FixedClock, tmp_path: Path
) -> None:
    log = tmp_path / "maillog"
    recorder = Recorder(log=log)
    with MailServer(recorder) as server:
        rt = await make_runtime("smtp", smtp_config(server.port, log))
        await seed(rt, [(notification("G/TBT/N/USA/1"), None)])
        await compose_digests(rt)
        claimed = await _claim_all(rt)
        async with rt.db.begin() as conn:
            first = (await list_messages(conn, "sending", bodies=True))[0]
        # The killed run's first message had arrived (the server logged it).
        log.write_text(f"cleanup: message-id={parse(first.message)['Message-ID']}\n", encoding="utf-8")
        clock.advance(dt.timedelta(seconds=5))
        outcome = await deliver_pending(rt)
    assert outcome.settled == 1 and outcome.sent == 0 and recorder.messages == []
    assert await _statuses(rt) == {claimed[0]: "sent", claimed[1]: "sending", claimed[2]: "sending"}
