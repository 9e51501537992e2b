"""The classification step: product matches for new and changed notifications."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.base import Classifier
from classifiers.ensemble import Ensemble
from classifiers.ics import IcsClassifier
from classifiers.learner import ExampleLearner, example_notification, examples_from_jsonl
from classifiers.nomenclature import load_nomenclature
from classifiers.textprep import strip_hs_codes
from warning.mapping.mappings import effective_ics_mapping
from warning.runtime import Runtime
from warning.storage.alerts import matches_from_json
from warning.storage.feedback import load_feedback
from warning.storage.notifications import (
    load_notifications,
    needs_classification,
    notification_ids,
    replace_many_matches,
)
from warning.storage.rules import load_rules
from warning.storage.schema import alerts, notifications
from warning.types import LabelledExample

#: Notifications classified per batch (the text model is faster on batches).
BATCH = 256
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ClassifyOutcome:
    classified: int
    with_matches: int
    #: The service stopped before every pending notification was classified.
    stopped: bool = False


def learner_from(ensemble: Ensemble, examples: list[LabelledExample]) -> ExampleLearner | None:
    """A learner fitted on labelled examples (files and exporters' feedback); ``None`` if none."""
    if not examples:
        return None
    prepared = [ensemble.prepare(example_notification(e)) for e in examples]
    return ExampleLearner().fit(prepared, [e.hs_codes for e in examples])


async def feedback_examples(conn: AsyncConnection) -> list[LabelledExample]:
    """Exporters' "relevant" clicks as labelled examples: the notification's text
    labelled with the HS codes that alerted the exporter.

    A "not relevant" click teaches nothing positive and is left to the analysts
    (``/analyst/feedback``), who may write an exclusion rule.
    """
    liked = [f for f in await load_feedback(conn) if f.relevant]
    if not liked:
        return []
    alert_rows = await conn.execute(
        sa.select(alerts.c.id, alerts.c.matches).where(alerts.c.id.in_({f.alert_id for f in liked}))
    )
    codes = {r.id: tuple(dict.fromkeys(m.hs_code for m in matches_from_json(r.matches))) for r in alert_rows}
    notes = dict(await load_notifications(conn, notifications.c.id.in_({f.notification_id for f in liked})))
    out = []
    for f in liked:
        n = notes.get(f.notification_id)
        if n is None or not codes.get(f.alert_id):
            continue
        text = strip_hs_codes(" ".join((n.title, n.products, n.description)))
        out.append(LabelledExample(text, codes[f.alert_id], n.language, f"feedback:{f.alert_id}:{f.email}"))
    return out


async def build_classifier(rt: Runtime, extra_examples: list[LabelledExample] | None = None) -> Ensemble:
    """The ensemble with the analysts' rules and ICS mapping overrides from the database,
    and a learner fitted on the configured labelled examples and the exporters' "relevant" feedback.

    Raises:
        ExamplesError: a configured examples file is unreadable.
    """
    async with rt.db.begin() as conn:
        rules = await load_rules(conn)
        ics_mapping = await effective_ics_mapping(conn)
        examples = await feedback_examples(conn) + list(extra_examples or [])
    nomenclature = load_nomenclature()
    ensemble = Ensemble(nomenclature, rules=rules)
    ensemble.ics = IcsClassifier(ics_mapping)
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
    stopping: asyncio.Event | None = None,
) -> ClassifyOutcome:
    """Classify notifications whose matches are missing or stale (or all of them).

    Each batch is committed on its own, so a stop or a crash keeps what was
    done; once ``stopping`` is set (the service stops) no new batch starts
    and the rest is classified by the next run (``stopped`` says so).
    """
    chosen: Classifier = classifier or await build_classifier(rt)
    async with rt.db.begin() as conn:
        todo = await notification_ids(conn, None if everything else needs_classification())
    done = with_matches = 0
    # Ids first, then the notifications a batch at a time: memory stays
    # flat however many are pending (a reclassification of everything).
    for start in range(0, len(todo), BATCH):
        if stopping is not None and stopping.is_set():
            return ClassifyOutcome(done, with_matches, stopped=True)
        async with rt.db.begin() as conn:
            chunk = await load_notifications(conn, notifications.c.id.in_(todo[start : start + BATCH]))
            if isinstance(chosen, Ensemble):
                results = chosen.classify_many([n for _, n in chunk])
            else:
                results = [chosen.classify(n) for _, n in chunk]
            classified = [(nid, matches) for (nid, _), matches in zip(chunk, results, strict=True)]
            await replace_many_matches(conn, classified)
        with_matches += sum(bool(matches) for _, matches in classified)
        done = min(start + BATCH, len(todo))
        if progress is not None:
            progress(done, len(todo))
    return ClassifyOutcome(len(todo), with_matches)
