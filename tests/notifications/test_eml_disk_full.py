"""The .eml outbox folder on a full disk: the write fails with the kernel's
ENOSPC (``/dev/full`` stands in for the file being written), the partial
file is removed, the run is deferred at once (no retry per message), and
every message is written whole once there is room."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest

from notifications.compose import compose_digests
from notifications.deliver import deliver_pending
from notifications.transports.eml_dir import EmlDirectoryTransport, eml_name
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import notification, seed
from warning.exceptions import DeliveryError
from warning.storage.outbox import OutboxMessage, list_messages

BODY = b"Subject: x\r\n\r\n" + b"A" * 200_000


def _message() -> OutboxMessage:
    now = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    return OutboxMessage(
        7,
        "daily:2026-11-25:a@b.example:1:abc",
        "a@b.example",
        "daily",
        "x",
        BODY,
        "sending",
        1,
        None,
        now,
        None,
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
async def test_a_full_disk_fails_the_write_cleanly_and_the_retry_writes_it_whole(tmp_path: Path) -> None:
    transport = EmlDirectoryTransport(tmp_path)
    message = _message()
    target = tmp_path / eml_name(message)
    partial = target.with_suffix(".eml.tmp")
    partial.symlink_to("/dev/full")  # every write to it: ENOSPC
    with pytest.raises(DeliveryError, match=os.strerror(errno.ENOSPC)):
        await transport.deliver(message)
    assert not partial.exists() and not partial.is_symlink()  # nothing half-written is left
    assert not target.exists() and await transport.was_delivered(message) is False
    await transport.deliver(message)  # room again
    assert target.read_bytes() == BODY and await transport.was_delivered(message) is True
    assert sorted(os.listdir(tmp_path)) == [target.name]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
async def test_a_full_disk_defers_the_run_at_once_and_the_next_run_writes_everything(
    make_runtime: MakeRuntime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rt = await make_runtime("outbox")
    await seed(rt, [(notification("G/TBT/N/USA/1"), None)])
    await compose_digests(rt)
    async with rt.db.begin() as conn:
        messages = await list_messages(conn)
    folder = tmp_path / "var" / "outbox"
    folder.mkdir(parents=True)
    partials = [folder / eml_name(m).replace(".eml", ".eml.tmp") for m in messages]
    for partial in partials:
        partial.symlink_to("/dev/full")  # the disk is full for every message

    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    outcome = await deliver_pending(rt, sleep=sleep)
    # Deferred at the first ENOSPC: no retry, no back-off, the other messages untried
    # (their stand-ins are still there), one line saying why, nothing lost or partial.
    assert (outcome.sent, outcome.failed, outcome.deferred) == (0, 0, 3) and sleeps == []
    assert len(outcome.errors) == 1
    assert "No space left on device; delivery deferred until there is room" in outcome.errors[0]
    assert "3 messages left pending" in outcome.errors[0]
    assert [p.is_symlink() for p in partials] == [False, True, True]
    assert not list(folder.glob("*.eml"))
    async with rt.db.begin() as conn:
        assert {m.status for m in await list_messages(conn)} == {"pending"}

    for partial in partials[1:]:
        partial.unlink()  # room again
    outcome = await deliver_pending(rt, sleep=sleep)
    assert (outcome.sent, outcome.deferred) == (3, 0) and sleeps == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(eml_name(m) for m in messages)
