"""The weekly digest for trade officials: the week's red and orange measures
(member, enquiry-point date, exporters concerned, exports at stake), then the
counts, with a chart and a link to the week's review page.

Every count is :mod:`warning.review.numbers`' (the dashboard's too); exports
at stake are the alerted exporters' yearly figures to the notifying markets
in the products concerned.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.chart import level_chart
from notifications.digest import LEVEL_COLOURS, level_name
from notifications.links import Links
from notifications.message import Attachment, InlineImage, build_message, message_id_for
from notifications.officials_texts import OFFICIAL_TEXTS
from notifications.render import render
from warning.exceptions import ReviewError
from warning.mapping.mappings import current_sectors
from warning.review.numbers import (
    NO_LEVEL,
    WeekNumbers,
    measures_where,
    members_label,
    sector_counts,
    week_numbers,
)
from warning.review.week import ReviewedMeasure, reviewed_measures
from warning.runtime import Runtime
from warning.storage.notifications import load_notifications
from warning.storage.outbox import enqueue
from warning.storage.reviews import open_review
from warning.storage.schema import notifications as notifications_table
from warning.storage.staff_accounts import staff_languages
from warning.storage.translations import load_translations
from warning.symbols import reference
from warning.translation.display import label, shown_notification, titles_for
from warning.types import LEVELS, Level

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
    #: 机器翻译 or 人工审校译文 when ``title`` is a translation into Chinese.
    title_label: str = ""


@dataclass(frozen=True)
class KeyMeasure:
    """A red or orange measure of the week, shown in full to officials."""

    notification_id: int
    symbols: str
    level: Level
    level_label: str
    colour: str
    member: str
    title: str
    comment_deadline: dt.date | None
    enquiry_deadline: dt.date | None
    #: The exporters it alerts (names, those held back by the review left out).
    exporters: tuple[str, ...]
    #: Their yearly exports to the notifying markets in the products concerned (USD), None if unknown.
    at_stake: float | None
    url: str
    #: 机器翻译 or 人工审校译文 when ``title`` is a translation into Chinese.
    title_label: str = ""

    @property
    def at_stake_text(self) -> str:
        return "" if self.at_stake is None else f"USD {self.at_stake:,.0f}"


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
    #: The week's red and orange measures, gravest first.
    key_measures: tuple[KeyMeasure, ...] = ()
    #: Notifications without a distribution date first seen in the week (listed apart).
    undated: int = 0
    #: The week's review page.
    review_url: str = ""
    #: The language of every text of the report (the official's: one per email).
    language: str = "zh"


def _rows(current: Counter[str], previous: Counter[str], limit: int = 10) -> tuple[Row, ...]:
    keys = sorted(set(current) | set(previous), key=lambda k: (-current[k], -previous[k], k))
    return tuple(Row(k, current[k], previous[k]) for k in keys[:limit])


#: The colour of "no level" (alerts no exporter) in the chart and tables.
NO_LEVEL_COLOUR = "#888888"


def _level_rows(this: WeekNumbers, last: WeekNumbers, language: str) -> tuple[Row, ...]:
    now, before = this.by_level, last.by_level
    rows = [Row(level_name(lv, language), now[lv], before[lv], LEVEL_COLOURS[lv]) for lv in LEVELS]
    no_level = OFFICIAL_TEXTS[language]["no_level"]
    rows.append(Row(no_level, now[NO_LEVEL], before[NO_LEVEL], NO_LEVEL_COLOUR))
    return tuple(rows)


def _key_measures(
    reviewed: list[ReviewedMeasure], links: Links, enquiry_days: int, language: str
) -> tuple[KeyMeasure, ...]:
    out = []
    for r in reviewed:
        m = r.measure
        if m.level not in ("red", "orange"):
            continue
        deadline = m.comment_deadline
        received = [a for a in r.alerts if a.received is not None]
        known = [a.at_stake for a in received if a.at_stake is not None]
        out.append(
            KeyMeasure(
                m.id,
                reference(m.key),
                m.level,
                level_name(m.level, language),
                LEVEL_COLOURS[m.level],
                members_label(m.members, language),
                m.title,
                deadline,
                deadline - dt.timedelta(days=enquiry_days) if deadline else None,
                tuple(a.exporter_name for a in received),
                sum(known) if known else None,
                links.notification(m.id),
            )
        )
    return tuple(sorted(out, key=lambda k: (LEVELS.index(k.level), k.symbols)))


async def weekly_report(rt: Runtime, week: str, language: str = "zh") -> WeeklyReport:
    """What the week's digest says (reads only), counted by :mod:`warning.review.numbers`,
    every text in ``language`` (zh or en; titles translated where a translation is stored)."""
    language = language if language in OFFICIAL_TEXTS else "zh"
    start, _ = week_bounds(week)
    tz = rt.config.zone.timezone
    today = rt.today()
    async with rt.db.begin() as conn:
        this = await week_numbers(conn, start, tz)
        last = await week_numbers(conn, start - dt.timedelta(days=7), tz)
        grave = [m for m in this.measures if m.level in ("red", "orange")]
        reviewed = await reviewed_measures(conn, grave)
        soon = await measures_where(
            conn, notifications_table.c.comment_deadline.between(today, today + dt.timedelta(days=30))
        )
    sectors = await current_sectors(rt)
    names = {s.key: s.name_zh if language == "zh" else s.name_en for s in sectors}
    links = Links.for_runtime(rt)
    enquiry_days = rt.config.warning.enquiry_point_days
    upcoming = sorted(
        (
            Upcoming(
                m.id,
                reference(m.key),
                members_label(m.members, language),
                m.title,
                m.comment_deadline,
                (m.comment_deadline - today).days,
                m.comment_deadline - dt.timedelta(days=enquiry_days),
                level_name(m.level, language),
                len(m.alerts),
                links.notification(m.id),
            )
            for m in soon
            if m.comment_deadline and m.level is not None
        ),
        key=lambda u: (u.deadline, u.symbols),
    )

    def members(n: WeekNumbers) -> Counter[str]:
        return Counter({members_label(codes, language): k for codes, k in n.by_member.items()})

    def by_sector(n: WeekNumbers) -> Counter[str]:
        return Counter({names.get(k, k): c for k, c in sector_counts(n.measures, sectors).items()})

    return WeeklyReport(
        week,
        this.start,
        this.end,
        this.total,
        last.total,
        _level_rows(this, last, language),
        _rows(members(this), members(last)),
        _rows(by_sector(this), by_sector(last)),
        tuple(await _in_language(rt, upcoming[:20], language)),
        this.exporters_alerted,
        this.alerts,
        rt.config.zone.name_zh if language == "zh" else rt.config.zone.name,
        await _key_in_language(rt, _key_measures(reviewed, links, enquiry_days, language), language),
        len(this.undated),
        f"{links.base_url}/digest?week={week}",
        language,
    )


def report_chart(report: WeeklyReport) -> bytes:
    """The report's PNG chart: per level (and no level), this week against the last."""
    return level_chart(
        [r.count for r in report.by_level],
        [r.previous for r in report.by_level],
        [r.colour for r in report.by_level],
        [*(level.capitalize() for level in LEVELS), "No level"],
        f"TBT/SPS {report.week}",
    )


async def _in_language(rt: Runtime, upcoming: list[Upcoming], language: str) -> list[Upcoming]:
    """The upcoming measures' titles in ``language`` where a translation exists, labelled."""
    ids = [u.notification_id for u in upcoming]
    if not ids:
        return []
    async with rt.db.begin() as conn:
        stored = await load_translations(conn, ids)
        notes = dict(await load_notifications(conn, notifications_table.c.id.in_(ids)))
    out = []
    for u in upcoming:
        title = shown_notification(
            u.notification_id, notes[u.notification_id], language, stored.get(u.notification_id)
        ).title
        out.append(
            replace(u, title=title.text, title_label=title.label(language) if title.translated else "")
        )
    return out


async def _key_in_language(rt: Runtime, key: tuple[KeyMeasure, ...], language: str) -> tuple[KeyMeasure, ...]:
    """The red and orange measures' titles in ``language`` where a translation exists, labelled."""
    if not key:
        return key
    async with rt.db.begin() as conn:
        found = await titles_for(conn, {k.notification_id: k.title for k in key}, language)
    return tuple(
        replace(
            k, title=found[k.notification_id][0], title_label=label(found[k.notification_id][1], language)
        )
        if k.notification_id in found
        else k
        for k in key
    )


def render_report(report: WeeklyReport) -> tuple[str, str, str]:
    """Subject, text and HTML of the officials' digest, in the report's language."""
    t = OFFICIAL_TEXTS[report.language]
    subject = t["subject"].format(week=report.week, n=report.total)
    context = {"r": report, "t": t, "subject": subject, "chart_cid": CHART_CID}
    return subject, render("weekly.txt", context), render("weekly.html", context)


async def compose_officials_digest(rt: Runtime, week: str) -> int:
    """Queue the week's digest to every ``[digest] officials`` address, each in the
    official's language; returns messages queued.

    With ``review_required`` the week's review is opened (pending approval).
    """
    async with rt.db.begin() as conn:
        languages = await officials_languages(rt, conn)
    chart: bytes | None = None
    messages: dict[str, OfficialsMessage] = {}
    for language in sorted(set(languages.values())):
        report = await weekly_report(rt, week, language)
        # The same counts whatever the language; matplotlib is CPU work: off the event loop.
        if chart is None:
            chart = await asyncio.to_thread(report_chart, report)
        subject, text, html = render_report(report)
        messages[language] = OfficialsMessage(subject, text, html, (InlineImage(CHART_CID, chart),))
    async with rt.db.begin() as conn:
        if rt.config.digest.review_required:
            await open_review(conn, week, rt.now())
        queued = await queue_to_officials(rt, conn, f"officials:{week}", "officials", messages)
    return queued


@dataclass(frozen=True)
class OfficialsMessage:
    """An email to officials in one language."""

    subject: str
    text: str
    html: str
    images: tuple[InlineImage, ...] = ()
    attachments: tuple[Attachment, ...] = ()


async def officials_languages(rt: Runtime, conn: AsyncConnection) -> dict[str, str]:
    """Each ``[digest] officials`` address's language: its staff account's, else Chinese."""
    accounts = await staff_languages(conn)
    return {o: accounts.get(o.strip().lower(), "zh") for o in rt.config.digest.officials}


async def queue_to_officials(
    rt: Runtime,
    conn: AsyncConnection,
    key_prefix: str,
    kind: str,
    messages: Mapping[str, OfficialsMessage],
) -> int:
    """Put one message to each ``[digest] officials`` address in the outbox, in the
    official's language (``messages`` by language), keyed ``<key_prefix>:<address>``
    (queued once however often this runs); returns how many are new."""
    sender = rt.config.delivery.sender
    queued = 0
    for official, language in (await officials_languages(rt, conn)).items():
        key = f"{key_prefix}:{official}"
        m = messages.get(language) or next(iter(messages.values()))
        subject = m.subject
        message = build_message(
            sender=sender,
            recipient=official,
            subject=subject,
            text=m.text,
            html=m.html,
            now=rt.now(),
            message_key=key,
            images=list(m.images),
            attachments=list(m.attachments),
        )
        _, created = await enqueue(
            conn,
            idempotency_key=key,
            recipient=official,
            kind=kind,
            subject=subject,
            message=message,
            exporter_id=None,
            now=rt.now(),
            message_id=message_id_for(key, sender),
        )
        queued += created
    return queued
