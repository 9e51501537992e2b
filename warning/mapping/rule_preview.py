"""What a change to the analysts' rules would do, before it is saved.

Compares the classifier with the current rules and with the changed ones:
over the stored notifications (which gain or lose a matched HS code) and on
the bundled labelled set (the evaluation figures before and after). Only
notifications on which the two rule sets disagree are run through the whole
ensemble, so a preview over 50,000 notifications stays quick.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.ensemble import Ensemble
from classifiers.evaluate import Case, load_cases, report
from classifiers.rules import RulesClassifier
from classifiers.textprep import has_chinese, singular
from warning.runtime import Runtime
from warning.storage.notifications import count_notifications, load_notifications, replace_matches
from warning.storage.schema import notifications
from warning.types import ClassifierRule, Notification, ProductMatch


def labelled_set() -> Path:
    """The bundled labelled notifications (``feeds/data/wto_sample.jsonl``)."""
    return Path(str(resources.files("feeds") / "data" / "wto_sample.jsonl"))


@dataclass(frozen=True)
class MatchChange:
    """A stored notification whose matched HS codes a rule change alters."""

    notification_id: int
    key: str
    title: str
    gained: tuple[str, ...]
    lost: tuple[str, ...]


@dataclass(frozen=True)
class RulePreview:
    changes: tuple[MatchChange, ...]
    #: Evaluation figures on the labelled set (``classifiers.evaluate.report``).
    before: dict[str, Any]
    after: dict[str, Any]
    #: Stored notifications looked at.
    checked: int


def _rule_codes(rules: RulesClassifier, n: Notification) -> set[str]:
    return {m.hs_code for m in rules.classify(n)}


def _run(
    ensemble: Ensemble, rules: Sequence[ClassifierRule], batch: list[Notification]
) -> list[list[ProductMatch]]:
    # The ensemble is shared: its rules are set right before each (synchronous) run.
    ensemble.rules = RulesClassifier(rules)
    return ensemble.classify_many(batch) if batch else []


def _differing(old: Sequence[ClassifierRule], new: Sequence[ClassifierRule]) -> list[ClassifierRule]:
    # Only the differing rules can change a result; a changed rule differs in both its versions.
    return [r for r in old if r not in new] + [r for r in new if r not in old]


def _stem(phrase: str) -> str | None:
    """A substring every text the phrase fires on contains (lower-case), or None if unsure.

    English phrases match whole singular words: a plural ("batteries",
    "leaves", "boxes") holds the singular minus its last letter ("batter",
    "lea", "bo"), so the longest word's stem is always there. Chinese phrases
    match as they are.
    """
    if has_chinese(phrase):
        return phrase
    words = [singular(w) for w in re.findall(r"[a-z0-9]+", phrase.lower())]
    if not phrase.isascii() or not words:
        return None  # SQL lower() folds ASCII only: no safe prefilter
    longest = max(words, key=len)
    return longest[:-1] if len(longest) > 1 else longest


#: Above this many distinct stems, :func:`candidates` reads every notification: SQLite
#: parses ``a OR b OR ...`` as a tree one level deeper per term, and refuses a
#: statement deeper than 1000 ("Expression tree is too large"), which made a rule
#: of a few hundred phrases fail with a 500 after it was stored.
MAX_CANDIDATE_STEMS = 200


def candidates(rules: Sequence[ClassifierRule]) -> sa.ColumnElement[bool] | None:
    """An SQL condition true for every notification one of ``rules`` can fire on (None: all)."""
    stems = list(dict.fromkeys(_stem(p) for r in rules for p in r.phrases))
    if any(s is None for s in stems) or len(stems) > MAX_CANDIDATE_STEMS:
        return None
    fields = (notifications.c.title, notifications.c.description, notifications.c.products)
    escaped = [s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for s in stems if s]
    return sa.or_(sa.false(), *(f.ilike(f"%{e}%", escape="\\") for e in escaped for f in fields))


def _affected(
    stored: list[tuple[int, Notification]], old: Sequence[ClassifierRule], new: Sequence[ClassifierRule]
) -> list[tuple[int, Notification]]:
    """The notifications on which a rule that is in one set but not the other fires."""
    differing = RulesClassifier(_differing(old, new))
    before, after = RulesClassifier(old), RulesClassifier(new)
    return [
        (i, n) for i, n in stored if differing.classify(n) and _rule_codes(before, n) != _rule_codes(after, n)
    ]


def evaluation(
    ensemble: Ensemble, rules: Sequence[ClassifierRule], cases: Sequence[Case], threshold: float
) -> dict[str, Any]:
    """The evaluation report of the ensemble with ``rules`` on ``cases``."""
    return report(cases, _run(ensemble, rules, [c.notification for c in cases]), threshold)


def _compare(
    ensemble: Ensemble,
    stored: list[tuple[int, Notification]],
    old: Sequence[ClassifierRule],
    new: Sequence[ClassifierRule],
    threshold: float,
) -> tuple[list[MatchChange], dict[str, Any], dict[str, Any]]:
    """The CPU part of a preview (run in a worker thread)."""
    affected = _affected(stored, old, new)
    batch = [n for _, n in affected]
    before = _run(ensemble, old, batch)
    after = _run(ensemble, new, batch)
    changes = []
    for (i, n), b, a in zip(affected, before, after, strict=True):
        was, now = {m.hs_code for m in b}, {m.hs_code for m in a}
        if was != now:
            changes.append(MatchChange(i, n.key, n.title, tuple(sorted(now - was)), tuple(sorted(was - now))))
    cases, _ = load_cases(labelled_set(), ensemble.nomenclature)
    return changes, evaluation(ensemble, old, cases, threshold), evaluation(ensemble, new, cases, threshold)


async def preview_rules(
    rt: Runtime, ensemble: Ensemble, old: Sequence[ClassifierRule], new: Sequence[ClassifierRule]
) -> RulePreview:
    """The effect of replacing the rules ``old`` by ``new`` (nothing is written).

    The caller must hold the ensemble for itself (its rules are changed meanwhile).
    """
    async with rt.db.begin() as conn:
        stored = await load_notifications(conn, candidates(_differing(old, new)))
        checked = await count_notifications(conn)
    threshold = rt.config.classifier.alert_threshold
    # Classifying is CPU work: off the event loop, so other pages keep being served.
    changes, before, after = await asyncio.to_thread(_compare, ensemble, stored, old, new, threshold)
    return RulePreview(tuple(changes), before, after, checked)


def _reclassified(
    ensemble: Ensemble,
    stored: list[tuple[int, Notification]],
    old: Sequence[ClassifierRule],
    new: Sequence[ClassifierRule],
) -> list[tuple[int, list[ProductMatch]]]:
    affected = _affected(stored, old, new)
    results = _run(ensemble, new, [n for _, n in affected])
    return [(i, matches) for (i, _), matches in zip(affected, results, strict=True)]


async def apply_rules(
    conn: AsyncConnection, ensemble: Ensemble, old: Sequence[ClassifierRule], new: Sequence[ClassifierRule]
) -> int:
    """Reclassify the stored notifications the change affects; returns how many were rewritten.

    Runs on the caller's transaction, the one that stored the change, so a change is
    stored with its reclassification or not at all (the classifying, bounded by the
    notifications the changed phrases can fire on, runs in a worker thread meanwhile).
    The caller must hold the ensemble for itself (its rules are changed meanwhile).
    """
    stored = await load_notifications(conn, candidates(_differing(old, new)))
    rewritten = await asyncio.to_thread(_reclassified, ensemble, stored, old, new)
    for notification_id, matches in rewritten:
        await replace_matches(conn, notification_id, matches)
    return len(rewritten)
