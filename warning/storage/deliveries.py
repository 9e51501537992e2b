"""Deliveries: which outbox message carried which alert to which subscription.

The pair (alert, subscription) is unique, so a contact gets an alert once
whatever the frequency. The ``level`` column keeps what was announced: when
the alert's level later rises above it, the alert is announced again, once
per level reached (``level_raises``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.alerts import matches_from_json
from warning.storage.database import json_loads
from warning.storage.schema import alerts, deliveries, level_raises, subscriptions
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
    #: The reasons as stored (JSON text), read when first asked for: most alerts
    #: of a catch-up digest are listed in one line, without their reasons.
    reasons_json: str | None = None

    @property
    def effective_level(self) -> Level:
        return self.level if self.level in LEVELS else "blue"

    @cached_property
    def reasons(self) -> tuple[Reason, ...]:
        return _reasons(json_loads(self.reasons_json)) if self.reasons_json else ()


def _reasons(data: Any) -> tuple[Reason, ...]:
    if not isinstance(data, list):
        return ()
    out = []
    for item in data:
        if isinstance(item, dict) and {"code", "en", "zh"} <= item.keys():
            out.append(Reason(str(item["code"]), str(item["en"]), str(item["zh"])))
    return tuple(out)


#: The columns an :class:`AlertRow` is read from; JSON as text, decoded by
#: :class:`_AlertReader` (neighbouring alerts often carry the same matches).
_ALERT_COLUMNS = (
    alerts.c.id,
    alerts.c.notification_id,
    alerts.c.exporter_id,
    sa.cast(alerts.c.matches, sa.Text).label("matches"),
    alerts.c.level,
    sa.cast(alerts.c.reasons, sa.Text).label("reasons"),
)


class _AlertReader:
    """Builds alert rows, decoding each distinct matches text once."""

    def __init__(self) -> None:
        self.matches: dict[str | None, tuple[ProductMatch, ...]] = {None: ()}

    def row(self, r: Any) -> AlertRow:
        matches = self.matches.get(r.matches)
        if matches is None:
            matches = self.matches[r.matches] = matches_from_json(json_loads(r.matches))
        level = r.level if r.level in LEVELS else None
        return AlertRow(r.id, r.notification_id, r.exporter_id, matches, level, r.reasons)


async def load_alerts(conn: AsyncConnection, alert_ids: Sequence[int] | None = None) -> list[AlertRow]:
    """Alerts (all, or those with the given ids), by exporter then notification."""
    query = sa.select(*_ALERT_COLUMNS).order_by(alerts.c.exporter_id, alerts.c.notification_id)
    if alert_ids is not None:
        query = query.where(alerts.c.id.in_(list(alert_ids)))
    reader = _AlertReader()
    return [reader.row(r) for r in await conn.execute(query)]


async def undelivered_alerts(
    conn: AsyncConnection, exporter_ids: Sequence[int], levels: Sequence[Level] | None = None
) -> list[AlertRow]:
    """The alerts of these exporters not yet carried to every one of their
    subscriptions (only of ``levels`` when given), by exporter then notification.

    Index-driven (``alerts.exporter_id``, ``deliveries`` by alert): a run reads
    a bounded slice of the alerts, not all of them.
    """
    subs_of = sa.select(sa.func.count()).where(
        subscriptions.c.exporter_id == alerts.c.exporter_id, subscriptions.c.active.is_(True)
    )
    carried = (
        sa.select(sa.func.count())
        .select_from(deliveries.join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id))
        .where(deliveries.c.alert_id == alerts.c.id, subscriptions.c.active.is_(True))
    )
    query = (
        sa.select(*_ALERT_COLUMNS)
        .where(alerts.c.exporter_id.in_(list(exporter_ids)))
        .where(carried.scalar_subquery() < subs_of.scalar_subquery())
        .order_by(alerts.c.exporter_id, alerts.c.notification_id)
    )
    if levels is not None:
        query = query.where(alerts.c.level.in_(list(levels)))
    reader = _AlertReader()
    return [reader.row(r) for r in await conn.execute(query)]


async def delivered_pairs(
    conn: AsyncConnection, alert_ids: Sequence[int] | None = None
) -> set[tuple[int, int]]:
    """Every (alert id, subscription id) already carried by a queued email
    (of the given alerts only, when given)."""
    query = sa.select(deliveries.c.alert_id, deliveries.c.subscription_id)
    if alert_ids is None:
        return {(r.alert_id, r.subscription_id) for r in await conn.execute(query)}
    out: set[tuple[int, int]] = set()
    for start in range(0, len(alert_ids), 500):
        chunk = list(alert_ids[start : start + 500])
        for r in await conn.execute(query.where(deliveries.c.alert_id.in_(chunk))):
            out.add((r.alert_id, r.subscription_id))
    return out


async def record_deliveries(
    conn: AsyncConnection,
    subscription_id: int,
    outbox_id: int,
    items: Iterable[tuple[int, Level]],
    now: dt.datetime,
) -> None:
    """Tie (alert id, level announced) pairs to the message that carries them."""
    await insert_deliveries(conn, delivery_rows(subscription_id, outbox_id, items, now))


def delivery_rows(
    subscription_id: int, outbox_id: int, items: Iterable[tuple[int, Level]], now: dt.datetime
) -> list[dict[str, Any]]:
    """The ``deliveries`` rows of :func:`record_deliveries`, for :func:`insert_deliveries`."""
    return [
        {
            "alert_id": alert_id,
            "subscription_id": subscription_id,
            "outbox_id": outbox_id,
            "level": level,
            "created_at": now,
        }
        for alert_id, level in items
    ]


async def insert_deliveries(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``deliveries`` rows (of several messages at once: one statement, not one per message)."""
    if rows:
        await conn.execute(sa.insert(deliveries), list(rows))


async def deliveries_of(conn: AsyncConnection, outbox_id: int) -> list[tuple[int, int]]:
    """The (alert id, subscription id) pairs an outbox message carries."""
    rows = await conn.execute(
        sa.select(deliveries.c.alert_id, deliveries.c.subscription_id).where(
            deliveries.c.outbox_id == outbox_id
        )
    )
    return [(r.alert_id, r.subscription_id) for r in rows]


async def levels_told(
    conn: AsyncConnection, exporter_ids: Sequence[int], levels: Sequence[Level] | None = None
) -> dict[tuple[int, int], Level]:
    """(alert id, subscription id) -> the gravest level the contact was told,
    for the alerts of these exporters whose level has ever changed (only
    those can have risen; only of ``levels`` when given)."""
    changed = [alerts.c.exporter_id.in_(list(exporter_ids)), alerts.c.level_changed_at.is_not(None)]
    if levels is not None:
        changed.append(alerts.c.level.in_(list(levels)))
    told: dict[tuple[int, int], Level] = {}
    for table in (deliveries, level_raises):
        query = (
            sa.select(table.c.alert_id, table.c.subscription_id, table.c.level)
            .join(alerts, alerts.c.id == table.c.alert_id)
            .where(*changed)
        )
        for r in await conn.execute(query):
            key = (r.alert_id, r.subscription_id)
            if r.level in LEVELS and (key not in told or LEVELS.index(r.level) < LEVELS.index(told[key])):
                told[key] = r.level
    return told


async def record_raises(
    conn: AsyncConnection,
    subscription_id: int,
    outbox_id: int,
    items: Iterable[tuple[int, Level, Level]],
    now: dt.datetime,
) -> None:
    """Tie (alert id, level told before, level announced) re-announcements to their message."""
    rows = [
        {
            "alert_id": alert_id,
            "subscription_id": subscription_id,
            "outbox_id": outbox_id,
            "from_level": before,
            "level": level,
            "created_at": now,
        }
        for alert_id, before, level in items
    ]
    if rows:
        await conn.execute(sa.insert(level_raises), rows)
