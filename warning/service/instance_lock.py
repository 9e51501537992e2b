"""SQLite serves one ``tbtwarn run`` at a time; a second one is refused at start.

Several instances need PostgreSQL (their jobs are shared out by the leases of
:mod:`warning.service.leases`). On SQLite the daemon holds an exclusive
``flock`` on ``<database>.instance`` for its whole life: the kernel releases it
when the process ends, however it ends, so a crash never leaves a stale lock.
One-shot commands (``run --once``, ``send``...) do not take it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from warning.exceptions import InstanceRunning
from warning.storage.database import sqlite_file


@contextlib.contextmanager
def single_instance(database_url: str) -> Iterator[None]:
    """Hold the instance lock of a SQLite database (nothing for other databases).

    Raises :class:`InstanceRunning` naming the holder's pid when another daemon holds it.
    """
    path = sqlite_file(database_url)
    if path is None:
        yield
        return
    lock_path = Path(f"{path}.instance")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise InstanceRunning(
                f"another tbtwarn run (pid {holder}) is using {path}; SQLite serves one instance: "
                "stop it, or move to PostgreSQL to run several"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)
