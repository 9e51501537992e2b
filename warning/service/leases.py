"""Which instance runs what, when several ``tbtwarn run`` share one database.

Each scheduled job runs under a lease ``job:<id>`` taken in the database, so it
runs once across every instance; the steps that write shared state
(classification, alerts, mail) also take ``shared-state``, so they run one at a
time across instances as they do within one. A holder renews its leases every
third of ``[schedule] lease_seconds`` and deletes them when done or stopping;
the leases of an instance that crashed lapse after ``lease_seconds``, and the
next instance whose scheduler fires the job takes it over. Renewal that finds a
lease lost (the instance stalled longer than the lease) is logged: the work in
hand still finishes, and what it writes is idempotent (collection upserts,
alerts are unique per exporter and measure, the outbox is claimed atomically).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator

from sqlalchemy.exc import SQLAlchemyError

from warning.runtime import Runtime
from warning.storage.leases import release, renew, try_acquire

log = logging.getLogger("tbtwarn.leases")

#: The lease of the steps that write shared state.
SHARED_STATE = "shared-state"


def job_lease(job_id: str) -> str:
    return f"job:{job_id}"


def default_instance_name() -> str:
    """``host:pid``: unique among running instances, readable in ``tbtwarn health``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaseKeeper:
    """The leases one instance holds, kept alive while it works."""

    def __init__(self, rt: Runtime, holder: str, seconds: float, poll_seconds: float = 0.25) -> None:
        self.rt = rt
        self.holder = holder
        self.seconds = seconds
        self.poll_seconds = poll_seconds
        self.held: set[str] = set()

    async def acquire(self, name: str) -> bool:
        """Take ``name`` if no other instance holds it; False otherwise (or when the database is down)."""
        try:
            async with self.rt.db.begin() as conn:
                got = await try_acquire(conn, name, self.holder, self.seconds)
        except (SQLAlchemyError, OSError) as exc:
            log.error("lease %s: database: %s", name, exc, extra={"event": "lease_error", "lease": name})
            return False
        if got:
            self.held.add(name)
        return got

    @contextlib.asynccontextmanager
    async def waiting(self, name: str, stop: asyncio.Event) -> AsyncIterator[bool]:
        """Hold ``name`` for the block, waiting while another instance holds it.

        Yields False (holding nothing) when ``stop`` is set before the lease is free.
        """
        while not await self.acquire(name):
            if stop.is_set():
                yield False
                return
            # Real seconds: the lease's holder is another process, on the database's clock.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_seconds)
        try:
            yield True
        finally:
            await self.release(name)

    async def release(self, name: str) -> None:
        self.held.discard(name)
        try:
            async with self.rt.db.begin() as conn:
                await release(conn, [name], self.holder)
        except (SQLAlchemyError, OSError) as exc:
            # It lapses by itself after ``seconds``.
            log.warning("lease %s not released: %s", name, exc, extra={"event": "lease_error", "lease": name})

    async def release_all(self) -> None:
        """Give up every held lease in one statement (at stop)."""
        names = sorted(self.held)
        self.held.clear()
        if not names:
            return
        try:
            async with self.rt.db.begin() as conn:
                await release(conn, names, self.holder)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("leases not released: %s", exc, extra={"event": "lease_error"})

    async def renew_once(self) -> list[str]:
        """Extend every held lease; returns (and forgets) those found lost."""
        names = sorted(self.held)
        if not names:
            return []
        async with self.rt.db.begin() as conn:
            lost = await renew(conn, names, self.holder, self.seconds)
        for name in lost:
            self.held.discard(name)
            log.error(
                "lease %s lost: another instance took it over (this one stalled longer than %s s)",
                name,
                self.seconds,
                extra={"event": "lease_lost", "lease": name},
            )
        return lost

    async def keep_alive(self, stop: asyncio.Event) -> None:
        """Renew every third of the lease until ``stop`` is set."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.seconds / 3)
            if stop.is_set():
                return
            try:
                await self.renew_once()
            except (SQLAlchemyError, OSError) as exc:
                log.warning("leases not renewed: %s", exc, extra={"event": "lease_error"})
