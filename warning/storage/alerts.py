"""Alerts: one per (notification, exporter), never created twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import alerts
from warning.storage.sql import insert_ignore
from warning.types import Level, ProductMatch, Reason


async def add_alert(
    conn: AsyncConnection,
    notification_id: int,
    exporter_id: int,
    matches: Sequence[ProductMatch],
    now: dt.datetime,
) -> None:
    """Record that a notification concerns an exporter (ignored if already known)."""
    await insert_ignore(
        conn,
        alerts,
        [
            {
                "notification_id": notification_id,
                "exporter_id": exporter_id,
                "matches": [asdict(m) for m in matches],
                "reasons": [],
                "created_at": now,
            }
        ],
    )


def matches_from_json(data: Sequence[dict[str, Any]]) -> tuple[ProductMatch, ...]:
    return tuple(ProductMatch(**m) for m in data)


def reasons_to_json(reasons: Sequence[Reason]) -> list[dict[str, str]]:
    """Reasons as stored: a list of ``{"code", "en", "zh"}``."""
    return [{"code": r.code, "en": r.en, "zh": r.zh} for r in reasons]


def reasons_from_json(data: Sequence[dict[str, str]]) -> tuple[Reason, ...]:
    """The stored ``reasons`` column back as :class:`Reason` values."""
    return tuple(Reason(**r) for r in data)


async def thread_alerts(
    conn: AsyncConnection, keys: Sequence[str] | None = None
) -> dict[tuple[str, int], sa.Row[Any]]:
    """Alerts by (thread key, exporter id), of every thread or of ``keys``; the oldest when several."""
    if keys is None:
        rows = list(await conn.execute(sa.select(alerts).order_by(alerts.c.id.desc())))
    else:
        rows = []
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            rows += await conn.execute(sa.select(alerts).where(alerts.c.thread_key.in_(chunk)))
        rows.sort(key=lambda r: -r.id)
    return {(r.thread_key or "", r.exporter_id): r for r in rows}


def _matches_json(matches: Sequence[ProductMatch]) -> list[dict[str, Any]]:
    # Built by hand: dataclasses.asdict deep-copies, and this runs per alert.
    return [
        {"hs_code": m.hs_code, "level": m.level, "score": m.score, "method": m.method, "evidence": m.evidence}
        for m in matches
    ]


async def upsert_thread_alerts(
    conn: AsyncConnection,
    items: Sequence[tuple[sa.Row[Any] | None, AlertUpdate]],
    now: dt.datetime,
) -> int:
    """Create the alert of a measure for an exporter, or update the one it
    has, for many (existing row, update) pairs in batched statements.

    A follow-up never adds an alert: it moves the level and reasons of the
    thread's alert (``previous_level`` and ``level_changed_at`` record a
    change). Returns the number of alerts created.
    """
    inserts: list[dict[str, Any]] = []
    updates: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for existing, new in items:
        reasons = reasons_to_json(new.reasons)
        values = {
            "matches": _matches_json(new.matches),
            "level": new.level,
            "reasons": reasons,
            "updated_at": now,
        }
        if existing is None:
            inserts.append(
                values
                | {
                    "notification_id": new.notification_id,
                    "exporter_id": new.exporter_id,
                    "thread_key": new.thread_key,
                    "created_at": now,
                }
            )
            continue
        moved = existing.level is not None and existing.level != new.level
        if moved:
            values |= {"previous_level": existing.level, "level_changed_at": now}
        elif existing.level == new.level and existing.reasons == reasons:
            continue  # nothing new: keep updated_at as it was
        updates[moved].append(values | {"alert_id": existing.id})
    for start in range(0, len(inserts), 1000):
        await insert_ignore(conn, alerts, inserts[start : start + 1000])
    statement = sa.update(alerts).where(alerts.c.id == sa.bindparam("alert_id"))
    for rows in updates.values():
        for start in range(0, len(rows), 1000):
            await conn.execute(statement, rows[start : start + 1000])
    return len(inserts)


@dataclass(frozen=True)
class AlertUpdate:
    """The current level of a measure for an exporter, to store on its alert."""

    notification_id: int
    exporter_id: int
    thread_key: str
    matches: tuple[ProductMatch, ...]
    level: Level
    reasons: tuple[Reason, ...]
