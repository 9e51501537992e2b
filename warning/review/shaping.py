"""The officials' overrides applied to what emails and pages show.

Applied when an email or a page is made, never written into ``alerts``: a
reclassification or a level recomputation rewrites the computed level, and
the override still wins until an official lifts it.
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


def shape_alerts(alerts: Sequence[AlertRow], state: ReviewState) -> list[AlertRow]:
    """``alerts`` without those held back, each at the level an official set
    (the official's reason first among its reasons)."""
    out: list[AlertRow] = []
    for a in alerts:
        if state.suppressed(a.notification_id, a.exporter_id) is not None:
            continue
        change = state.level(a.notification_id, a.exporter_id)
        if change is None or change.level is None or change.level == a.effective_level:
            out.append(a)
            continue
        reason = level_reason(change, a.effective_level)
        reasons = [{"code": reason.code, "en": reason.en, "zh": reason.zh}]
        reasons += [{"code": r.code, "en": r.en, "zh": r.zh} for r in a.reasons]
        out.append(
            dataclasses.replace(a, level=change.level, reasons_json=json.dumps(reasons, ensure_ascii=False))
        )
    return out


def with_note(view: NotificationView, state: ReviewState, language: str) -> NotificationView:
    """The view with the notification's expert note in ``language`` (if any)."""
    note = state.notes.get(view.id)
    if note is None:
        return view
    return dataclasses.replace(view, note=note.note(language), note_office=note.office or "")


def shape_views(views: Sequence[AlertView], state: ReviewState) -> list[AlertView]:
    """Alerts as an exporter's own pages and feed show them: held-back ones
    left out, each at the level an official set (its reason first)."""
    out: list[AlertView] = []
    for v in views:
        if state.suppressed(v.notification_id, v.exporter_id) is not None:
            continue
        change = state.level(v.notification_id, v.exporter_id)
        if change is None or change.level is None or change.level == (v.level or "blue"):
            out.append(v)
            continue
        reason = level_reason(change, v.level or "blue")
        out.append(dataclasses.replace(v, level=change.level, reasons=(reason, *v.reasons)))
    return out
