"""Measured quality: member-given HS codes as truth, hidden from the classifier.

Every HS code in the text is removed first (:func:`classifiers.textprep.strip_hs_codes`);
records without a valid HS 2022 code in their truth are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from classifiers.member_codes import valid_code
from classifiers.nomenclature import Nomenclature
from classifiers.textprep import strip_hs_codes
from feeds.sample_record import notification_from_sample
from warning.exceptions import RecordError, TbtError
from warning.types import Notification, ProductMatch

METRIC_KEYS = (
    "n",
    "chapter_top1",
    "chapter_top3",
    "heading_top5",
    "chapter_precision",
    "chapter_recall",
    "chapter_f1",
    "coverage",
)


class EvaluationError(TbtError, ValueError):
    """The evaluation file is unreadable or holds a malformed record."""


@dataclass(frozen=True)
class Case:
    """One evaluation record: the notification as the classifier sees it, and the truth."""

    notification: Notification
    truth: tuple[str, ...]


def hidden(notification: Notification) -> Notification:
    """The notification without member codes and with every HS code cut from its text."""
    return replace(
        notification,
        hs_codes=(),
        title=strip_hs_codes(notification.title),
        products=strip_hs_codes(notification.products),
        description=strip_hs_codes(notification.description),
    )


def load_cases(path: Path, nomenclature: Nomenclature) -> tuple[list[Case], int]:
    """Cases from a JSONL file in the notifications' schema, and how many records were skipped.

    Raises:
        EvaluationError: the file cannot be read, or a line is not a valid record (naming the line).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot read: {exc}") from None
    cases, skipped = [], 0
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            notification = notification_from_sample(json.loads(line), "evaluate")
        except (json.JSONDecodeError, RecordError) as exc:
            raise EvaluationError(f"{path} line {line_no}: {exc}") from None
        codes = (valid_code(nomenclature, c) for c in notification.hs_codes)
        truth = tuple(dict.fromkeys(c for c in codes if c))
        if not truth:
            skipped += 1
            continue
        cases.append(Case(hidden(notification), truth))
    return cases, skipped


def _ordered(codes: Sequence[str], length: int) -> list[str]:
    return list(dict.fromkeys(c[:length] for c in codes if len(c) >= length))


def metrics(
    cases: Sequence[Case], predictions: Sequence[Sequence[ProductMatch]], threshold: float
) -> dict[str, float]:
    """The issue's metrics for predictions (ranked matches) against the cases' truth."""
    n = len(cases)
    top1 = top3 = heading_hits = heading_n = covered = 0
    tp = fp = fn = 0
    for case, ranked in zip(cases, predictions, strict=True):
        chapters = _ordered([m.hs_code for m in ranked], 2)
        truth_chapters = set(_ordered(case.truth, 2))
        top1 += bool(set(chapters[:1]) & truth_chapters)
        top3 += bool(set(chapters[:3]) & truth_chapters)
        truth_headings = set(_ordered(case.truth, 4))
        if truth_headings:
            heading_n += 1
            heading_hits += bool(set(_ordered([m.hs_code for m in ranked], 4)[:5]) & truth_headings)
        covered += bool(ranked)
        alerted = set(_ordered([m.hs_code for m in ranked if m.score >= threshold], 2))
        tp += len(alerted & truth_chapters)
        fp += len(alerted - truth_chapters)
        fn += len(truth_chapters - alerted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def share(k: int, of: int) -> float:
        return round(k / of, 4) if of else 0.0

    return {
        "n": n,
        "chapter_top1": share(top1, n),
        "chapter_top3": share(top3, n),
        "heading_top5": share(heading_hits, heading_n),
        "chapter_precision": round(precision, 4),
        "chapter_recall": round(recall, 4),
        "chapter_f1": round(f1, 4),
        "coverage": share(covered, n),
    }


def report(
    cases: Sequence[Case], predictions: Sequence[Sequence[ProductMatch]], threshold: float
) -> dict[str, Any]:
    """Metrics overall, with ``by_language`` holding the same per ``source_lang``."""
    out: dict[str, Any] = metrics(cases, predictions, threshold)
    by_language: dict[str, Any] = {}
    for language in sorted({c.notification.language for c in cases}):
        picked = [i for i, c in enumerate(cases) if c.notification.language == language]
        by_language[language] = metrics(
            [cases[i] for i in picked], [predictions[i] for i in picked], threshold
        )
    out["by_language"] = by_language
    return out


def cross_validated(
    cases: Sequence[Case],
    folds: int,
    predict: Callable[[Sequence[Case], Sequence[Case]], list[list[ProductMatch]]],
) -> list[list[ProductMatch]]:
    """Predictions where each case is predicted by a model trained on the other folds only."""
    out: list[list[ProductMatch]] = [[] for _ in cases]
    for fold in range(folds):
        test = [i for i in range(len(cases)) if i % folds == fold]
        train = [cases[i] for i in range(len(cases)) if i % folds != fold]
        for i, ranked in zip(test, predict(train, [cases[i] for i in test]), strict=True):
            out[i] = ranked
    return out
