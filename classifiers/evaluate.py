"""Measured quality: member-given HS codes as truth, hidden from the classifier.

Every HS code in the text is removed first (:func:`classifiers.textprep.strip_hs_codes`).
A record is skipped, and named with its reason (:class:`Skipped`), only when it cannot
be read (not JSON, no text) or has no valid HS 2022 code to measure against; a record
without a symbol, or with a symbol a mirror printed without its member code
(``G/TBT/N/1234/Rev.1``), is evaluated like any other (the symbol is not needed).
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
    "heading_precision",
    "heading_recall",
    "coverage",
)


class EvaluationError(TbtError, ValueError):
    """The evaluation file is unreadable or holds a malformed record."""


@dataclass(frozen=True)
class Case:
    """One evaluation record: the notification as the classifier sees it, and the truth."""

    notification: Notification
    truth: tuple[str, ...]
    #: Where the record is in its file (``line 12, record 1016``), for reports.
    where: str = ""


@dataclass(frozen=True)
class Skipped:
    """A record left out of the evaluation, and why."""

    line: int
    #: The record's id or first symbol as written, ``""`` when it has neither.
    record: str
    reason: str

    def describe(self) -> str:
        named = f" ({self.record})" if self.record else ""
        return f"line {self.line}{named}: {self.reason}"


def hidden(notification: Notification) -> Notification:
    """The notification without member codes and with every HS code cut from its text."""
    return replace(
        notification,
        hs_codes=(),
        title=strip_hs_codes(notification.title),
        products=strip_hs_codes(notification.products),
        description=strip_hs_codes(notification.description),
    )


def _label(record: Any) -> str:
    if not isinstance(record, dict):
        return ""
    symbols = record.get("symbols")
    first = symbols[0] if isinstance(symbols, list) and symbols else symbols
    rid = record.get("record_id")
    parts = [f"record {rid}" if rid not in (None, "") else "", first if isinstance(first, str) else ""]
    return ", ".join(p for p in parts if p)


def _read_record(record: Any, line_no: int) -> Notification:
    """The notification of a record; symbols that do not parse are dropped, not fatal,
    and a record with neither symbol nor id is known by its line.

    Raises:
        RecordError: the record cannot be read without its symbols either.
    """
    if isinstance(record, dict) and not record.get("record_id"):
        record = {**record, "record_id": f"line {line_no}"}
    try:
        return notification_from_sample(record, "evaluate")
    except RecordError as first:
        if not isinstance(record, dict) or "symbols" not in str(first):
            raise
    return notification_from_sample({**record, "symbols": []}, "evaluate")


def load_cases(path: Path, nomenclature: Nomenclature) -> tuple[list[Case], list[Skipped]]:
    """Cases from a JSONL file in the notifications' schema, and the records skipped with why.

    Raises:
        EvaluationError: the file itself cannot be read.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot read: {exc}") from None
    cases: list[Case] = []
    skipped: list[Skipped] = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(Skipped(line_no, "", f"not JSON: {exc.msg}"))
            continue
        try:
            notification = _read_record(record, line_no)
        except RecordError as exc:
            skipped.append(Skipped(line_no, _label(record), f"unreadable: {exc}"))
            continue
        codes = (valid_code(nomenclature, c) for c in notification.hs_codes)
        truth = tuple(dict.fromkeys(c for c in codes if c))
        if not truth:
            given = " ".join(notification.hs_codes)
            reason = f"no valid HS 2022 code (given: {given})" if given else "no HS codes to measure against"
            skipped.append(Skipped(line_no, _label(record), reason))
            continue
        where = ", ".join(p for p in (f"line {line_no}", _label(record)) if p)
        cases.append(Case(hidden(notification), truth, where))
    return cases, skipped


def _ordered(codes: Sequence[str], length: int) -> list[str]:
    return list(dict.fromkeys(c[:length] for c in codes if len(c) >= length))


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def metrics(
    cases: Sequence[Case], predictions: Sequence[Sequence[ProductMatch]], threshold: float
) -> dict[str, float]:
    """The issue's metrics for predictions (ranked matches) against the cases' truth.

    Precision and recall count what alerts (scores at least ``threshold``): chapters
    over every case, headings over the cases whose truth names a heading.
    """
    n = len(cases)
    top1 = top3 = heading_hits = heading_n = covered = 0
    tp = fp = fn = htp = hfp = hfn = 0
    for case, ranked in zip(cases, predictions, strict=True):
        codes = [m.hs_code for m in ranked]
        chapters = _ordered(codes, 2)
        truth_chapters = set(_ordered(case.truth, 2))
        top1 += bool(set(chapters[:1]) & truth_chapters)
        top3 += bool(set(chapters[:3]) & truth_chapters)
        covered += bool(ranked)
        alerting = [m.hs_code for m in ranked if m.score >= threshold]
        alerted = set(_ordered(alerting, 2))
        tp += len(alerted & truth_chapters)
        fp += len(alerted - truth_chapters)
        fn += len(truth_chapters - alerted)
        truth_headings = set(_ordered(case.truth, 4))
        if truth_headings:
            heading_n += 1
            heading_hits += bool(set(_ordered(codes, 4)[:5]) & truth_headings)
            alerted_headings = set(_ordered(alerting, 4))
            htp += len(alerted_headings & truth_headings)
            hfp += len(alerted_headings - truth_headings)
            hfn += len(truth_headings - alerted_headings)
    precision, recall, f1 = _prf(tp, fp, fn)
    h_precision, h_recall, _ = _prf(htp, hfp, hfn)

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
        "heading_precision": round(h_precision, 4),
        "heading_recall": round(h_recall, 4),
        "coverage": share(covered, n),
    }


def confusions(cases: Sequence[Case], predictions: Sequence[Sequence[ProductMatch]]) -> list[dict[str, Any]]:
    """Which chapters were ranked first in place of which: one row per (true chapter,
    our first chapter) pair of the cases whose first chapter is wrong, most frequent first."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for case, ranked in zip(cases, predictions, strict=True):
        first = _ordered([m.hs_code for m in ranked], 2)[:1]
        truth = _ordered(case.truth, 2)
        if truth and first != [] and first[0] not in truth:
            pairs.setdefault((truth[0], first[0]), []).append(case.where)
        elif truth and not first:
            pairs.setdefault((truth[0], ""), []).append(case.where)
    rows = [
        {"truth": t, "predicted": p, "count": len(where), "records": where} for (t, p), where in pairs.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["truth"], r["predicted"]))


def failures(
    cases: Sequence[Case], predictions: Sequence[Sequence[ProductMatch]], top: int = 3
) -> list[dict[str, Any]]:
    """The cases whose right chapter is not first: text, truth, our first ``top`` matches
    with their evidence, so an analyst sees why."""
    out: list[dict[str, Any]] = []
    for case, ranked in zip(cases, predictions, strict=True):
        truth = set(_ordered(case.truth, 2))
        if set(_ordered([m.hs_code for m in ranked], 2)[:1]) & truth:
            continue
        n = case.notification
        out.append(
            {
                "record": case.where,
                "language": n.language,
                "title": n.title,
                "products": n.products,
                "truth": list(case.truth),
                "in_top3": bool(set(_ordered([m.hs_code for m in ranked], 2)[:3]) & truth),
                "ours": [
                    {
                        "hs_code": m.hs_code,
                        "score": round(m.score, 2),
                        "method": m.method,
                        "evidence": m.evidence,
                    }
                    for m in ranked[:top]
                ],
            }
        )
    return out


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
