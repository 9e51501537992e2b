"""One set of numbers for a week: what the dashboard, the digest page, the
officials' email and the reports all count.

- A week's notifications are those whose WTO distribution date falls in it
  (Monday to Sunday; the date is the WTO's, read as a day of the zone).
  Undated ones are listed apart, by the day (in the zone's time zone) they
  were first seen, and counted nowhere else.
- A notification's level is the gravest level of its alerts as exporters
  receive them (an official's override applied, held-back alerts left out);
  a notification that alerts no exporter has no level ("none"), not blue.
- A joint notification (several members, one document) is one measure:
  counted once, its members listed together.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.sectors import sectors_of
from warning.members import display_name
from warning.review.shaping import received
from warning.storage.notifications import matches_by_notification
from warning.storage.review_actions import ReviewState, load_state
from warning.storage.schema import alerts, notifications
from warning.types import LEVELS, Level, Sector

#: The level key of a notification that alerts no exporter.
NO_LEVEL = "none"
LEVEL_KEYS: tuple[str, ...] = (*LEVELS, NO_LEVEL)


@dataclass(frozen=True)
class WeekMeasure:
    """One notification of the week, counted once."""

    id: int
    key: str
    member_codes: tuple[str, ...]
    member_name: str
    title: str
    distribution_date: dt.date | None
    comment_deadline: dt.date | None
    #: Gravest level as exporters receive it; None: alerts no exporter.
    level: Level | None
    #: (exporter id, level as received) of each alert shown to exporters.
    alerts: tuple[tuple[int, Level], ...]
    #: The HS codes its sectors are read from: its product matches, else the member's own codes.
    hs_codes: tuple[str, ...] = ()

    @property
    def level_key(self) -> str:
        return self.level or NO_LEVEL

    @property
    def members(self) -> tuple[str, ...]:
        """The member codes, or the member's printed name when no code is known."""
        return self.member_codes or (self.member_name,)


@dataclass(frozen=True)
class WeekNumbers:
    start: dt.date
    end: dt.date
    #: Distributed in the week, by distribution date then id.
    measures: tuple[WeekMeasure, ...]
    #: Without a distribution date, first seen in the week (listed apart, not counted).
    undated: tuple[WeekMeasure, ...]

    @property
    def total(self) -> int:
        return len(self.measures)

    @property
    def by_level(self) -> dict[str, int]:
        """Measures per level key (red, orange, yellow, blue, none), every key present."""
        counts = Counter(m.level_key for m in self.measures)
        return {k: counts[k] for k in LEVEL_KEYS}

    @property
    def by_member(self) -> Counter[tuple[str, ...]]:
        """Measures per member (a joint notification under its members together)."""
        return Counter(m.members for m in self.measures)

    @property
    def alerts(self) -> int:
        return sum(len(m.alerts) for m in self.measures)

    @property
    def exporters_alerted(self) -> int:
        return len({e for m in self.measures for e, _ in m.alerts})


def sector_counts(measures: Sequence[WeekMeasure], sectors: Sequence[Sector]) -> Counter[str]:
    """Measures per sector key (a measure counts once in each sector its codes fall in)."""
    counts: Counter[str] = Counter()
    for m in measures:
        counts.update({s.key for code in m.hs_codes for s in sectors_of(code, sectors)})
    return counts


def members_label(codes: Sequence[str], language: str) -> str:
    """A measure's members by name, joined (a joint notification's all together)."""
    return ", ".join(display_name(c, language) for c in codes)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ``day``'s ISO week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _gravest(levels: Sequence[Level]) -> Level | None:
    return min(levels, key=LEVELS.index) if levels else None


async def _alerts_as_received(
    conn: AsyncConnection, ids: Sequence[int]
) -> dict[int, list[tuple[int, Level]]]:
    state: ReviewState = await load_state(conn, ids)
    out: dict[int, list[tuple[int, Level]]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        query = sa.select(alerts.c.notification_id, alerts.c.exporter_id, alerts.c.level).where(
            alerts.c.notification_id.in_(chunk)
        )
        for r in await conn.execute(query):
            level = received(state, r.notification_id, r.exporter_id, r.level)
            if level is None:
                continue
            out.setdefault(r.notification_id, []).append((r.exporter_id, level))
    return out


_COLUMNS = (
    notifications.c.id,
    notifications.c.key,
    notifications.c.member_codes,
    notifications.c.member_name,
    notifications.c.title,
    notifications.c.distribution_date,
    notifications.c.comment_deadline,
    notifications.c.hs_codes,
)


async def _levels_only(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, list[tuple[int, Level]]]:
    """Each notification's levels as received, without its alerts one by one:
    the distinct computed levels, and the alerts of those an official changed."""
    state = await load_state(conn, ids)
    touched = (
        set(state.suppressed_notifications)
        | {n for n, _ in state.suppressed_alerts}
        | {n for n, _ in state.levels}
    )
    out = await _alerts_as_received(conn, sorted(touched & set(ids))) if touched else {}
    rest = [i for i in ids if i not in touched]
    for start in range(0, len(rest), 500):
        chunk = rest[start : start + 500]
        query = (
            sa.select(alerts.c.notification_id, alerts.c.level)
            .where(alerts.c.notification_id.in_(chunk))
            .group_by(alerts.c.notification_id, alerts.c.level)
        )
        for r in await conn.execute(query):
            level = cast(Level, r.level if r.level in LEVELS else "blue")
            out.setdefault(r.notification_id, []).append((0, level))
    return out


async def measures_where(
    conn: AsyncConnection, where: sa.ColumnElement[bool], *, levels_only: bool = False
) -> list[WeekMeasure]:
    """The notifications matching ``where`` as counted measures, by date then id.

    ``levels_only``: each measure's level is right but its ``alerts`` hold one
    (0, level) entry per distinct level, not one per exporter (for counts over
    months, where reading every alert would be most of the work)."""
    rows = (
        await conn.execute(
            sa.select(*_COLUMNS).where(where).order_by(notifications.c.distribution_date, notifications.c.id)
        )
    ).all()
    ids = [r.id for r in rows]
    as_received = await (_levels_only(conn, ids) if levels_only else _alerts_as_received(conn, ids))
    matches = await matches_by_notification(conn, [r.id for r in rows]) if rows else {}
    out = []
    for r in rows:
        found = sorted(as_received.get(r.id, []))
        out.append(
            WeekMeasure(
                r.id,
                r.key,
                tuple(r.member_codes or ()),
                r.member_name,
                r.title,
                r.distribution_date,
                r.comment_deadline,
                _gravest([lv for _, lv in found]),
                tuple(found),
                tuple(dict.fromkeys(m.hs_code for m in matches.get(r.id, []))) or tuple(r.hs_codes or ()),
            )
        )
    return out


async def week_numbers(conn: AsyncConnection, day: dt.date, timezone: str) -> WeekNumbers:
    """The numbers of the ISO week holding ``day``, in the zone's ``timezone``."""
    start, end = week_of(day)
    zone = ZoneInfo(timezone)
    first = dt.datetime.combine(start, dt.time(), zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)
    dated = await measures_where(conn, notifications.c.distribution_date.between(start, end))
    undated = await measures_where(
        conn,
        sa.and_(
            notifications.c.distribution_date.is_(None),
            notifications.c.first_seen_at >= first,
            notifications.c.first_seen_at < after,
        ),
    )
    return WeekNumbers(start, end, tuple(dated), tuple(undated))
