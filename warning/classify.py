"""The classification step: product matches for new and changed notifications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from classifiers.base import Classifier
from classifiers.ensemble import Ensemble
from classifiers.learner import ExampleLearner, example_notification, examples_from_jsonl
from classifiers.nomenclature import load_nomenclature
from warning.runtime import Runtime
from warning.storage.notifications import load_notifications, needs_classification, replace_matches
from warning.storage.rules import load_rules
from warning.types import LabelledExample

#: Notifications classified per batch (the text model is faster on batches).
BATCH = 256
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ClassifyOutcome:
    classified: int
    with_matches: int


def learner_from(ensemble: Ensemble, examples: list[LabelledExample]) -> ExampleLearner | None:
    """A learner fitted on labelled examples (from files now, analysts' feedback later); ``None`` if none."""
    if not examples:
        return None
    prepared = [ensemble.prepare(example_notification(e)) for e in examples]
    return ExampleLearner().fit(prepared, [e.hs_codes for e in examples])


async def build_classifier(rt: Runtime, extra_examples: list[LabelledExample] | None = None) -> Ensemble:
    """The ensemble with the analysts' rules from the database and the configured labelled examples.

    Raises:
        ExamplesError: a configured examples file is unreadable.
    """
    async with rt.db.begin() as conn:
        rules = await load_rules(conn)
    nomenclature = load_nomenclature()
    ensemble = Ensemble(nomenclature, rules=rules)
    examples = list(extra_examples or [])
    for path in rt.config.classifier.examples:
        examples += examples_from_jsonl(path, nomenclature)
    ensemble.learner = learner_from(ensemble, examples)
    return ensemble


async def classify_pending(
    rt: Runtime,
    *,
    everything: bool = False,
    classifier: Classifier | None = None,
    progress: Progress | None = None,
) -> ClassifyOutcome:
    """Classify notifications whose matches are missing or stale (or all of them)."""
    chosen: Classifier = classifier or await build_classifier(rt)
    async with rt.db.begin() as conn:
        todo = await load_notifications(conn, None if everything else needs_classification())
        with_matches = 0
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            if isinstance(chosen, Ensemble):
                results = chosen.classify_many([n for _, n in chunk])
            else:
                results = [chosen.classify(n) for _, n in chunk]
            for (notification_id, _), matches in zip(chunk, results, strict=True):
                with_matches += bool(matches)
                await replace_matches(conn, notification_id, matches)
            if progress is not None:
                progress(start + len(chunk), len(todo))
    return ClassifyOutcome(len(todo), with_matches)
