"""Raw payloads, quarantine and per-source state."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import quarantine, raw_records, source_state
from warning.storage.sql import insert_ignore, insert_returning_id
from warning.types import RawRecord, RecordError


async def store_raw(conn: AsyncConnection, raw: RawRecord) -> tuple[int, bool]:
    """Keep a fetched payload; returns its id and whether it is new.

    A payload byte-identical to one already stored for the same source is not
    stored again.
    """
    digest = hashlib.sha256(raw.payload).hexdigest()
    existing = await conn.execute(
        sa.select(raw_records.c.id).where(
            raw_records.c.source_name == raw.source_name, raw_records.c.sha256 == digest
        )
    )
    found = existing.scalar_one_or_none()
    if found is not None:
        return found, False
    raw_id = await insert_returning_id(
        conn,
        raw_records,
        {
            "source_name": raw.source_name,
            "locator": raw.locator,
            "content_type": raw.content_type,
            "sha256": digest,
            "payload": raw.payload,
            "fetched_at": raw.fetched_at,
        },
    )
    return raw_id, True


async def load_raw(
    conn: AsyncConnection, source_name: str, *, unparsed_only: bool = False
) -> list[tuple[int, RawRecord]]:
    """A source's stored payloads, oldest first; optionally only those not yet parsed."""
    query = sa.select(raw_records).where(raw_records.c.source_name == source_name).order_by(raw_records.c.id)
    if unparsed_only:
        query = query.where(raw_records.c.parsed_at.is_(None))
    return [
        (r.id, RawRecord(r.source_name, r.locator, r.payload, r.content_type, r.fetched_at))
        for r in await conn.execute(query)
    ]


async def mark_parsed(conn: AsyncConnection, raw_id: int, now: dt.datetime) -> None:
    """Record that what a payload held has been stored."""
    await conn.execute(sa.update(raw_records).where(raw_records.c.id == raw_id).values(parsed_at=now))


async def quarantine_record(
    conn: AsyncConnection, error: RecordError, raw_id: int | None, now: dt.datetime
) -> None:
    """Put a malformed record aside with its reason and raw text (once)."""
    await insert_ignore(
        conn,
        quarantine,
        [
            {
                "source_name": error.source_name,
                "raw_id": raw_id,
                "position": error.position,
                "reason": error.reason,
                "raw_text": error.raw_text,
                "created_at": now,
            }
        ],
    )


@dataclass(frozen=True)
class QuarantinedItem:
    id: int
    source_name: str
    position: str
    reason: str
    raw_text: str
    created_at: dt.datetime


async def list_quarantine(conn: AsyncConnection, limit: int = 1000) -> list[QuarantinedItem]:
    """Quarantined records, newest first."""
    rows = await conn.execute(sa.select(quarantine).order_by(quarantine.c.id.desc()).limit(limit))
    return [
        QuarantinedItem(r.id, r.source_name, r.position, r.reason, r.raw_text, r.created_at) for r in rows
    ]


@dataclass(frozen=True)
class SourceHealth:
    source_name: str
    cursor: dict[str, Any]
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error: str | None
    consecutive_failures: int


async def get_source_state(conn: AsyncConnection, name: str) -> SourceHealth:
    """The stored state of a source (empty for a source never run)."""
    row = (
        await conn.execute(sa.select(source_state).where(source_state.c.source_name == name))
    ).one_or_none()
    if row is None:
        return SourceHealth(name, {}, None, None, None, 0)
    return SourceHealth(
        name,
        dict(row.cursor),
        row.last_success_at,
        row.last_error_at,
        row.last_error,
        row.consecutive_failures,
    )


async def record_source_result(
    conn: AsyncConnection,
    name: str,
    now: dt.datetime,
    *,
    error: str | None = None,
    cursor: dict[str, Any] | None = None,
) -> None:
    """Record a source run's success (with its new cursor) or failure."""
    state = await get_source_state(conn, name)
    if error is None:
        values: dict[str, Any] = {
            "cursor": cursor if cursor is not None else state.cursor,
            "last_success_at": now,
            "last_error_at": state.last_error_at,
            "last_error": state.last_error,
            "consecutive_failures": 0,
        }
    else:
        values = {
            "cursor": state.cursor,
            "last_success_at": state.last_success_at,
            "last_error_at": now,
            "last_error": error,
            "consecutive_failures": state.consecutive_failures + 1,
        }
    await conn.execute(sa.delete(source_state).where(source_state.c.source_name == name))
    await conn.execute(sa.insert(source_state).values(source_name=name, **values))


async def list_source_states(conn: AsyncConnection) -> list[SourceHealth]:
    rows = await conn.execute(sa.select(source_state.c.source_name).order_by(source_state.c.source_name))
    return [await get_source_state(conn, r.source_name) for r in rows]
