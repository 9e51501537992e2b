"""The whole evaluation of an ensemble on labelled cases, as ``classify evaluate`` and the
analysts' evaluation page show it.

Beside the plain figures: the plain TF-IDF baseline (:class:`classifiers.baseline.Baseline`,
the nomenclature's text alone, no glossary, no calibration), the ensemble with a learner
fitted on the other folds (5-fold cross-validation), and the ensemble with its calibration
fitted on the other folds. What the plain figures gain over the cross-validated ones is a
measure of how much was fitted to this very data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from classifiers.baseline import Baseline
from classifiers.ensemble import Ensemble, combine, fit_calibrations
from classifiers.evaluate import Case, Skipped, confusions, cross_validated, failures, report
from classifiers.learner import ExampleLearner, example_notification
from warning.types import LabelledExample, ProductMatch

FOLDS = 5


def _with_learner(ensemble: Ensemble, cases: Sequence[Case], folds: int) -> list[list[ProductMatch]]:
    saved = ensemble.learner

    def predict(train: Sequence[Case], test: Sequence[Case]) -> list[list[ProductMatch]]:
        examples = [
            LabelledExample(
                c.notification.products + " " + c.notification.title, c.truth, c.notification.language
            )
            for c in train
        ]
        prepared = [ensemble.prepare(example_notification(e)) for e in examples]
        ensemble.learner = ExampleLearner().fit(prepared, [e.hs_codes for e in examples])
        return ensemble.classify_many([c.notification for c in test])

    try:
        return cross_validated(cases, folds, predict)
    finally:
        ensemble.learner = saved


def _with_calibration(ensemble: Ensemble, cases: Sequence[Case], folds: int) -> list[list[ProductMatch]]:
    raw = ensemble.evidence([c.notification for c in cases])
    index = {id(c): i for i, c in enumerate(cases)}

    def predict(train: Sequence[Case], test: Sequence[Case]) -> list[list[ProductMatch]]:
        fitted = fit_calibrations([raw[index[id(c)]] for c in train], [c.truth for c in train])
        return [combine(raw[index[id(c)]], fitted) for c in test]

    return cross_validated(cases, folds, predict)


def full_report(
    ensemble: Ensemble,
    cases: Sequence[Case],
    skipped: Sequence[Skipped],
    threshold: float,
    folds: int = FOLDS,
) -> dict[str, Any]:
    """Ours (overall and ``by_language``), the confusions and failed records, the skipped
    records with their reasons, and beside them ``baseline``, ``with_learner_cv`` and
    ``calibrated_cv`` (each a :func:`classifiers.evaluate.report`)."""
    predictions = ensemble.classify_many([c.notification for c in cases])
    baseline = Baseline(ensemble.nomenclature).classify_many([c.notification for c in cases])
    return {
        **report(cases, predictions, threshold),
        "skipped": len(skipped),
        "skipped_records": [{"line": s.line, "record": s.record, "reason": s.reason} for s in skipped],
        "alert_threshold": threshold,
        "folds": folds,
        "baseline": report(cases, baseline, threshold),
        "with_learner_cv": report(cases, _with_learner(ensemble, cases, folds), threshold),
        "calibrated_cv": report(cases, _with_calibration(ensemble, cases, folds), threshold),
        "confusions": confusions(cases, predictions),
        "failures": failures(cases, predictions),
    }
