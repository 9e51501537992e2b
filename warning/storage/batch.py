"""Storing a page of notifications at once.

A back-fill brings thousands of notifications that are all new; storing them
one ``upsert_notification`` at a time costs five round trips each. Here the
notifications of one payload that share no symbol with a stored one (nor with
each other) are inserted with one statement per table; the rest go through
``upsert_notification``, which merges. The result is the same as upserting
each in turn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.notifications import UpsertOutcome, _row_values, upsert_notification
from warning.storage.schema import notification_sources, notification_symbols, notifications
from warning.storage.sql import insert_ignore
from warning.types import Notification

_LOOKUP_CHUNK = 500


def _idents(n: Notification) -> list[str]:
    return [s.text for s in n.symbols] or [n.key]


async def _stored_idents(conn: AsyncConnection, idents: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(idents), _LOOKUP_CHUNK):
        chunk = idents[start : start + _LOOKUP_CHUNK]
        rows = await conn.execute(
            sa.select(notification_symbols.c.symbol).where(notification_symbols.c.symbol.in_(chunk))
        )
        found |= {r.symbol for r in rows}
    return found


async def store_notifications(
    conn: AsyncConnection, items: Sequence[Notification], now: dt.datetime, raw_id: int | None = None
) -> list[tuple[int, UpsertOutcome]]:
    """Store ``items`` in order; each result is (notification id, new/updated/unchanged)."""
    stored = await _stored_idents(conn, [i for n in items for i in _idents(n)])
    claimed: set[str] = set(stored)
    fresh: list[int] = []
    for index, n in enumerate(items):
        idents = _idents(n)
        if not claimed.intersection(idents):
            fresh.append(index)
        claimed.update(idents)
    results: dict[int, tuple[int, UpsertOutcome]] = {}
    if fresh:
        rows = [_row_values(items[i]) | {"first_seen_at": now, "updated_at": now} for i in fresh]
        inserted = await conn.execute(
            sa.insert(notifications).returning(notifications.c.id, sort_by_parameter_order=True), rows
        )
        ids = [r.id for r in inserted]
        await insert_ignore(
            conn,
            notification_symbols,
            [
                {"symbol": s, "notification_id": nid}
                for i, nid in zip(fresh, ids, strict=True)
                for s in _idents(items[i])
            ],
        )
        await insert_ignore(
            conn,
            notification_sources,
            [
                {
                    "notification_id": nid,
                    "source_name": items[i].source_name,
                    "source_id": items[i].source_id or items[i].key,
                    "raw_id": raw_id,
                    "seen_at": now,
                }
                for i, nid in zip(fresh, ids, strict=True)
                if items[i].source_name
            ],
        )
        results.update({i: (nid, "new") for i, nid in zip(fresh, ids, strict=True)})
    for index, n in enumerate(items):
        if index not in results:
            # Shares a symbol with a stored notification or an earlier item: merge.
            results[index] = await upsert_notification(conn, n, now, raw_id)
    return [results[i] for i in range(len(items))]
