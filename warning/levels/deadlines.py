"""Comment deadlines as an iCalendar file, for the zone or one exporter.

Each warned notification with a comment deadline becomes an all-day event
on the last day to send comments to the national enquiry point (the WTO
deadline minus ``enquiry_point_days``); a known entry-into-force date
becomes a second event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import icalendar

from warning.exceptions import UnknownExporterError
from warning.runtime import Runtime
from warning.storage.exporters import load_exporters
from warning.storage.notifications import load_notifications
from warning.storage.warnings import NotificationWarning, load_warnings
from warning.symbols import reference
from warning.types import LEVEL_NAMES_ZH, Level, Notification, Reason


@dataclass(frozen=True)
class DeadlineEntry:
    """One warned notification as the calendar shows it."""

    notification: Notification
    level: Level
    reasons: tuple[Reason, ...]


def _uid(key: str, what: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", key).strip("-") + f"-{what}@tbtwarn"


def _event(
    uid: str, day: dt.date, summary: str, description: str, level: Level, now: dt.datetime
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("categories", [level])
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(
    entries: list[DeadlineEntry], *, language: str, enquiry_point_days: int, now: dt.datetime, name: str
) -> bytes:
    """The iCalendar text of the entries' deadlines, in ``zh`` or ``en``."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//tbtwarn//TBT early warning//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for entry in entries:
        n = entry.notification
        ref = n.symbols[0].text if n.symbols else reference(n.key)
        level = LEVEL_NAMES_ZH[entry.level] + "预警" if language == "zh" else entry.level.upper()
        why = "\n".join(f"- {r.text(language)}" for r in entry.reasons)
        link = f"\n{n.links[0]}" if n.links else ""
        if n.comment_deadline is not None:
            last_day = n.comment_deadline - dt.timedelta(days=enquiry_point_days)
            if language == "zh":
                summary = f"[{level}] {ref} 评议意见提交国家咨询点截止"
                text = f"{n.title}\nWTO评议截止日：{n.comment_deadline}\n{why}{link}"
            else:
                summary = f"[{level}] {ref}: last day to send comments to the enquiry point"
                text = f"{n.title}\nWTO comment deadline: {n.comment_deadline}\n{why}{link}"
            cal.add_component(_event(_uid(n.key, "comments"), last_day, summary, text, entry.level, now))
        if n.proposed_entry_into_force_date is not None:
            day = n.proposed_entry_into_force_date
            summary = f"[{level}] {ref} 生效" if language == "zh" else f"[{level}] {ref} enters into force"
            cal.add_component(
                _event(_uid(n.key, "in-force"), day, summary, f"{n.title}\n{why}{link}", entry.level, now)
            )
    return bytes(cal.to_ical())


async def deadlines_calendar(
    rt: Runtime,
    exporter: str | None = None,
    shape: Callable[[NotificationWarning], NotificationWarning] | None = None,
) -> bytes:
    """The calendar of the zone's warned deadlines, or of one exporter's; ``shape``
    gives each warning's alerts as the exporters receive them (the officials' review,
    which this package may not import: the caller passes it).

    Raises:
        UnknownExporterError: ``exporter`` is not in the register.
    """
    async with rt.db.begin() as conn:
        exporters = dict((e.name, e) for _, e in await load_exporters(conn))
        warnings = await load_warnings(conn)
        notes = await load_notifications(conn)
    if exporter is not None and exporter not in exporters:
        raise UnknownExporterError(f"no exporter named {exporter!r} in the register")
    language = exporters[exporter].language if exporter else "en"
    entries = []
    for notification_id, n in notes:
        w = warnings.get(notification_id)
        if w is not None and shape is not None:
            w = shape(w)
        if w is None or (n.comment_deadline is None and n.proposed_entry_into_force_date is None):
            continue
        if exporter is None:
            if w.level is not None:
                entries.append(DeadlineEntry(n, w.level, w.reasons))
            continue
        for alert in w.alerts:
            if alert.exporter == exporter:
                entries.append(DeadlineEntry(n, alert.level, alert.reasons))
    name = f"TBT deadlines: {exporter}" if exporter else f"TBT deadlines: {rt.config.zone.name}"
    return build_calendar(
        entries,
        language=language,
        enquiry_point_days=rt.config.warning.enquiry_point_days,
        now=rt.now(),
        name=name,
    )
