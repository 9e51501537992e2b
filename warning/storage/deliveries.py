"""Deliveries: which outbox message carried which alert to which subscription.

The pair (alert, subscription) is unique, so a contact gets an alert once
whatever the frequency. A later, higher level is not re-sent by itself; the
``level`` column keeps what was announced so a deliberate re-announcement
can find the alerts whose level rose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import alerts, deliveries
from warning.types import LEVELS, Level, ProductMatch, Reason


@dataclass(frozen=True)
class AlertRow:
    """A stored alert, as delivery needs it."""

    id: int
    notification_id: int
    exporter_id: int
    matches: tuple[ProductMatch, ...]
    #: The computed level; ``None`` until levels are computed (shown and filtered as blue).
    level: Level | None
    reasons: tuple[Reason, ...]

    @property
    def effective_level(self) -> Level:
        return self.level if self.level in LEVELS else "blue"


def _reasons(data: Any) -> tuple[Reason, ...]:
    if not isinstance(data, list):
        return ()
    out = []
    for item in data:
        if isinstance(item, dict) and {"code", "en", "zh"} <= item.keys():
            out.append(Reason(str(item["code"]), str(item["en"]), str(item["zh"])))
    return tuple(out)


async def load_alerts(conn: AsyncConnection, alert_ids: Sequence[int] | None = None) -> list[AlertRow]:
    """Alerts (all, or those with the given ids), by exporter then notification."""
    query = sa.select(alerts).order_by(alerts.c.exporter_id, alerts.c.notification_id)
    if alert_ids is not None:
        query = query.where(alerts.c.id.in_(list(alert_ids)))
    return [
        AlertRow(
            r.id,
            r.notification_id,
            r.exporter_id,
            tuple(ProductMatch(**m) for m in r.matches),
            r.level if r.level in LEVELS else None,
            _reasons(r.reasons),
        )
        for r in await conn.execute(query)
    ]


async def delivered_pairs(conn: AsyncConnection) -> set[tuple[int, int]]:
    """Every (alert id, subscription id) already carried by a queued email."""
    rows = await conn.execute(sa.select(deliveries.c.alert_id, deliveries.c.subscription_id))
    return {(r.alert_id, r.subscription_id) for r in rows}


async def record_deliveries(
    conn: AsyncConnection,
    subscription_id: int,
    outbox_id: int,
    items: Iterable[tuple[int, Level]],
    now: dt.datetime,
) -> None:
    """Tie (alert id, level announced) pairs to the message that carries them."""
    rows = [
        {
            "alert_id": alert_id,
            "subscription_id": subscription_id,
            "outbox_id": outbox_id,
            "level": level,
            "created_at": now,
        }
        for alert_id, level in items
    ]
    if rows:
        await conn.execute(sa.insert(deliveries), rows)


async def deliveries_of(conn: AsyncConnection, outbox_id: int) -> list[tuple[int, int]]:
    """The (alert id, subscription id) pairs an outbox message carries."""
    rows = await conn.execute(
        sa.select(deliveries.c.alert_id, deliveries.c.subscription_id).where(
            deliveries.c.outbox_id == outbox_id
        )
    )
    return [(r.alert_id, r.subscription_id) for r in rows]
