"""The .eml outbox folder on a full disk: the write fails with the kernel's
ENOSPC (``/dev/full`` stands in for the file being written), the partial
file is removed, and the message is written whole once there is room."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest

from notifications.transports.eml_dir import EmlDirectoryTransport, eml_name
from warning.exceptions import DeliveryError
from warning.storage.outbox import OutboxMessage

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
