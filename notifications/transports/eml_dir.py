"""The ``outbox`` transport: each message becomes an .eml file in a folder."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
from pathlib import Path

from warning.exceptions import DeliveryError, TransportUnavailable
from warning.storage.outbox import OutboxMessage

#: A full disk, or a full quota: no message can be written until room is made.
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


def eml_name(message: OutboxMessage) -> str:
    """A file name fixed by the message's idempotency key."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
    return f"{message.id:06d}-{digest}.eml"


class EmlDirectoryTransport:
    """Writes messages atomically; a message already written is not written again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _write(self, message: OutboxMessage) -> None:
        target = self.folder / eml_name(message)
        if target.exists():
            return  # delivered before a crash kept us from marking it sent
        tmp = target.with_suffix(".eml.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(message.message)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
            # A full disk leaves a partial file: removed, so it frees what it took.
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, target)

    async def deliver(self, message: OutboxMessage) -> None:
        try:
            await asyncio.to_thread(self._write, message)
        except OSError as exc:
            if exc.errno in _NO_ROOM:
                # Every other message would fail the same way: the run stops
                # here (no retry, no back-off) and the rest waits, pending, for
                # a run after room is made.
                raise TransportUnavailable(
                    f"cannot write {self.folder}: {exc.strerror}; delivery deferred until there is room",
                    permanent=True,
                ) from None
            raise DeliveryError(f"cannot write {self.folder}: {exc.strerror or exc}") from None

    async def was_delivered(self, message: OutboxMessage) -> bool | None:
        # The file is renamed into place atomically: present means delivered.
        return (self.folder / eml_name(message)).exists()

    async def close(self) -> None:
        return None
