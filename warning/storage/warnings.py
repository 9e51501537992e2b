"""The stored warning of each notification: zone-wide level and per-exporter levels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.alerts import reasons_to_json
from warning.storage.schema import notification_warnings
from warning.types import Level, Reason


@dataclass(frozen=True)
class ExporterWarning:
    """One exporter's level for one notification."""

    exporter: str
    level: Level
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class NotificationWarning:
    """A notification's zone-wide warning (level ``None``: no exporter matches)."""

    notification_id: int
    thread_key: str
    level: Level | None
    score: float | None
    reasons: tuple[Reason, ...]
    alerts: tuple[ExporterWarning, ...]
    #: What the document did to its measure (``adopted``...); ``None`` for a base.
    event: str | None


async def replace_warnings(
    conn: AsyncConnection, items: Sequence[NotificationWarning], now: dt.datetime
) -> None:
    """Store the warnings of these notifications, replacing what was there."""
    ids = [w.notification_id for w in items]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        await conn.execute(
            sa.delete(notification_warnings).where(notification_warnings.c.notification_id.in_(chunk))
        )
    if not items:
        return
    await conn.execute(
        sa.insert(notification_warnings),
        [
            {
                "notification_id": w.notification_id,
                "thread_key": w.thread_key,
                "level": w.level,
                "score": w.score,
                "reasons": reasons_to_json(w.reasons),
                "alerts": [
                    {"exporter": a.exporter, "level": a.level, "reasons": reasons_to_json(a.reasons)}
                    for a in w.alerts
                ],
                "event": w.event,
                "computed_at": now,
            }
            for w in items
        ],
    )


def _from_row(r: Any) -> NotificationWarning:
    return NotificationWarning(
        notification_id=r.notification_id,
        thread_key=r.thread_key,
        level=r.level,
        score=r.score,
        reasons=tuple(Reason(**x) for x in r.reasons),
        alerts=tuple(
            ExporterWarning(a["exporter"], a["level"], tuple(Reason(**x) for x in a["reasons"]))
            for a in r.alerts
        ),
        event=r.event,
    )


async def load_warnings(conn: AsyncConnection) -> dict[int, NotificationWarning]:
    """Every stored warning by notification id."""
    rows = await conn.execute(sa.select(notification_warnings))
    return {r.notification_id: _from_row(r) for r in rows}
