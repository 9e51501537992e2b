"""The outbox: every email is stored before it is delivered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import outbox
from warning.storage.sql import insert_returning_id


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    idempotency_key: str
    recipient: str
    kind: str
    subject: str
    message: bytes
    status: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


async def enqueue(
    conn: AsyncConnection,
    *,
    idempotency_key: str,
    recipient: str,
    kind: str,
    subject: str,
    message: bytes,
    exporter_id: int | None,
    now: dt.datetime,
) -> int:
    """Store a message to send; a key already queued returns the existing id."""
    found = (
        await conn.execute(sa.select(outbox.c.id).where(outbox.c.idempotency_key == idempotency_key))
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    return await insert_returning_id(
        conn,
        outbox,
        {
            "idempotency_key": idempotency_key,
            "recipient": recipient,
            "exporter_id": exporter_id,
            "kind": kind,
            "subject": subject,
            "message": message,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        },
    )


def _message(r: sa.Row[object]) -> OutboxMessage:
    return OutboxMessage(
        r.id,
        r.idempotency_key,
        r.recipient,
        r.kind,
        r.subject,
        r.message,
        r.status,
        r.attempts,
        r.last_error,
        r.created_at,
        r.sent_at,
    )


async def list_messages(conn: AsyncConnection, status: str | None = None) -> list[OutboxMessage]:
    """Outbox messages, oldest first, optionally of one status."""
    query = sa.select(outbox).order_by(outbox.c.id)
    if status is not None:
        query = query.where(outbox.c.status == status)
    return [_message(r) for r in await conn.execute(query)]


async def mark_sent(conn: AsyncConnection, message_id: int, now: dt.datetime) -> None:
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == message_id)
        .values(status="sent", sent_at=now, attempts=outbox.c.attempts + 1, last_error=None)
    )


async def mark_failed(conn: AsyncConnection, message_id: int, error: str, *, permanent: bool) -> None:
    """Record a failed attempt; a permanent failure is not retried."""
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == message_id)
        .values(
            status="failed" if permanent else "pending",
            attempts=outbox.c.attempts + 1,
            last_error=error,
        )
    )
