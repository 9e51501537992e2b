"""What a change to the ICS mapping or the sectors would do, before it is saved.

Like :mod:`warning.mapping.rule_preview`: over the stored notifications (which gain or
lose an HS match or a sector) and on the bundled labelled set (the evaluation
figures before and after, with sector figures added). Only notifications whose
ICS codes fall under a changed ICS row, or whose matches touch a changed
sector, are looked at closely.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from classifiers.ensemble import Ensemble
from classifiers.evaluate import Case, load_cases, report
from classifiers.ics import IcsClassifier
from classifiers.rules import RulesClassifier
from classifiers.sectors import sectors_of
from warning.mapping.rule_preview import labelled_set
from warning.previews.exporters import ExporterEffect, Rematched, exporter_effects
from warning.previews.sector_effects import sector_effects
from warning.runtime import Runtime
from warning.storage.notifications import (
    count_notifications,
    load_notifications,
    matches_by_notification,
    replace_matches,
)
from warning.storage.schema import notifications, product_matches
from warning.storage.subscriptions import load_subscriptions
from warning.types import ClassifierRule, Notification, ProductMatch, Sector

IcsMapping = Mapping[str, tuple[str, ...]]
#: Figures added to the classifier's evaluation report: sectors of the alerting matches vs. the truth's.
SECTOR_METRIC_KEYS = ("sector_precision", "sector_recall", "sector_f1")


@dataclass(frozen=True)
class MappingChangeRow:
    """A stored notification whose matches or sectors the change alters."""

    notification_id: int
    key: str
    title: str
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    #: Sector keys.
    gained_sectors: tuple[str, ...]
    lost_sectors: tuple[str, ...]


@dataclass(frozen=True)
class MappingPreview:
    changes: tuple[MappingChangeRow, ...]
    #: Evaluation figures on the labelled set (``report`` plus :data:`SECTOR_METRIC_KEYS`).
    before: dict[str, Any]
    after: dict[str, Any]
    #: Stored notifications looked at.
    checked: int
    #: Subscriptions naming a changed sector (a removed sector no longer filters them).
    subscriptions: int = 0
    #: The exporters whose alert would appear, disappear or change level (ICS changes), or
    #: that their contacts would start or stop receiving (sector changes: a sector filters
    #: subscriptions, it moves no level).
    exporters: tuple[ExporterEffect, ...] = ()


def sector_keys(codes: Sequence[str], sectors: Sequence[Sector]) -> set[str]:
    """The keys of the sectors any of ``codes`` belongs to."""
    return {s.key for code in codes for s in sectors_of(code, sectors)}


def figures(
    cases: Sequence[Case],
    predictions: Sequence[Sequence[ProductMatch]],
    threshold: float,
    sectors: Sequence[Sector],
) -> dict[str, Any]:
    """The evaluation report with sector precision, recall and F1: the sectors of the
    alerting matches against the sectors of the truth."""
    out = report(cases, predictions, threshold)
    tp = fp = fn = 0
    for case, ranked in zip(cases, predictions, strict=True):
        truth = sector_keys(case.truth, sectors)
        found = sector_keys([m.hs_code for m in ranked if m.score >= threshold], sectors)
        tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out.update(sector_precision=round(precision, 4), sector_recall=round(recall, 4), sector_f1=round(f1, 4))
    return out


def _classify(
    ensemble: Ensemble, rules: Sequence[ClassifierRule], mapping: IcsMapping, batch: list[Notification]
) -> list[list[ProductMatch]]:
    # The ensemble is shared: its rules and ICS mapping are set right before each (synchronous) run.
    ensemble.rules = RulesClassifier(rules)
    ensemble.ics = IcsClassifier(dict(mapping))
    return ensemble.classify_many(batch) if batch else []


def _differing_codes(old: IcsMapping, new: IcsMapping) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def ics_candidates(old: IcsMapping, new: IcsMapping) -> sa.ColumnElement[bool]:
    """An SQL condition true for every notification with an ICS code under a changed row.

    ``ics_codes`` is a JSON list: its text holds ``"13.220`` for any code at or below 13.220.
    """
    text = sa.cast(notifications.c.ics_codes, sa.Text)
    return sa.or_(sa.false(), *(text.like(f'%"{code}%') for code in _differing_codes(old, new)))


def _affected(
    stored: list[tuple[int, Notification]], old: IcsMapping, new: IcsMapping
) -> list[tuple[int, Notification]]:
    before, after = IcsClassifier(dict(old)), IcsClassifier(dict(new))
    return [(i, n) for i, n in stored if before.classify(n) != after.classify(n)]


def _labelled(ensemble: Ensemble) -> list[Case]:
    return load_cases(labelled_set(), ensemble.nomenclature)[0]


def _compare_ics(
    ensemble: Ensemble,
    stored: list[tuple[int, Notification]],
    rules: Sequence[ClassifierRule],
    old: IcsMapping,
    new: IcsMapping,
    sectors: Sequence[Sector],
    threshold: float,
) -> tuple[list[MappingChangeRow], list[Rematched], dict[str, Any], dict[str, Any]]:
    """The CPU part of an ICS preview (run in a worker thread); leaves the ensemble on ``old``."""
    affected = _affected(stored, old, new)
    batch = [n for _, n in affected]
    cases = _labelled(ensemble)
    after = _classify(ensemble, rules, new, batch)
    after_eval = figures(
        cases, _classify(ensemble, rules, new, [c.notification for c in cases]), threshold, sectors
    )
    before_eval = figures(
        cases, _classify(ensemble, rules, old, [c.notification for c in cases]), threshold, sectors
    )
    before = _classify(ensemble, rules, old, batch)
    changes: list[MappingChangeRow] = []
    rematched: list[Rematched] = []
    for (i, n), b, a in zip(affected, before, after, strict=True):
        if b != a:
            rematched.append((i, n, b, a))
        was, now = {m.hs_code for m in b}, {m.hs_code for m in a}
        if was == now:
            continue
        s_was, s_now = sector_keys(sorted(was), sectors), sector_keys(sorted(now), sectors)
        changes.append(
            MappingChangeRow(
                i, n.key, n.title, tuple(sorted(now - was)), tuple(sorted(was - now)),
                tuple(sorted(s_now - s_was)), tuple(sorted(s_was - s_now)),
            )
        )  # fmt: skip
    return changes, rematched, before_eval, after_eval


async def preview_ics(
    rt: Runtime,
    ensemble: Ensemble,
    rules: Sequence[ClassifierRule],
    old: IcsMapping,
    new: IcsMapping,
    sectors: Sequence[Sector],
) -> MappingPreview:
    """The effect of replacing the ICS mapping ``old`` by ``new`` (nothing is written).

    The caller must hold the ensemble for itself; it is left with ``rules`` and ``old``.
    """
    async with rt.db.begin() as conn:
        stored = await load_notifications(conn, ics_candidates(old, new))
        checked = await count_notifications(conn)
    threshold = rt.config.classifier.alert_threshold
    changes, rematched, before, after = await asyncio.to_thread(
        _compare_ics, ensemble, stored, rules, old, new, sectors, threshold
    )
    effects = await exporter_effects(rt, rematched)
    return MappingPreview(tuple(changes), before, after, checked, exporters=tuple(effects))


async def apply_ics(
    rt: Runtime, ensemble: Ensemble, rules: Sequence[ClassifierRule], old: IcsMapping, new: IcsMapping
) -> int:
    """Reclassify the stored notifications the change affects; returns how many were rewritten.

    The caller must hold the ensemble for itself; it is left with ``rules`` and ``new``.
    """
    async with rt.db.begin() as conn:
        stored = await load_notifications(conn, ics_candidates(old, new))
    affected = _affected(stored, old, new)
    results = await asyncio.to_thread(_classify, ensemble, rules, new, [n for _, n in affected])
    async with rt.db.begin() as conn:
        for (notification_id, _), matches in zip(affected, results, strict=True):
            await replace_matches(conn, notification_id, matches)
    return len(affected)


def matches_touching(prefixes: Sequence[str]) -> sa.ColumnElement[bool]:
    """Matches whose code shares a prefix with one of ``prefixes`` (as :meth:`Sector.covers`)."""
    code = product_matches.c.hs_code
    shorter = {p[:n] for p in prefixes for n in (2, 4) if n < len(p)}
    return sa.or_(sa.false(), code.in_(sorted(shorter)), *(code.like(f"{p}%") for p in prefixes))


def _sector_rows(
    matched: Mapping[int, list[ProductMatch]],
    titles: Mapping[int, Notification],
    old: Sequence[Sector],
    new: Sequence[Sector],
) -> list[MappingChangeRow]:
    out = []
    for i, matches in sorted(matched.items()):
        codes = [m.hs_code for m in matches]
        was, now = sector_keys(codes, old), sector_keys(codes, new)
        if was != now and i in titles:
            n = titles[i]
            out.append(
                MappingChangeRow(
                    i, n.key, n.title, (), (), tuple(sorted(now - was)), tuple(sorted(was - now))
                )
            )
    return out


async def preview_sectors(
    rt: Runtime,
    ensemble: Ensemble,
    rules: Sequence[ClassifierRule],
    old: Sequence[Sector],
    new: Sequence[Sector],
) -> MappingPreview:
    """The effect of replacing the sectors ``old`` by ``new`` (nothing is written): which stored
    notifications enter or leave a sector (by their stored matches), the exporters whose
    contacts would start or stop receiving an alert (:func:`sector_effects`), and the sector
    figures.

    The caller must hold the ensemble for itself.
    """
    changed = [s for s in (*old, *new) if s not in old or s not in new]
    prefixes = sorted({p for s in changed for p in s.hs_prefixes})
    keys = {s.key for s in changed}
    async with rt.db.begin() as conn:
        ids = set(
            (
                await conn.scalars(
                    sa.select(product_matches.c.notification_id).where(matches_touching(prefixes))
                )
            ).all()
        )
        matched = await matches_by_notification(conn, sorted(ids)) if ids else {}
        notes = dict(await load_notifications(conn, notifications.c.id.in_(sorted(ids)))) if ids else {}
        subscribed = sum(bool(keys & set(s.subscription.sectors)) for s in await load_subscriptions(conn))
        checked = await count_notifications(conn)
        effects = await sector_effects(conn, notes, old, new)
    threshold = rt.config.classifier.alert_threshold

    def evaluate() -> tuple[dict[str, Any], dict[str, Any]]:
        cases = _labelled(ensemble)
        ensemble.rules = RulesClassifier(rules)
        predictions = ensemble.classify_many([c.notification for c in cases])
        return figures(cases, predictions, threshold, old), figures(cases, predictions, threshold, new)

    before, after = await asyncio.to_thread(evaluate)
    rows = _sector_rows(matched, notes, old, new)
    return MappingPreview(tuple(rows), before, after, checked, subscribed, tuple(effects))
