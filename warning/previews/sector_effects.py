"""The exporters whose alerts a change of sectors would bring into or take out of what
their contacts receive.

A sector moves no product match and no level: it is a filter of subscriptions (a contact
who chose "textiles" receives the alerts whose matches fall in that sector's HS
prefixes, :func:`notifications.subscriptions.wants`). So for each stored alert on a
notification the change touches, the exporter's contacts' subscriptions are asked before
and after: an alert none of them received and one would now "appears" for the exporter,
the reverse "disappears", at the alert's own level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.subscriptions import wants
from warning.previews.exporters import ExporterEffect
from warning.storage.deliveries import AlertRow, load_alerts
from warning.storage.exporters import load_exporters
from warning.storage.schema import alerts
from warning.storage.subscriptions import load_subscriptions
from warning.types import Notification, Sector, Subscription


async def sector_effects(
    conn: AsyncConnection,
    notes: Mapping[int, Notification],
    old: Sequence[Sector],
    new: Sequence[Sector],
) -> list[ExporterEffect]:
    """The alerts on ``notes`` (id -> notification) whose exporter's contacts would start or
    stop receiving them when the sectors ``old`` become ``new``, by exporter then notification."""
    changed = {s.key for s in (*old, *new) if s not in old or s not in new}
    if not notes or not changed:
        return []
    by_exporter: dict[int, list[Subscription]] = defaultdict(list)
    for stored in await load_subscriptions(conn):
        by_exporter[stored.exporter_id].append(stored.subscription)
    # Only exporters with a contact choosing a changed sector can see a difference.
    concerned = {e for e, subs in by_exporter.items() if any(changed & set(s.sectors) for s in subs)}
    if not concerned:
        return []
    ids = list(
        await conn.scalars(
            sa.select(alerts.c.id).where(
                alerts.c.notification_id.in_(sorted(notes)), alerts.c.exporter_id.in_(sorted(concerned))
            )
        )
    )
    rows = await load_alerts(conn, ids) if ids else []
    names = {i: e.name for i, e in await load_exporters(conn)}
    return effects_of(rows, notes, by_exporter, names, old, new)


def effects_of(
    rows: Sequence[AlertRow],
    notes: Mapping[int, Notification],
    subscriptions: Mapping[int, Sequence[Subscription]],
    names: Mapping[int, str],
    old: Sequence[Sector],
    new: Sequence[Sector],
) -> list[ExporterEffect]:
    """The alerts whose exporter's contacts want them under one set of sectors and not the other."""
    before, after = {s.key: s for s in old}, {s.key: s for s in new}
    out = []
    for alert in rows:
        n = notes.get(alert.notification_id)
        subs = subscriptions.get(alert.exporter_id, ())
        if n is None or not subs:
            continue
        was = any(wants(s, alert, n, before) for s in subs)
        now = any(wants(s, alert, n, after) for s in subs)
        if was != now:
            level = alert.effective_level
            name = names.get(alert.exporter_id, str(alert.exporter_id))
            out.append(
                ExporterEffect(
                    name,
                    alert.notification_id,
                    n.key,
                    n.title,
                    level if was else None,
                    level if now else None,
                )
            )
    return sorted(out, key=lambda e: (e.exporter, e.key))
