"""The officials' overrides applied to what emails, pages, the API, the feed
and the exports show: the one place that says what an exporter receives.

Applied when an email or a page is made, never written into ``alerts``: a
reclassification or a level recomputation rewrites the computed level, and
the override still wins until an official lifts it. :func:`received` is the
rule; the other functions apply it to each kind of row the surfaces read
(``warning.review.surfaces`` loads the state and calls them).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from notifications.digest import NotificationView, level_name
from warning.storage.deliveries import AlertRow
from warning.storage.overview import AlertView
from warning.storage.review_actions import ReviewChange, ReviewState
from warning.types import LEVELS, Level, Reason


def received(
    state: ReviewState, notification_id: int, exporter_id: int, computed: Level | None
) -> Level | None:
    """The level the exporter receives for this alert: the official's where one
    was set, else the computed one (blue when not yet computed); None: held back."""
    if state.suppressed(notification_id, exporter_id) is not None:
        return None
    change = state.level(notification_id, exporter_id)
    if change is not None and change.level is not None:
        return change.level
    return computed if computed in LEVELS else "blue"


def gravest(levels: Sequence[Level | None]) -> Level | None:
    """The gravest of ``levels`` (None ignored); None when there is none."""
    found = [lv for lv in levels if lv in LEVELS]
    return min(found, key=LEVELS.index) if found else None


def level_reason(change: ReviewChange, before: Level) -> Reason:
    """Why the level is what it is: the official's change, in both languages."""
    assert change.level is not None
    graver = LEVELS.index(change.level) < LEVELS.index(before)
    en_verb, zh_verb = ("raised", "上调") if graver else ("lowered", "下调")
    en_to, zh_to = level_name(change.level, "en"), level_name(change.level, "zh")
    en_from, zh_from = level_name(before, "en"), level_name(before, "zh")
    return Reason(
        "review",
        f"Level {en_verb} from {en_from} to {en_to} by the trade officials: {change.reason}",
        f"主管部门将预警等级由{zh_from}{zh_verb}为{zh_to}：{change.reason}",
    )


def changed_level(
    state: ReviewState, notification_id: int, exporter_id: int, computed: Level | None
) -> Reason | None:
    """The official's reason when the level received differs from the computed one."""
    before: Level = computed if computed in LEVELS else "blue"
    now = received(state, notification_id, exporter_id, computed)
    change = state.level(notification_id, exporter_id)
    if now is None or now == before or change is None:
        return None
    return level_reason(change, before)


def shape_alerts(alerts: Sequence[AlertRow], state: ReviewState) -> list[AlertRow]:
    """``alerts`` without those held back, each at the level an official set
    (the official's reason first among its reasons)."""
    out: list[AlertRow] = []
    for a in alerts:
        level = received(state, a.notification_id, a.exporter_id, a.level)
        if level is None:
            continue
        reason = changed_level(state, a.notification_id, a.exporter_id, a.level)
        if reason is None:
            out.append(a)
            continue
        reasons = [{"code": r.code, "en": r.en, "zh": r.zh} for r in (reason, *a.reasons)]
        out.append(dataclasses.replace(a, level=level, reasons_json=json.dumps(reasons, ensure_ascii=False)))
    return out


def shape_views(
    views: Sequence[AlertView], state: ReviewState, *, keep_held: bool = False
) -> list[AlertView]:
    """Alerts as exporters receive them: held-back ones left out (kept, at
    their computed level, with ``keep_held`` for staff pages that mark them),
    each at the level an official set (its reason first)."""
    out: list[AlertView] = []
    for v in views:
        level = received(state, v.notification_id, v.exporter_id, v.level)
        if level is None:
            if keep_held:
                out.append(v)
            continue
        reason = changed_level(state, v.notification_id, v.exporter_id, v.level)
        out.append(v if reason is None else dataclasses.replace(v, level=level, reasons=(reason, *v.reasons)))
    return out


def with_note(view: NotificationView, state: ReviewState, language: str) -> NotificationView:
    """The view with the notification's expert note in ``language`` (if any)."""
    note = state.notes.get(view.id)
    if note is None:
        return view
    return dataclasses.replace(view, note=note.note(language), note_office=note.office or "")
