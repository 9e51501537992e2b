"""Measure threads: a base notification with its addenda, corrigenda and revisions.

A thread is keyed by the base symbol (``G/TBT/N/KEN/1307``), or by the key
of a record that carries no follow-up symbol. The measure's severity is that
of its latest substantive text (the base or its latest revision), moved by
what later addenda announce: adoption or entry into force raises it, a
withdrawal ends it, an extension or transition period eases it, a
corrigendum leaves it as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from warning.levels.assess import clamp
from warning.levels.severity import assess_severity
from warning.symbols import reference
from warning.types import Factor, FollowUpKind, Notification, Reason, ThreadEvent


def thread_key(n: Notification) -> str:
    """The key of the measure a notification belongs to."""
    base = n.base_symbol
    return base.text if base is not None else n.key


def follow_up_kind(n: Notification) -> FollowUpKind | None:
    """The kind of the last follow-up part of the first symbol, ``None`` for a base."""
    if n.symbols and n.symbols[0].follow_ups:
        return n.symbols[0].follow_ups[-1][0]
    return None


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


# Checked in this order: a withdrawal that mentions adoption is a withdrawal.
_EVENT_PATTERNS: tuple[tuple[ThreadEvent, re.Pattern[str]], ...] = (
    (ThreadEvent.WITHDRAWN, _words(r"withdraw", r"\brevoked?\b", r"\brescind", r"撤销", r"撤回", r"废止")),
    (
        ThreadEvent.RELAXED,
        _words(
            r"transition(al)? period",
            r"\bextend",
            r"\bpostpone",
            r"\bdelay",
            r"过渡期",
            r"延长",
            r"推迟",
            r"延期",
        ),
    ),
    (
        ThreadEvent.IN_FORCE,
        _words(
            r"ent(ry|ries|ered|er|ers) into force", r"\bin force\b", r"\beffective\b", r"生效", r"实施时间"
        ),
    ),
    (
        ThreadEvent.ADOPTED,
        _words(
            r"\badopted\b",
            r"\bapproved\b",
            r"final rule",
            r"\bpublished\b",
            r"获得通过",
            r"获通过",
            r"已通过",
            r"被通过",
            r"最终文本",
            r"最终法规",
            r"正式发布",
        ),
    ),
)


def follow_up_event(n: Notification) -> ThreadEvent | None:
    """What a follow-up says happened to its measure; ``None`` for a base."""
    kind = follow_up_kind(n)
    if kind is None:
        return None
    if kind is FollowUpKind.CORRIGENDUM:
        return ThreadEvent.CORRECTED
    if kind is FollowUpKind.REVISION:
        return ThreadEvent.REVISED
    text = " ".join((n.title, n.description))
    for event, pattern in _EVENT_PATTERNS:
        if pattern.search(text):
            return event
    return ThreadEvent.OTHER


def _order(n: Notification) -> tuple[int, dt.date, str]:
    # The base first, then follow-ups by date, then by symbol.
    return (
        1 if follow_up_kind(n) else 0,
        n.distribution_date or dt.date.min,
        n.symbols[0].text if n.symbols else n.key,
    )


@dataclass(frozen=True)
class Thread:
    """One measure: its documents in order (the base, when known, first)."""

    key: str
    members: tuple[tuple[int, Notification], ...]


def group_threads(notes: Sequence[tuple[int, Notification]]) -> list[Thread]:
    """Notifications grouped into measure threads, each in document order."""
    groups: dict[str, list[tuple[int, Notification]]] = {}
    for notification_id, n in notes:
        groups.setdefault(thread_key(n), []).append((notification_id, n))
    return [
        Thread(key, tuple(sorted(members, key=lambda m: _order(m[1])))) for key, members in groups.items()
    ]


#: How each event moves the measure's severity, and how it is said.
_EVENT_EFFECTS: dict[ThreadEvent, tuple[float, str, str]] = {
    ThreadEvent.ADOPTED: (0.15, "adopted: the measure is now final", "已通过：措施已成定局"),
    ThreadEvent.IN_FORCE: (
        0.2,
        "in force or about to be: compliance is required",
        "已生效或即将生效：须合规",
    ),
    ThreadEvent.RELAXED: (
        -0.15,
        "eased: deadline extended or transition period granted",
        "放宽：延期或给予过渡期",
    ),
}


def measure_severity(documents: Sequence[Notification]) -> tuple[Factor, ThreadEvent | None]:
    """The severity of a measure from its documents so far, and the last event.

    Raises nothing; an empty sequence is a programming error (``IndexError``).
    """
    substantive = [d for d in documents if follow_up_kind(d) in (None, FollowUpKind.REVISION)]
    # A thread known only by follow-ups is judged by its first document.
    start = substantive[-1] if substantive else documents[0]
    factor = assess_severity(start)
    score, reasons = factor.score, list(factor.reasons)
    last_event = follow_up_event(documents[-1])
    for doc in documents[documents.index(start) + 1 :]:
        event = follow_up_event(doc)
        symbol = doc.symbols[0].text if doc.symbols else reference(doc.key)
        if event is ThreadEvent.WITHDRAWN:
            return Factor(
                0.0, (Reason("thread", f"withdrawn ({symbol})", f"已撤回（{symbol}）"),)
            ), last_event
        if event in _EVENT_EFFECTS:
            assert event is not None
            delta, en, zh = _EVENT_EFFECTS[event]
            score += delta
            reasons.append(Reason("thread", f"{en} ({symbol})", f"{zh}（{symbol}）"))
        elif event is ThreadEvent.CORRECTED:
            reasons.append(Reason("thread", f"corrected by {symbol}", f"已由{symbol}更正"))
    if start is documents[0] and follow_up_kind(start) is FollowUpKind.ADDENDUM:
        event = follow_up_event(start)
        if event is ThreadEvent.WITHDRAWN:
            return Factor(0.0, (Reason("thread", "withdrawn", "已撤回"),)), last_event
        if event in _EVENT_EFFECTS:
            assert event is not None
            delta, en, zh = _EVENT_EFFECTS[event]
            score += delta
            reasons.append(Reason("thread", en, zh))
    return Factor(clamp(score), tuple(reasons)), last_event


def latest_dates(documents: Sequence[Notification]) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """The measure's comment deadline, adoption and entry-into-force dates: latest stated."""

    def latest(attr: str) -> dt.date | None:
        for doc in reversed(documents):
            value: dt.date | None = getattr(doc, attr)
            if value is not None:
                return value
        return None

    return (
        latest("comment_deadline"),
        latest("proposed_adoption_date"),
        latest("proposed_entry_into_force_date"),
    )


#: The least urgency a measure has once adopted or in force: compliance is due.
_EVENT_URGENCY: dict[ThreadEvent, tuple[float, str, str]] = {
    ThreadEvent.ADOPTED: (0.6, "adopted: compliance will be required", "已通过：即将须合规"),
    ThreadEvent.IN_FORCE: (0.8, "in force: compliance is required now", "已生效：须立即合规"),
}
#: How much of its urgency an eased measure keeps.
_RELAXED_URGENCY = 0.6


def measure_urgency(documents: Sequence[Notification], urgency: Factor) -> Factor:
    """The urgency from the measure's dates, moved by what its follow-ups announce.

    The latest adoption, entry-into-force or easing announcement counts.
    """
    for doc in reversed(documents):
        event = follow_up_event(doc)
        if event in _EVENT_URGENCY:
            assert event is not None
            floor, en, zh = _EVENT_URGENCY[event]
            if urgency.score >= floor:
                return urgency
            return Factor(floor, (*urgency.reasons, Reason("urgency", en, zh)))
        if event is ThreadEvent.RELAXED:
            return Factor(
                urgency.score * _RELAXED_URGENCY,
                (*urgency.reasons, Reason("urgency", "more time granted to comply", "合规期限已放宽")),
            )
    return urgency
