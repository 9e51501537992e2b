"""A sending process killed (SIGKILL) part-way, then restarted: every recipient
ends with each email exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from notifications.compose import compose_digests
from tests.conftest import NOW, ROOT
from tests.notifications.conftest import write_delivery_config
from tests.notifications.helpers import MailServer, Recorder, notification, seed, smtp_config
from warning.clock import FixedClock
from warning.config import load_config
from warning.runtime import Runtime
from warning.storage.outbox import list_messages

RECIPIENTS = ("zh@luyuan.example.com", "en@qilu.example.com", "boss@qilu.example.com")


async def _prepare(config: Path) -> None:
    rt = await Runtime.open(load_config(config), FixedClock(NOW))
    try:
        await seed(rt, [(notification("G/TBT/N/USA/1"), None)])
        await compose_digests(rt)
        await seed(rt, [(notification("G/TBT/N/USA/2"), "orange")])
        await compose_digests(rt)
    finally:
        await rt.close()


async def _statuses(config: Path) -> list[str]:
    rt = await Runtime.open(load_config(config), FixedClock(NOW))
    try:
        async with rt.db.begin() as conn:
            return [m.status for m in await list_messages(conn)]
    finally:
        await rt.close()


def _send(config: Path, now: dt.datetime) -> subprocess.Popen[str]:
    env = {**os.environ, "TBTWARN_NOW": now.isoformat()}
    return subprocess.Popen(
        [sys.executable, "-m", "warning.cli.main", "--config", str(config), "send"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_killed_sender_restarted_delivers_each_email_exactly_once(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    # The server keeps message 3 and logs it, then holds its "250" until released:
    # the sender is killed while waiting for that reply. One connection, two
    # messages claimed at a time (and the next two claimed ahead).
    recorder = Recorder(log=log, hold_at=3)
    with MailServer(recorder) as server:
        config = write_delivery_config(tmp_path, "smtp", smtp_config(server.port, log, "batch_size = 2\n", 1))
        asyncio.run(_prepare(config))
        first = _send(config, NOW)
        assert recorder.held.wait(300), first.communicate()[
            0
        ]  # a bound on a hang: start-up under load took > 60 s
        first.kill()  # SIGKILL: no clean-up of any kind
        first.wait()
        recorder.release.set()
        assert recorder.wait_for(3)
        statuses = asyncio.run(_statuses(config))
        # Marks trail the sending (written beside it): 1 and 2 arrived and may or
        # may not be marked yet; 3 (in flight) and 4 (claimed) are "sending";
        # 5 and 6 were at most claimed ahead; nothing is marked sent that did not arrive.
        assert set(statuses[:2]) <= {"sent", "sending"} and statuses[2:4] == ["sending"] * 2
        assert set(statuses[4:]) <= {"sending", "pending"}
        undecided = statuses.count("sending")

        # Restarted after the dead run's lease lapsed.
        second = _send(config, NOW + dt.timedelta(minutes=11))
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 0, out
    # 1-3 are in the server's log: marked sent, not resent; 4-6 are not: sent now.
    assert "3 delivered" in out and f"{undecided} settled after a stop" in out
    assert recorder.per_recipient() == dict.fromkeys(RECIPIENTS, 2)
    assert asyncio.run(_statuses(config)) == ["sent"] * 6


def test_each_delivered_email_is_recorded_before_the_next_starts(tmp_path: Path) -> None:
    # One connection, batches of 2: the server keeps message 4 and holds its "250";
    # the sender is killed then. 1-3 had their 250: each recorded sent before the
    # next began (recorded with the next claim, 3 stayed "sending" and was sent
    # again at the restart without a received_log). Only the one in flight is undecided.
    recorder = Recorder(hold_at=4)
    with MailServer(recorder) as server:
        config = write_delivery_config(
            tmp_path, "smtp", smtp_config(server.port, extra="batch_size = 2\n", connections=1)
        )
        asyncio.run(_prepare(config))
        first = _send(config, NOW)
        assert recorder.held.wait(300), first.communicate()[
            0
        ]  # a bound on a hang: start-up under load took > 60 s
        first.kill()
        first.wait()
        recorder.release.set()
        statuses = asyncio.run(_statuses(config))
        assert statuses[:3] == ["sent"] * 3 and set(statuses[3:]) == {"sending"}

        second = _send(config, NOW + dt.timedelta(minutes=11))
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 0, out
    # Without a received_log the one in flight is sent again (at least once): one duplicate.
    assert len(recorder.messages) == 6 + 1
    assert asyncio.run(_statuses(config)) == ["sent"] * 6
