"""Checking and recording an official's review change.

Every change needs a reason (an expert note needs its office instead), names
a notification that exists and, for one exporter's alert, an alert that
exists. What was in force before is recorded beside the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.exceptions import ReviewEditError
from warning.storage.review_actions import ACTIONS, Action, ReviewState, load_state, record_change
from warning.storage.schema import alerts, notifications
from warning.types import LEVELS, Level

#: Longest reason or note kept (a note is a paragraph or two, not a report).
MAX_TEXT = 4000
MAX_OFFICE = 200


@dataclass(frozen=True)
class Edit:
    """One change asked for (from a form or a command)."""

    notification_id: int
    #: None: the whole notification (suppress, restore, note).
    exporter_id: int | None
    action: str
    reason: str = ""
    level: str = ""
    note_zh: str = ""
    note_en: str = ""
    office: str = ""


def _text(value: str, key: str, what: str, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if len(value) > limit:
        raise ReviewEditError(key, f"{what} is longer than {limit} characters")
    return value


async def _computed_level(conn: AsyncConnection, notification_id: int, exporter_id: int) -> str | None:
    """The alert's stored level; raises when there is no such alert."""
    query = sa.select(alerts.c.level).where(
        alerts.c.notification_id == notification_id, alerts.c.exporter_id == exporter_id
    )
    row = (await conn.execute(query)).one_or_none()
    if row is None:
        raise ReviewEditError(
            "review_no_alert", f"notification {notification_id} alerts no exporter {exporter_id}"
        )
    return str(row.level) if row.level in LEVELS else "blue"


def _before(edit: Edit, state: ReviewState, computed: str | None) -> str | None:
    """What was in force before the change, in words kept in the history."""
    nid, eid = edit.notification_id, edit.exporter_id
    kind = edit.action
    if kind in ("suppress", "restore"):
        held = (
            state.suppressed_notifications.get(nid)
            if eid is None
            else state.suppressed_alerts.get((nid, eid))
        )
        return "suppressed" if held is not None else "shown"
    if kind in ("level", "level_lift"):
        set_by = state.level(nid, eid) if eid is not None else None
        return set_by.level if set_by is not None and set_by.level else computed
    note = state.notes.get(nid)
    if note is None:
        return None
    return f"{note.note_zh or ''} / {note.note_en or ''} ({note.office or ''})"


async def apply_edit(conn: AsyncConnection, edit: Edit, by_email: str, now: dt.datetime) -> str:
    """Check and record ``edit``; returns the action recorded.

    Raises:
        ReviewEditError: unknown action, notification or alert; a missing
            reason; a level that is not one; a note without text or office.
    """
    if edit.action not in ACTIONS:
        raise ReviewEditError("review_bad_action", f"unknown review action {edit.action!r}")
    action: Action = edit.action
    found = await conn.execute(
        sa.select(notifications.c.id).where(notifications.c.id == edit.notification_id)
    )
    if found.one_or_none() is None:
        raise ReviewEditError("review_no_notification", f"no notification {edit.notification_id}")
    per_alert = action in ("level", "level_lift")
    if per_alert and edit.exporter_id is None:
        raise ReviewEditError("review_no_alert", "a level is changed for one exporter's alert")
    if action in ("note", "note_remove") and edit.exporter_id is not None:
        raise ReviewEditError("review_bad_action", "an expert note belongs to the whole notification")
    computed = None
    if edit.exporter_id is not None:
        computed = await _computed_level(conn, edit.notification_id, edit.exporter_id)
    reason = _text(edit.reason, "review_text_long", "the reason")
    if action != "note" and not reason:
        raise ReviewEditError("review_reason_missing", "give a reason for the change")
    level: Level | None = None
    if action == "level":
        if edit.level not in LEVELS:
            raise ReviewEditError(
                "review_bad_level", f"{edit.level!r} is not a level (red, orange, yellow, blue)"
            )
        level = edit.level
    note_zh = _text(edit.note_zh, "review_text_long", "the note")
    note_en = _text(edit.note_en, "review_text_long", "the note")
    office = _text(edit.office, "review_text_long", "the office", MAX_OFFICE)
    if action == "note" and not (note_zh or note_en):
        raise ReviewEditError("review_note_missing", "write the note in Chinese, English or both")
    if action == "note" and not office:
        raise ReviewEditError("review_office_missing", "name the office the note comes from")
    state = await load_state(conn, [edit.notification_id])
    await record_change(
        conn,
        notification_id=edit.notification_id,
        exporter_id=edit.exporter_id,
        action=action,
        reason=reason,
        by_email=by_email,
        now=now,
        before=_before(edit, state, computed),
        level=level,
        note_zh=note_zh or None if action == "note" else None,
        note_en=note_en or None if action == "note" else None,
        office=office or None if action == "note" else None,
    )
    return action
