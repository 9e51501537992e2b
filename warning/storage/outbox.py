"""The outbox: every email is stored before it is delivered.

A message moves ``pending`` -> ``sending`` (claimed, with a lease, committed
before the transport is called) -> ``sent`` or ``failed`` (permanent), or back
to ``pending`` (temporary failure). A ``sending`` message whose lease lapsed
was claimed by a run that died: the delivery step settles it deliberately
(see ``notifications.deliver``); ``uncertain`` holds it for a person.

The MIME bytes are in ``outbox_bodies``, written once with the message and
read by the claims: the status updates rewrite a small row, and listings
read no bodies unless they ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import outbox, outbox_bodies
from warning.types import OUTBOX_STATUSES

STATUSES = OUTBOX_STATUSES  # defined with the domain types: the CLI's --help reads it


@dataclass(frozen=True)
class OutboxMessage:
    """An outbox row; ``message`` (the MIME bytes, kept in ``outbox_bodies``)
    is ``b""`` when read by a listing that does not ask for bodies."""

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
    #: The Message-ID header, stable across retries.
    message_id: str | None = None
    lease_until: dt.datetime | None = None


@dataclass(frozen=True)
class NewMessage:
    """A message to store in the outbox."""

    idempotency_key: str
    recipient: str
    kind: str
    subject: str
    message: bytes
    exporter_id: int | None
    #: The Message-ID header, stable across retries.
    message_id: str | None = None


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
    message_id: str | None = None,
) -> tuple[int, bool]:
    """Store a message to send (its row and its body, in the caller's
    transaction): ``(id, True)``, or ``(existing id, False)`` for a known key."""
    new = NewMessage(idempotency_key, recipient, kind, subject, message, exporter_id, message_id)
    (found,) = await enqueue_many(conn, [new], now)
    return found


#: Keys looked up per statement.
_KEYS_PER_QUERY = 500


async def enqueue_many(
    conn: AsyncConnection, messages: Sequence[NewMessage], now: dt.datetime
) -> list[tuple[int, bool]]:
    """Store messages to send, rows and bodies, in the caller's transaction and
    a few statements: for each, ``(id, True)``, or ``(existing id, False)``
    for a key already stored (or met earlier in ``messages``)."""
    keys = list(dict.fromkeys(m.idempotency_key for m in messages))
    known: dict[str, int] = {}
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start : start + _KEYS_PER_QUERY]
        stored = await conn.execute(
            sa.select(outbox.c.idempotency_key, outbox.c.id).where(outbox.c.idempotency_key.in_(chunk))
        )
        known.update((key, int(found)) for key, found in stored)
    fresh: dict[str, NewMessage] = {}
    for m in messages:
        if m.idempotency_key not in known:
            fresh.setdefault(m.idempotency_key, m)
    created: dict[str, int] = {}
    if fresh:
        rows = [
            {
                "idempotency_key": m.idempotency_key,
                "recipient": m.recipient,
                "exporter_id": m.exporter_id,
                "kind": m.kind,
                "subject": m.subject,
                "message_id": m.message_id,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
            }
            for m in fresh.values()
        ]
        # One INSERT ... RETURNING for them all (SQLAlchemy's "insertmanyvalues").
        result = await conn.execute(sa.insert(outbox).returning(outbox.c.idempotency_key, outbox.c.id), rows)
        created = {key: int(new_id) for key, new_id in result}
        bodies = [{"outbox_id": created[key], "message": m.message} for key, m in fresh.items()]
        await conn.execute(sa.insert(outbox_bodies), bodies)
    out: list[tuple[int, bool]] = []
    for m in messages:
        key = m.idempotency_key
        out.append((known[key], False) if key in known else (created[key], fresh.pop(key, None) is not None))
    return out


def _message(r: sa.Row[object], body: bytes = b"") -> OutboxMessage:
    return OutboxMessage(
        r.id,
        r.idempotency_key,
        r.recipient,
        r.kind,
        r.subject,
        body,
        r.status,
        r.attempts,
        r.last_error,
        r.created_at,
        r.sent_at,
        r.message_id,
        r.lease_until,
    )


#: An outbox row with its body, for the readers that send or show it.
_WITH_BODY = sa.select(outbox, outbox_bodies.c.message).join(
    outbox_bodies, outbox_bodies.c.outbox_id == outbox.c.id
)


async def list_messages(
    conn: AsyncConnection, status: str | None = None, *, limit: int | None = None, bodies: bool = False
) -> list[OutboxMessage]:
    """Outbox messages, oldest first, optionally of one status.

    Their ``message`` is ``b""`` unless ``bodies``: listings of the outbox
    (pages, commands, health) need the status, not tens of KB per message.
    """
    query = (_WITH_BODY if bodies else sa.select(outbox)).order_by(outbox.c.id)
    if status is not None:
        query = query.where(outbox.c.status == status)
    if limit is not None:
        query = query.limit(limit)
    return [_message(r, r.message if bodies else b"") for r in await conn.execute(query)]


async def pending_ids(conn: AsyncConnection) -> list[int]:
    """Ids of the messages waiting to be sent, oldest first."""
    rows = await conn.execute(
        sa.select(outbox.c.id).where(outbox.c.status == "pending").order_by(outbox.c.id)
    )
    return [int(i) for i in rows.scalars()]


async def claim(conn: AsyncConnection, message_id: int, lease_until: dt.datetime) -> OutboxMessage | None:
    """Mark a pending message ``sending`` and return it with its body; ``None`` if another run has it."""
    result = await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == message_id, outbox.c.status == "pending")
        .values(status="sending", lease_until=lease_until, attempts=outbox.c.attempts + 1)
    )
    if result.rowcount != 1:
        return None
    row = (await conn.execute(_WITH_BODY.where(outbox.c.id == message_id))).one()
    return _message(row, row.message)


async def claim_many(
    conn: AsyncConnection, message_ids: Sequence[int], lease_until: dt.datetime
) -> list[OutboxMessage]:
    """Claim the pending ones among ``message_ids`` in one statement; returns
    them with their bodies, oldest first.

    ``RETURNING`` (SQLite 3.35+, PostgreSQL) yields exactly the rows this
    statement changed, so two runs never claim the same message; their bodies
    are read by id in the same transaction.
    """
    if not message_ids:
        return []
    result = await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id.in_(list(message_ids)), outbox.c.status == "pending")
        .values(status="sending", lease_until=lease_until, attempts=outbox.c.attempts + 1)
        .returning(*outbox.c)
    )
    rows = sorted(result, key=lambda r: int(r.id))
    if not rows:
        return []
    found = await conn.execute(
        sa.select(outbox_bodies.c.outbox_id, outbox_bodies.c.message).where(
            outbox_bodies.c.outbox_id.in_([r.id for r in rows])
        )
    )
    bodies = {int(i): m for i, m in found}
    return [_message(r, bodies[int(r.id)]) for r in rows]


#: One constant statement for every record of a delivery run: SQLAlchemy
#: memoises its cache key and its compiled form, so recording a message costs
#: the driver's execute, not building and compiling an UPDATE each time.
_MARK_SENT = (
    sa.update(outbox)
    .where(outbox.c.id == sa.bindparam("sent_id"))
    .values(status="sent", sent_at=sa.bindparam("sent_now"), lease_until=None, last_error=None)
)


async def record_sent(conn: AsyncConnection, message_ids: Sequence[int], now: dt.datetime) -> None:
    """Mark messages ``sent`` (one prepared statement, executed for each id):
    the delivery run's per-message record, on the connection it holds."""
    if message_ids:
        await conn.execute(_MARK_SENT, [{"sent_id": i, "sent_now": now} for i in message_ids])


async def mark_sent_many(conn: AsyncConnection, message_ids: Sequence[int], now: dt.datetime) -> None:
    if message_ids:
        await conn.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(list(message_ids)))
            .values(status="sent", sent_at=now, lease_until=None, last_error=None)
        )


async def lapsed_claims(conn: AsyncConnection, now: dt.datetime) -> list[OutboxMessage]:
    """Messages left ``sending`` by a run that died (their lease has lapsed), with their bodies."""
    rows = await conn.execute(
        _WITH_BODY.where(outbox.c.status == "sending", outbox.c.lease_until <= now).order_by(outbox.c.id)
    )
    return [_message(r, r.message) for r in rows]


async def live_claims(conn: AsyncConnection, now: dt.datetime) -> list[OutboxMessage]:
    """Messages ``sending`` whose lease has not lapsed (a run has them, or had
    them before it died), without bodies: the transport may already be able to
    prove that they arrived."""
    rows = await conn.execute(
        sa.select(outbox)
        .where(outbox.c.status == "sending", outbox.c.lease_until > now)
        .order_by(outbox.c.id)
    )
    return [_message(r) for r in rows]


async def mark_sent(conn: AsyncConnection, message_id: int, now: dt.datetime) -> None:
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == message_id)
        .values(status="sent", sent_at=now, lease_until=None, last_error=None)
    )


async def mark_failed(conn: AsyncConnection, message_id: int, error: str, *, permanent: bool) -> None:
    """Record a failed attempt: ``failed`` if permanent, else back to ``pending`` for a retry."""
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == message_id)
        .values(status="failed" if permanent else "pending", lease_until=None, last_error=error)
    )


async def mark_uncertain(conn: AsyncConnection, message_id: int, why: str) -> None:
    """Hold a message whose delivery cannot be settled, for a person to decide."""
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == message_id)
        .values(status="uncertain", lease_until=None, last_error=why)
    )


async def requeue(conn: AsyncConnection, message_id: int, why: str) -> None:
    """Put a lapsed or held message back to ``pending`` (it will be sent again)."""
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == message_id)
        .values(status="pending", lease_until=None, last_error=why)
    )
