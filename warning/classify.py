"""The classification step: product matches for new and changed notifications."""

from __future__ import annotations

from dataclasses import dataclass

from classifiers.base import Classifier
from classifiers.ensemble import default_classifier
from warning.runtime import Runtime
from warning.storage.notifications import load_notifications, needs_classification, replace_matches


@dataclass(frozen=True)
class ClassifyOutcome:
    classified: int
    with_matches: int


async def classify_pending(
    rt: Runtime, *, everything: bool = False, classifier: Classifier | None = None
) -> ClassifyOutcome:
    """Classify notifications whose matches are missing or stale (or all of them)."""
    classifier = classifier or default_classifier()
    async with rt.db.begin() as conn:
        todo = await load_notifications(conn, None if everything else needs_classification())
        with_matches = 0
        for notification_id, notification in todo:
            matches = classifier.classify(notification)
            with_matches += bool(matches)
            await replace_matches(conn, notification_id, matches)
    return ClassifyOutcome(len(todo), with_matches)
