"""What a subscription would have brought: the alerts of the last 90 days under given settings.

Shown before a contact saves a change. It reads what is stored: the
notifications distributed in the period, their product matches strong enough
to alert (``[classifier] alert_threshold``) and their warning level for the
contact's exporter (else the zone-wide level, else blue). A product the
exporter does not export yet is previewed from the matches alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.subscriptions import level_rank
from warning.levels.matching import shares_prefix
from warning.members import ALL_MARKETS, market_covers
from warning.storage.notifications import load_notifications, matches_by_notification
from warning.storage.schema import notifications
from warning.storage.warnings import NotificationWarning, load_warnings
from warning.types import Level, Notification, Sector, Subscription

#: The preview's period.
DAYS = 90
#: Items listed (the count covers them all).
SHOWN = 50


@dataclass(frozen=True)
class PreviewItem:
    notification_id: int
    notification: Notification
    level: Level
    #: The HS codes of the notification that the settings catch.
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    since: dt.date
    total: int
    items: tuple[PreviewItem, ...]


def _caught(sub: Subscription, codes: list[str], sectors: Mapping[str, Sector]) -> tuple[str, ...]:
    if not sub.hs_prefixes and not sub.sectors:
        return tuple(codes)
    chosen = [sectors[k] for k in sub.sectors if k in sectors]
    return tuple(
        c
        for c in codes
        if any(shares_prefix(p, c) for p in sub.hs_prefixes) or any(s.covers(c) for s in chosen)
    )


def _in_markets(sub: Subscription, n: Notification) -> bool:
    if ALL_MARKETS in sub.markets or not n.member_codes:
        return True
    return any(market_covers(m, code) for m in sub.markets for code in n.member_codes)


async def preview(
    conn: AsyncConnection,
    sub: Subscription,
    sectors: Mapping[str, Sector],
    today: dt.date,
    threshold: float,
    shape: Callable[[NotificationWarning], NotificationWarning] | None = None,
) -> Preview:
    """The notifications of the last :data:`DAYS` days that ``sub`` would have alerted, gravest first;
    ``shape``: each warning's alerts as exporters receive them (the officials' review, passed
    by the caller: this package may not import it), an alert held back leaving its notification out."""
    since = today - dt.timedelta(days=DAYS)
    found = await load_notifications(conn, notifications.c.distribution_date >= since)
    matches = await matches_by_notification(conn, [i for i, _ in found], strong_only=threshold)
    warnings = await load_warnings(conn)
    items = []
    for notification_id, n in found:
        if not _in_markets(sub, n):
            continue
        codes = _caught(sub, [m.hs_code for m in matches.get(notification_id, [])], sectors)
        if not codes:
            continue
        warning = warnings.get(notification_id)
        level: Level = "blue"
        if warning is not None:
            alerted = any(a.exporter == sub.exporter for a in warning.alerts)
            warning = shape(warning) if shape is not None else warning
            own = [a.level for a in warning.alerts if a.exporter == sub.exporter]
            if alerted and not own:
                continue  # held back from this exporter by the officials
            level = own[0] if own else (warning.level or "blue")
        if level_rank(level) > level_rank(sub.min_level):
            continue
        items.append(PreviewItem(notification_id, n, level, codes))
    items.sort(key=lambda i: (level_rank(i.level), -(i.notification.distribution_date or since).toordinal()))
    return Preview(since, len(items), tuple(items[:SHOWN]))
