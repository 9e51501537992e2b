"""What a change to the analysts' rules would do, before it is saved.

Compares the classifier with the current rules and with the changed ones:
over the stored notifications (which gain or lose a matched HS code) and on
the bundled labelled set (the evaluation figures before and after). Only
notifications on which the two rule sets disagree are run through the whole
ensemble, so a preview over 50,000 notifications stays quick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from classifiers.ensemble import Ensemble
from classifiers.evaluate import Case, load_cases, report
from classifiers.rules import RulesClassifier
from warning.runtime import Runtime
from warning.storage.notifications import load_notifications, replace_matches
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


def _affected(
    stored: list[tuple[int, Notification]], old: Sequence[ClassifierRule], new: Sequence[ClassifierRule]
) -> list[tuple[int, Notification]]:
    """The notifications on which a rule that is in one set but not the other fires."""
    # Only the differing rules can change a result; a changed rule differs in both its versions.
    differing = RulesClassifier([r for r in old if r not in new] + [r for r in new if r not in old])
    before, after = RulesClassifier(old), RulesClassifier(new)
    return [
        (i, n) for i, n in stored if differing.classify(n) and _rule_codes(before, n) != _rule_codes(after, n)
    ]


def evaluation(
    ensemble: Ensemble, rules: Sequence[ClassifierRule], cases: Sequence[Case], threshold: float
) -> dict[str, Any]:
    """The evaluation report of the ensemble with ``rules`` on ``cases``."""
    return report(cases, _run(ensemble, rules, [c.notification for c in cases]), threshold)


async def preview_rules(
    rt: Runtime, ensemble: Ensemble, old: Sequence[ClassifierRule], new: Sequence[ClassifierRule]
) -> RulePreview:
    """The effect of replacing the rules ``old`` by ``new`` (nothing is written)."""
    async with rt.db.begin() as conn:
        stored = await load_notifications(conn)
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
    threshold = rt.config.classifier.alert_threshold
    return RulePreview(
        tuple(changes),
        evaluation(ensemble, old, cases, threshold),
        evaluation(ensemble, new, cases, threshold),
        len(stored),
    )


async def apply_rules(
    rt: Runtime, ensemble: Ensemble, old: Sequence[ClassifierRule], new: Sequence[ClassifierRule]
) -> int:
    """Reclassify the stored notifications the change affects; returns how many were rewritten."""
    async with rt.db.begin() as conn:
        affected = _affected(await load_notifications(conn), old, new)
        results = _run(ensemble, new, [n for _, n in affected])
        for (i, _), matches in zip(affected, results, strict=True):
            await replace_matches(conn, i, matches)
    return len(affected)
