"""Read-only views for the web app: one notification in full, deadlines, alerts.

A week's counts are :mod:`warning.review.numbers`'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.alerts import matches_from_json
from warning.storage.notifications import matches_by_notification, sources_of, to_notification
from warning.storage.schema import alerts, deliveries, exporters, notification_symbols, notifications, outbox
from warning.storage.search import SUMMARY_COLUMNS, NotificationSummary, gravest_levels, summary_from_row
from warning.types import LEVELS, Level, Notification, ProductMatch, Reason


@dataclass(frozen=True)
class AlertView:
    """An alert as staff see it: who was alerted, at what level, and whether it was sent."""

    id: int
    notification_id: int
    notification_key: str
    exporter_id: int
    exporter_name: str
    level: Level | None
    reasons: tuple[Reason, ...]
    matches: tuple[ProductMatch, ...]
    created_at: dt.datetime
    #: Status of the email that carried it (pending, sent, failed), None if not yet queued.
    delivery: str | None


@dataclass(frozen=True)
class NotificationDetail:
    """Everything the notification page shows."""

    id: int
    notification: Notification
    base_symbol: str | None
    first_seen_at: dt.datetime
    sources: tuple[str, ...]
    #: The other notifications of the same measure (same base symbol), oldest first.
    thread: tuple[NotificationSummary, ...]
    matches: tuple[ProductMatch, ...]
    alerts: tuple[AlertView, ...]

    @property
    def level(self) -> Level | None:
        """The gravest level among its alerts."""
        levels = [a.level for a in self.alerts if a.level in LEVELS]
        return min(levels, key=LEVELS.index) if levels else None


def _reasons(data: Any) -> tuple[Reason, ...]:
    out = []
    for item in data or []:
        if isinstance(item, dict):
            out.append(Reason(str(item.get("code", "")), str(item.get("en", "")), str(item.get("zh", ""))))
    return tuple(out)


def _alert_query() -> sa.Select[Any]:
    # An alert goes to each contact in its own email (``deliveries``); staff see
    # "sent" once any of them left, else the state of one of them.
    delivery = (
        sa.select(outbox.c.status)
        .join(deliveries, deliveries.c.outbox_id == outbox.c.id)
        .where(deliveries.c.alert_id == alerts.c.id)
        .order_by(sa.case((outbox.c.status == "sent", 0), else_=1), outbox.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.select(
            alerts,
            notifications.c.key.label("notification_key"),
            exporters.c.name.label("exporter_name"),
            delivery.label("delivery"),
        )
        .join(notifications, notifications.c.id == alerts.c.notification_id)
        .join(exporters, exporters.c.id == alerts.c.exporter_id)
    )


def _alert(row: sa.Row[Any]) -> AlertView:
    level = row.level if row.level in LEVELS else None
    return AlertView(
        id=row.id,
        notification_id=row.notification_id,
        notification_key=row.notification_key,
        exporter_id=row.exporter_id,
        exporter_name=row.exporter_name,
        level=cast(Level | None, level),
        reasons=_reasons(row.reasons),
        matches=matches_from_json(row.matches),
        created_at=row.created_at,
        delivery=row.delivery,
    )


async def list_alerts(
    conn: AsyncConnection,
    *,
    exporter_id: int | None = None,
    notification_id: int | None = None,
    since: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
    subscription_ids: Sequence[int] | None = None,
    hide_notifications: Collection[int] = (),
    hide_alerts: Collection[tuple[int, int]] = (),
) -> list[AlertView]:
    """Alerts, newest first, optionally for one exporter or notification, or only
    those delivered (queued in an email) to the given subscriptions; without the
    alerts of ``hide_notifications`` and the (notification, exporter) ``hide_alerts``
    (held back by the officials' review: left out here so pages stay full)."""
    query = _alert_query().order_by(alerts.c.created_at.desc(), alerts.c.id.desc())
    if hide_notifications:
        query = query.where(alerts.c.notification_id.not_in(sorted(hide_notifications)))
    if hide_alerts:
        pair = sa.tuple_(alerts.c.notification_id, alerts.c.exporter_id)
        query = query.where(pair.not_in(sorted(hide_alerts)))
    if subscription_ids is not None:
        sent = sa.select(deliveries.c.alert_id).where(
            deliveries.c.subscription_id.in_(list(subscription_ids))
        )
        query = query.where(alerts.c.id.in_(sent))
    if exporter_id is not None:
        query = query.where(alerts.c.exporter_id == exporter_id)
    if notification_id is not None:
        query = query.where(alerts.c.notification_id == notification_id)
    if since is not None:
        query = query.where(alerts.c.created_at >= since)
    return [_alert(r) for r in await conn.execute(query.limit(limit).offset(offset))]


async def notification_detail(conn: AsyncConnection, notification_id: int) -> NotificationDetail | None:
    """One notification with its thread, matches and alerts; None if unknown."""
    row = (
        await conn.execute(sa.select(notifications).where(notifications.c.id == notification_id))
    ).one_or_none()
    if row is None:
        return None
    symbols = await conn.execute(
        sa.select(notification_symbols.c.symbol).where(notification_symbols.c.notification_id == row.id)
    )
    base = row.base_symbol or row.key
    thread_rows = (
        await conn.execute(
            sa.select(*SUMMARY_COLUMNS)
            .where(
                sa.or_(notifications.c.key == base, notifications.c.base_symbol == base),
                notifications.c.id != row.id,
            )
            .order_by(notifications.c.distribution_date, notifications.c.id)
        )
    ).all()
    levels = await gravest_levels(conn, [r.id for r in thread_rows])
    matches = await matches_by_notification(conn, [row.id])
    return NotificationDetail(
        id=row.id,
        notification=to_notification(row, [s.symbol for s in symbols]),
        base_symbol=row.base_symbol,
        first_seen_at=row.first_seen_at,
        sources=tuple(await sources_of(conn, row.id)),
        thread=tuple(summary_from_row(r, levels.get(r.id)) for r in thread_rows),
        matches=tuple(matches.get(row.id, [])),
        alerts=tuple(await list_alerts(conn, notification_id=row.id, limit=10_000)),
    )


async def upcoming_deadlines(
    conn: AsyncConnection, start: dt.date, end: dt.date, *, limit: int = 1000
) -> list[NotificationSummary]:
    """Notifications whose comment deadline falls between ``start`` and ``end``, soonest first."""
    query = (
        sa.select(*SUMMARY_COLUMNS)
        .where(notifications.c.comment_deadline.between(start, end))
        .order_by(notifications.c.comment_deadline, notifications.c.id)
        .limit(limit)
    )
    rows = (await conn.execute(query)).all()
    levels = await gravest_levels(conn, [r.id for r in rows])
    return [summary_from_row(r, levels.get(r.id)) for r in rows]


async def exporter_name(conn: AsyncConnection, exporter_id: int) -> str | None:
    query = sa.select(exporters.c.name).where(exporters.c.id == exporter_id)
    found = (await conn.execute(query)).scalar_one_or_none()
    return str(found) if found is not None else None


async def exporter_language(conn: AsyncConnection, exporter_id: int) -> str:
    """The register's language of the exporter ("zh" or "en"; "en" when unknown)."""
    query = sa.select(exporters.c.language).where(exporters.c.id == exporter_id)
    found = (await conn.execute(query)).scalar_one_or_none()
    return "zh" if found == "zh" else "en"


async def exporter_id_by_name(conn: AsyncConnection, name: str) -> int | None:
    found = (
        await conn.execute(sa.select(exporters.c.id).where(exporters.c.name == name))
    ).scalar_one_or_none()
    return int(found) if found is not None else None


@dataclass(frozen=True)
class OutboxRow:
    """An outbox message without its body."""

    id: int
    recipient: str
    kind: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


async def outbox_state(conn: AsyncConnection, limit: int = 200) -> tuple[dict[str, int], list[OutboxRow]]:
    """Message counts by status, and the latest messages (newest first)."""
    counts = {
        r.status: int(r.n)
        for r in await conn.execute(
            sa.select(outbox.c.status, sa.func.count().label("n")).group_by(outbox.c.status)
        )
    }
    rows = await conn.execute(sa.select(outbox).order_by(outbox.c.id.desc()).limit(limit))
    latest = [
        OutboxRow(
            r.id, r.recipient, r.kind, r.subject, r.status, r.attempts, r.last_error, r.created_at, r.sent_at
        )
        for r in rows
    ]
    return counts, latest
