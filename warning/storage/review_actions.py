"""The officials' review changes (``review_actions``): record them, read them back.

The state in force is worked out here from the history: for each
(notification, exporter or every exporter, kind) the latest change wins,
and a lift (``restore``, ``level_lift``, ``note_remove``) ends the override.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.review_tables import review_actions
from warning.storage.schema import exporters
from warning.types import LEVELS, Level

Action = Literal["suppress", "restore", "level", "level_lift", "note", "note_remove"]
ACTIONS: tuple[Action, ...] = ("suppress", "restore", "level", "level_lift", "note", "note_remove")
#: The kind of override each action sets or lifts.
KIND: dict[str, str] = {
    "suppress": "suppress",
    "restore": "suppress",
    "level": "level",
    "level_lift": "level",
    "note": "note",
    "note_remove": "note",
}
LIFTS = frozenset({"restore", "level_lift", "note_remove"})


@dataclass(frozen=True)
class ReviewChange:
    """One change an official made, as kept in the history."""

    id: int
    notification_id: int
    #: None: the whole notification.
    exporter_id: int | None
    exporter_name: str | None
    action: Action
    level: Level | None
    note_zh: str | None
    note_en: str | None
    office: str | None
    reason: str
    before: str | None
    by_email: str
    created_at: dt.datetime

    def note(self, language: str) -> str:
        """The note in ``language``, else in the other one."""
        first, second = (self.note_zh, self.note_en) if language == "zh" else (self.note_en, self.note_zh)
        return first or second or ""


@dataclass(frozen=True)
class ReviewState:
    """The overrides in force (each the change that set it)."""

    #: Notifications held back from every exporter.
    suppressed_notifications: dict[int, ReviewChange] = field(default_factory=dict)
    #: (notification id, exporter id) alerts held back.
    suppressed_alerts: dict[tuple[int, int], ReviewChange] = field(default_factory=dict)
    #: (notification id, exporter id) -> the level set by an official.
    levels: dict[tuple[int, int], ReviewChange] = field(default_factory=dict)
    #: notification id -> its expert note.
    notes: dict[int, ReviewChange] = field(default_factory=dict)

    def suppressed(self, notification_id: int, exporter_id: int) -> ReviewChange | None:
        """The change holding this alert back, if any."""
        found = self.suppressed_notifications.get(notification_id)
        return found or self.suppressed_alerts.get((notification_id, exporter_id))

    def level(self, notification_id: int, exporter_id: int) -> ReviewChange | None:
        return self.levels.get((notification_id, exporter_id))


def _change(row: Any) -> ReviewChange:
    level = row.level if row.level in LEVELS else None
    return ReviewChange(
        row.id,
        row.notification_id,
        row.exporter_id,
        row.exporter_name,
        cast(Action, row.action),
        cast(Level | None, level),
        row.note_zh,
        row.note_en,
        row.office,
        row.reason,
        row.before,
        row.by_email,
        row.created_at,
    )


async def load_changes(
    conn: AsyncConnection, notification_ids: Sequence[int] | None = None
) -> list[ReviewChange]:
    """The history (of the given notifications only, when given), oldest first."""
    query = (
        sa.select(review_actions, exporters.c.name.label("exporter_name"))
        .select_from(review_actions.outerjoin(exporters, exporters.c.id == review_actions.c.exporter_id))
        .order_by(review_actions.c.id)
    )
    if notification_ids is not None:
        query = query.where(review_actions.c.notification_id.in_(list(notification_ids)))
    return [_change(r) for r in await conn.execute(query)]


def state_of(changes: Sequence[ReviewChange]) -> ReviewState:
    """The overrides in force after ``changes`` (oldest first)."""
    latest: dict[tuple[int, int | None, str], ReviewChange] = {}
    for c in changes:
        latest[c.notification_id, c.exporter_id, KIND[c.action]] = c
    state = ReviewState()
    for (nid, eid, kind), c in latest.items():
        if c.action in LIFTS:
            continue
        if kind == "suppress" and eid is None:
            state.suppressed_notifications[nid] = c
        elif kind == "suppress" and eid is not None:
            state.suppressed_alerts[nid, eid] = c
        elif kind == "level" and eid is not None:
            state.levels[nid, eid] = c
        elif kind == "note":
            state.notes[nid] = c
    return state


async def load_state(conn: AsyncConnection, notification_ids: Sequence[int] | None = None) -> ReviewState:
    """The overrides in force (review changes are few: read whole)."""
    return state_of(await load_changes(conn, notification_ids))


async def record_change(
    conn: AsyncConnection,
    *,
    notification_id: int,
    exporter_id: int | None,
    action: Action,
    reason: str,
    by_email: str,
    now: dt.datetime,
    before: str | None = None,
    level: Level | None = None,
    note_zh: str | None = None,
    note_en: str | None = None,
    office: str | None = None,
) -> None:
    """Append one change to the history."""
    await conn.execute(
        sa.insert(review_actions).values(
            notification_id=notification_id,
            exporter_id=exporter_id,
            action=action,
            level=level,
            note_zh=note_zh,
            note_en=note_en,
            office=office,
            reason=reason,
            before=before,
            by_email=by_email,
            created_at=now,
        )
    )
