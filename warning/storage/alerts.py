"""Alerts: one per (notification, exporter), never created twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import alerts
from warning.storage.sql import insert_ignore
from warning.types import ProductMatch


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


async def pending_alerts(conn: AsyncConnection) -> list[sa.Row[Any]]:
    """Alerts not yet carried by an email, by exporter then notification."""
    rows = await conn.execute(
        sa.select(alerts)
        .where(alerts.c.outbox_id.is_(None))
        .order_by(alerts.c.exporter_id, alerts.c.notification_id)
    )
    return list(rows)


async def mark_alerts_queued(conn: AsyncConnection, alert_ids: Sequence[int], outbox_id: int) -> None:
    """Tie alerts to the outbox message that carries them."""
    await conn.execute(sa.update(alerts).where(alerts.c.id.in_(list(alert_ids))).values(outbox_id=outbox_id))


def matches_from_json(data: Sequence[dict[str, Any]]) -> tuple[ProductMatch, ...]:
    return tuple(ProductMatch(**m) for m in data)
