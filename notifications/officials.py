"""The weekly digest for trade officials: the week at a glance, with a chart.

Exposure at stake is measured by the zone's exporters alerted (and their
alerts); trade values are not in the database yet, so no money figure is shown.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from classifiers.sectors import sectors_of
from notifications.chart import level_chart
from notifications.digest import LEVEL_COLOURS, level_name
from notifications.links import Links
from notifications.message import InlineImage, build_message, message_id_for
from notifications.render import render
from notifications.subscriptions import level_rank
from warning.exceptions import ReviewError
from warning.mapping.mappings import current_sectors
from warning.members import display_name
from warning.runtime import Runtime
from warning.storage.notifications import load_notifications, matches_by_notification
from warning.storage.outbox import enqueue
from warning.storage.reviews import open_review
from warning.storage.schema import alerts
from warning.storage.schema import notifications as notifications_table
from warning.types import LEVELS, Level, Notification

CHART_CID = "weekly-chart"


def week_bounds(week: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week ``YYYY-Www``.

    Raises:
        ReviewError: not a week in that form.
    """
    try:
        year, number = week.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise ReviewError(f"week {week!r} is not of the form YYYY-Www (e.g. 2026-W27)") from None
    if not 1900 <= monday.year <= 2999:  # the report reads weeks around it: the calendar's ends overflow
        raise ReviewError(f"week {week!r} is out of range (years 1900 to 2999)")
    return monday, monday + dt.timedelta(days=6)


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    previous: int
    colour: str = "#1f4e79"


@dataclass(frozen=True)
class Upcoming:
    notification_id: int
    symbols: str
    member: str
    title: str
    deadline: dt.date
    days_left: int
    enquiry_deadline: dt.date
    level_label: str
    exporters: int
    url: str


@dataclass(frozen=True)
class WeeklyReport:
    week: str
    start: dt.date
    end: dt.date
    total: int
    previous_total: int
    by_level: tuple[Row, ...]
    by_member: tuple[Row, ...]
    by_sector: tuple[Row, ...]
    upcoming: tuple[Upcoming, ...]
    exporters_alerted: int
    alerts: int
    zone_name: str


def _day(n: Notification, first_seen: dt.date) -> dt.date:
    return n.distribution_date or first_seen


def _rows(current: Counter[str], previous: Counter[str], limit: int = 10) -> tuple[Row, ...]:
    keys = sorted(set(current) | set(previous), key=lambda k: (-current[k], -previous[k], k))
    return tuple(Row(k, current[k], previous[k]) for k in keys[:limit])


async def weekly_report(rt: Runtime, week: str) -> WeeklyReport:
    """What the week's digest says (reads only)."""
    start, end = week_bounds(week)
    prev_start = start - dt.timedelta(days=7)
    async with rt.db.begin() as conn:
        seen = {
            r.id: r.first_seen_at.date()
            for r in await conn.execute(
                sa.select(notifications_table.c.id, notifications_table.c.first_seen_at)
            )
        }
        notes = dict(await load_notifications(conn))
        alert_rows = list(
            await conn.execute(sa.select(alerts.c.notification_id, alerts.c.exporter_id, alerts.c.level))
        )
        matches = await matches_by_notification(conn)
    level_of: dict[int, Level] = {}
    exporters_of: dict[int, set[int]] = {}
    for r in alert_rows:
        level: Level = r.level if r.level in LEVELS else "blue"
        if r.notification_id not in level_of or level_rank(level) < level_rank(level_of[r.notification_id]):
            level_of[r.notification_id] = level
        exporters_of.setdefault(r.notification_id, set()).add(r.exporter_id)
    this = [i for i, n in notes.items() if start <= _day(n, seen[i]) <= end]
    last = [i for i, n in notes.items() if prev_start <= _day(n, seen[i]) < start]
    sectors = await current_sectors(rt)

    def count(ids: list[int], key: str) -> Counter[str]:
        out: Counter[str] = Counter()
        for i in ids:
            if key == "level":
                out[level_of.get(i, "blue")] += 1
            elif key == "member":
                out.update({display_name(c, "zh") for c in notes[i].member_codes} or {notes[i].member_name})
            else:
                codes = [m.hs_code for m in matches.get(i, [])] or list(notes[i].hs_codes)
                out.update({s.name_zh for c in codes for s in sectors_of(c, sectors)})
        return out

    levels_now, levels_before = count(this, "level"), count(last, "level")
    by_level = tuple(
        Row(
            f"{level_name(lv, 'zh')} {level_name(lv, 'en')}",
            levels_now[lv],
            levels_before[lv],
            LEVEL_COLOURS[lv],
        )
        for lv in LEVELS
    )
    today = rt.today()
    links = Links.for_runtime(rt)
    upcoming = sorted(
        (
            Upcoming(
                i,
                ", ".join(s.text for s in n.symbols) or n.key,
                display_name(n.member_codes[0], "zh") if n.member_codes else n.member_name,
                n.title,
                n.comment_deadline,
                (n.comment_deadline - today).days,
                n.comment_deadline - dt.timedelta(days=rt.config.warning.enquiry_point_days),
                level_name(level_of.get(i, "blue"), "zh"),
                len(exporters_of.get(i, ())),
                links.notification(i),
            )
            for i, n in notes.items()
            if n.comment_deadline and 0 <= (n.comment_deadline - today).days <= 30 and i in exporters_of
        ),
        key=lambda u: (u.deadline, u.symbols),
    )
    week_alerts = [r for r in alert_rows if r.notification_id in set(this)]
    return WeeklyReport(
        week,
        start,
        end,
        len(this),
        len(last),
        by_level,
        _rows(count(this, "member"), count(last, "member")),
        _rows(count(this, "sector"), count(last, "sector")),
        tuple(upcoming[:20]),
        len({r.exporter_id for r in week_alerts}),
        len(week_alerts),
        rt.config.zone.name_zh,
    )


def render_report(report: WeeklyReport) -> tuple[str, str, str]:
    """Subject, text and HTML of the officials' digest."""
    subject = f"TBT周报 Weekly TBT digest {report.week}: {report.total} 项通报 notifications"
    context = {"r": report, "subject": subject, "chart_cid": CHART_CID}
    return subject, render("weekly.txt", context), render("weekly.html", context)


async def compose_officials_digest(rt: Runtime, week: str) -> int:
    """Queue the week's digest to every ``[digest] officials`` address; returns messages queued.

    With ``review_required`` the week's review is opened (pending approval).
    """
    report = await weekly_report(rt, week)
    subject, text, html = render_report(report)
    chart = level_chart(
        [r.count for r in report.by_level], [r.previous for r in report.by_level], f"TBT/SPS {week}"
    )
    queued = 0
    async with rt.db.begin() as conn:
        if rt.config.digest.review_required:
            await open_review(conn, week, rt.now())
        for official in rt.config.digest.officials:
            key = f"officials:{week}:{official}"
            sender = rt.config.delivery.sender
            message = build_message(
                sender=sender,
                recipient=official,
                subject=subject,
                text=text,
                html=html,
                now=rt.now(),
                message_key=key,
                images=[InlineImage(CHART_CID, chart)],
            )
            _, created = await enqueue(
                conn,
                idempotency_key=key,
                recipient=official,
                kind="officials",
                subject=subject,
                message=message,
                exporter_id=None,
                now=rt.now(),
                message_id=message_id_for(key, sender),
            )
            queued += created
    return queued
