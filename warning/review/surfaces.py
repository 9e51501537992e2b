"""The officials' review on every surface that shows alerts, levels or notes.

Emails apply it in ``notifications.compose``; the pages, the JSON API, the
Atom feed and ``tbtwarn export`` call these helpers, which read the overrides
in force once and apply :mod:`warning.review.shaping`'s rule: a held-back
alert is left out of what exporters' views show, a level an official set wins
(with the official's reason first), and the expert note goes with its
notification, marked with the official's office.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.review.shaping import changed_level, gravest, received, shape_views
from warning.storage.exporters import load_exporters
from warning.storage.overview import AlertView, NotificationDetail, list_alerts
from warning.storage.review_actions import ReviewChange, ReviewState, load_state
from warning.storage.schema import alerts
from warning.storage.search import NotificationFilter, NotificationSummary
from warning.storage.warnings import ExporterWarning, NotificationWarning
from warning.types import LEVELS, Level


def touched(state: ReviewState) -> set[int]:
    """Notifications whose levels an override may change (held back or level set)."""
    return (
        set(state.suppressed_notifications)
        | {n for n, _ in state.suppressed_alerts}
        | {n for n, _ in state.levels}
    )


async def received_alerts(
    conn: AsyncConnection, state: ReviewState | None = None, **filters: Any
) -> list[AlertView]:
    """:func:`warning.storage.overview.list_alerts` as exporters receive them:
    held-back alerts left out (in the query, so a page stays full), levels set
    by officials applied. ``filters`` are ``list_alerts``' keyword arguments."""
    state = state if state is not None else await load_state(conn)
    found = await list_alerts(
        conn,
        hide_notifications=set(state.suppressed_notifications),
        hide_alerts=set(state.suppressed_alerts),
        **filters,
    )
    return shape_views(found, state)


async def received_levels(
    conn: AsyncConnection, ids: Sequence[int], state: ReviewState
) -> dict[int, Level | None]:
    """The gravest level received of those of ``ids`` an override touches
    (None: every alert held back); the others are left out, their computed
    gravest level being already right."""
    wanted = sorted(touched(state) & set(ids))
    out: dict[int, list[Level | None]] = {i: [] for i in wanted}
    for start in range(0, len(wanted), 500):
        query = sa.select(alerts.c.notification_id, alerts.c.exporter_id, alerts.c.level).where(
            alerts.c.notification_id.in_(wanted[start : start + 500])
        )
        for r in await conn.execute(query):
            out[r.notification_id].append(received(state, r.notification_id, r.exporter_id, r.level))
    return {i: gravest(levels) for i, levels in out.items()}


async def received_summaries(
    conn: AsyncConnection, rows: Sequence[NotificationSummary], state: ReviewState | None = None
) -> list[NotificationSummary]:
    """List rows with each level badge as exporters receive it."""
    ids = [r.id for r in rows]
    state = state if state is not None else await load_state(conn, ids)
    levels = await received_levels(conn, ids, state)
    return [dataclasses.replace(r, level=levels[r.id]) if r.id in levels else r for r in rows]


async def with_review_levels(conn: AsyncConnection, f: NotificationFilter) -> NotificationFilter:
    """``f`` with its level condition reading levels as received: the notifications
    an override touches are in or out by their level after the review."""
    if f.level is None:
        return f
    state = await load_state(conn)
    levels = await received_levels(conn, sorted(touched(state)), state)
    bound = LEVELS.index(f.level)
    also = tuple(i for i, lv in levels.items() if lv is not None and LEVELS.index(lv) <= bound)
    return dataclasses.replace(f, level_also=also, level_not=tuple(i for i in levels if i not in also))


@dataclass(frozen=True)
class StaffAlerts:
    """A notification's alerts as the staff page shows them: every one, at the
    level received, those held back marked with the change that holds them."""

    alerts: tuple[AlertView, ...]
    held: Mapping[int, ReviewChange]
    #: The gravest level received (None: alerts nobody, or all held back).
    level: Level | None
    note: ReviewChange | None
    #: The measure's other documents, their levels as received.
    thread: tuple[NotificationSummary, ...]


async def staff_alerts(conn: AsyncConnection, detail: NotificationDetail) -> StaffAlerts:
    """``detail``'s alerts and level with the review applied (and its thread's levels)."""
    state = await load_state(conn, [detail.id, *(s.id for s in detail.thread)])
    thread = await received_summaries(conn, detail.thread, state)
    shown = shape_views(detail.alerts, state, keep_held=True)
    held = {
        a.id: change
        for a in detail.alerts
        if (change := state.suppressed(a.notification_id, a.exporter_id)) is not None
    }
    level = gravest([a.level or "blue" for a in shown if a.id not in held])
    return StaffAlerts(tuple(shown), held, level, state.notes.get(detail.id), tuple(thread))


def note_json(note: ReviewChange | None) -> dict[str, Any] | None:
    """The expert note as the API and the exports give it."""
    if note is None:
        return None
    return {
        "zh": note.note_zh or "",
        "en": note.note_en or "",
        "office": note.office or "",
        "at": note.created_at,
    }


async def warning_shaper(conn: AsyncConnection) -> Callable[[NotificationWarning], NotificationWarning]:
    """:func:`shape_warning` with the overrides in force and the register's ids read once."""
    state = await load_state(conn)
    exporter_ids = {e.name: i for i, e in await load_exporters(conn)}
    return lambda w: shape_warning(w, state, exporter_ids)


def shape_warning(
    w: NotificationWarning, state: ReviewState, exporter_ids: Mapping[str, int]
) -> NotificationWarning:
    """A stored warning's per-exporter alerts as received (held back left out,
    levels set by officials with their reason first)."""
    out: list[ExporterWarning] = []
    for a in w.alerts:
        eid = exporter_ids.get(a.exporter)
        if eid is None:
            out.append(a)
            continue
        level = received(state, w.notification_id, eid, a.level)
        if level is None:
            continue
        reason = changed_level(state, w.notification_id, eid, a.level)
        out.append(a if reason is None else ExporterWarning(a.exporter, level, (reason, *a.reasons)))
    return dataclasses.replace(w, alerts=tuple(out))
