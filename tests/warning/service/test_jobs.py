"""The daemon's jobs around a stop: the email in hand is finished and recorded."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from notifications.deliver import deliver_pending
from notifications.transports.eml_dir import EmlDirectoryTransport
from warning.runtime import Runtime
from warning.service.jobs import StopAwareTransport
from warning.storage.outbox import OutboxMessage, enqueue
from warning.storage.schema import outbox


class StopsAfterFirst:
    """Writes .eml files; the service is asked to stop while the first is being sent."""

    def __init__(self, inner: EmlDirectoryTransport, stopping: asyncio.Event) -> None:
        self.inner = inner
        self.stopping = stopping

    async def deliver(self, message: OutboxMessage) -> None:
        self.stopping.set()
        await self.inner.deliver(message)

    async def was_delivered(self, message: OutboxMessage) -> bool | None:
        return await self.inner.was_delivered(message)

    async def close(self) -> None:
        await self.inner.close()


async def test_stop_mid_batch_records_what_was_sent_and_leaves_the_rest_pending(runtime: Runtime) -> None:
    async with runtime.db.begin() as conn:
        for n in range(5):
            await enqueue(
                conn,
                idempotency_key=f"k{n}",
                recipient=f"r{n}@example.com",
                kind="immediate",
                subject=f"s{n}",
                message=b"Subject: s\r\n\r\nbody\r\n",
                exporter_id=None,
                now=runtime.now(),
            )
    stopping = asyncio.Event()
    folder = runtime.config.delivery.outbox_dir
    transport = StopAwareTransport(StopsAfterFirst(EmlDirectoryTransport(folder), stopping), stopping)
    outcome = await deliver_pending(runtime, transport)
    assert (outcome.sent, outcome.failed, outcome.deferred) == (1, 0, 4)
    async with runtime.db.begin() as conn:
        rows = (
            await conn.execute(sa.select(outbox.c.status, outbox.c.last_error).order_by(outbox.c.id))
        ).all()
    assert rows[0].status == "sent" and len(list(folder.glob("*.eml"))) == 1
    assert {(r.status, r.last_error) for r in rows[1:]} == {
        ("pending", "service stopping; the rest of the outbox waits for the next start")
    }
