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
    return [asdict(r) for r in reasons]


def reasons_from_json(data: Sequence[dict[str, str]]) -> tuple[Reason, ...]:
    """The stored ``reasons`` column back as :class:`Reason` values."""
    return tuple(Reason(**r) for r in data)


async def thread_alerts(conn: AsyncConnection) -> dict[tuple[str, int], sa.Row[Any]]:
    """Every alert by (thread key, exporter id); the oldest when several."""
    rows = await conn.execute(sa.select(alerts).order_by(alerts.c.id.desc()))
    return {(r.thread_key or "", r.exporter_id): r for r in rows}


async def upsert_thread_alert(
    conn: AsyncConnection,
    existing: sa.Row[Any] | None,
    new: AlertUpdate,
    now: dt.datetime,
) -> bool:
    """Create the alert of a measure for an exporter, or update the one it has.

    A follow-up never adds an alert: it moves the level and reasons of the
    thread's alert (``previous_level`` and ``level_changed_at`` record a
    change). Returns True when an alert was created.
    """
    values = {
        "matches": [asdict(m) for m in new.matches],
        "level": new.level,
        "reasons": reasons_to_json(new.reasons),
        "updated_at": now,
    }
    if existing is None:
        await insert_ignore(
            conn,
            alerts,
            [
                values
                | {
                    "notification_id": new.notification_id,
                    "exporter_id": new.exporter_id,
                    "thread_key": new.thread_key,
                    "created_at": now,
                }
            ],
        )
        return True
    if existing.level is not None and existing.level != new.level:
        values |= {"previous_level": existing.level, "level_changed_at": now}
    elif existing.level == new.level and existing.reasons == values["reasons"]:
        return False  # nothing new: keep updated_at as it was
    await conn.execute(sa.update(alerts).where(alerts.c.id == existing.id).values(values))
    return False


@dataclass(frozen=True)
class AlertUpdate:
    """The current level of a measure for an exporter, to store on its alert."""

    notification_id: int
    exporter_id: int
    thread_key: str
    matches: tuple[ProductMatch, ...]
    level: Level
    reasons: tuple[Reason, ...]
