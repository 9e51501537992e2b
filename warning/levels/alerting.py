"""The alerting step: which exporters each notification concerns, and how gravely.

For every measure thread (a base notification with its follow-ups), each
document gets a warning level for each exporter it concerns and one for the
zone as a whole, stored in ``notification_warnings``. Each (measure,
exporter) pair has one alert; a follow-up updates the level and reasons of
that alert instead of adding another.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.nomenclature import Nomenclature, load_nomenclature
from warning.config import WarningConfig
from warning.heap import collector_paused
from warning.levels.alert_plan import STATE_NAME, AlertPlan, plan_alerting
from warning.levels.assess import assess
from warning.levels.factors import ExposureFigures, OwnFigures, exposure, relevance, urgency
from warning.levels.matching import in_markets
from warning.levels.threads import (
    Thread,
    group_threads,
    latest_dates,
    measure_severity,
    measure_urgency,
    thread_key,
)
from warning.runtime import Runtime
from warning.storage.alert_inputs import chunks, save_exporter_inputs, save_inputs, save_state
from warning.storage.alerts import AlertUpdate, thread_alerts, upsert_thread_alerts
from warning.storage.exporters import load_exporters
from warning.storage.exposure import load_exposure
from warning.storage.notifications import load_notifications, matches_by_notification
from warning.storage.schema import notifications
from warning.storage.warnings import ExporterWarning, NotificationWarning, replace_warnings
from warning.types import Exporter, ExposureRow, Factor, Factors, Level, Notification, ProductMatch, Reason


class _ExporterIndex:
    """Exporters by their HS codes, to find which codes of a product match concern whom."""

    def __init__(self, exporters: list[tuple[int, Exporter]]) -> None:
        #: Exporters with a code starting with the key.
        self.by_prefix: dict[str, set[int]] = defaultdict(set)
        #: Exporters with exactly the key among their codes.
        self.by_code: dict[str, set[int]] = defaultdict(set)
        for exporter_id, exporter in exporters:
            for code in exporter.hs_codes:
                self.by_code[code].add(exporter_id)
                for length in range(1, len(code) + 1):
                    self.by_prefix[code[:length]].add(exporter_id)

    def candidates(self, hs_code: str) -> set[int]:
        """Exporters with a code that shares a prefix with ``hs_code`` (exactly those)."""
        found = set(self.by_prefix.get(hs_code, ()))
        for length in range(1, len(hs_code)):
            found |= self.by_code.get(hs_code[:length], set())
        return found

    def concerned(self, matches: Sequence[ProductMatch]) -> dict[int, list[ProductMatch]]:
        """Exporter id -> the matches sharing a prefix with one of its codes, in
        the order of ``matches`` (what ``matching_products`` keeps, markets aside)."""
        out: dict[int, list[ProductMatch]] = defaultdict(list)
        for match in matches:
            for exporter_id in self.candidates(match.hs_code):
                out[exporter_id].append(match)
        return out


#: An exporter without figures of its own.
_NO_FIGURES = OwnFigures(())


@dataclass(frozen=True)
class _Context:
    """What every assessment of one run shares."""

    exporters: dict[int, Exporter]
    index: _ExporterIndex
    exposure_by_exporter: dict[str, OwnFigures]
    zone_exposure: ExposureFigures
    exporters_exposure: ExposureFigures
    nomenclature: Nomenclature
    cfg: WarningConfig
    today: dt.date


def _context(rt: Runtime, exporters: list[tuple[int, Exporter]], rows: list[ExposureRow]) -> _Context:
    by_exporter: dict[str, list[ExposureRow]] = defaultdict(list)
    for row in rows:
        if row.exporter is not None:
            by_exporter[row.exporter].append(row)
    return _Context(
        dict(exporters),
        _ExporterIndex(exporters),
        {name: OwnFigures(own) for name, own in by_exporter.items()},
        # Zone-wide figures may cover some products and markets only; the
        # registered exporters' figures fill the gaps (see factors.exposure).
        ExposureFigures([r for r in rows if r.exporter is None]),
        ExposureFigures([r for r in rows if r.exporter is not None]),
        load_nomenclature(),
        rt.config.warning,
        rt.today(),
    )


def _merge_matches(groups: Sequence[Sequence[ProductMatch]]) -> list[ProductMatch]:
    best: dict[str, ProductMatch] = {}
    for group in groups:
        for m in group:
            if m.hs_code not in best or m.score > best[m.hs_code].score:
                best[m.hs_code] = m
    return sorted(best.values(), key=lambda m: (-m.score, m.hs_code))


@dataclass(frozen=True)
class _Assessed:
    warning: NotificationWarning
    #: Exporter id -> (what concerned it, its warning).
    by_exporter: dict[int, tuple[list[ProductMatch], ExporterWarning]]


def assess_document(
    ctx: _Context, notification_id: int, documents: Sequence[Notification], matches: Sequence[ProductMatch]
) -> _Assessed:
    """The warning of the last of ``documents`` (its measure's documents so far).

    ``matches`` are the measure's product matches at or above the alert threshold.
    """
    current = documents[-1]
    member_codes = tuple(dict.fromkeys(c for d in documents for c in d.member_codes))
    view = replace(current, member_codes=member_codes)
    severity, event = measure_severity(documents)
    deadline, adoption, in_force = latest_dates(documents)
    urgent = measure_urgency(documents, urgency(ctx.today, deadline, adoption, in_force, ctx.cfg))
    by_product = ctx.index.concerned(matches)
    by_exporter: dict[int, tuple[list[ProductMatch], ExporterWarning]] = {}
    best_relevance = 0.0
    for exporter_id in sorted(by_product):
        exporter = ctx.exporters[exporter_id]
        if not in_markets(view, exporter):
            continue
        concerned = by_product[exporter_id]
        rel = relevance(concerned, exporter, ctx.nomenclature, ctx.cfg)
        best_relevance = max(best_relevance, rel.score)
        own = ctx.exposure_by_exporter.get(exporter.name, _NO_FIGURES)
        exp = exposure(own, member_codes, concerned, ctx.cfg)
        result = assess(Factors(rel, exp, severity, urgent), ctx.cfg)
        by_exporter[exporter_id] = (concerned, ExporterWarning(exporter.name, result.level, result.reasons))
    zone = _zone_warning(ctx, by_exporter, best_relevance, member_codes, severity, urgent)
    warning = NotificationWarning(
        notification_id=notification_id,
        thread_key=thread_key(current),
        level=zone[0] if zone else None,
        score=zone[1] if zone else None,
        reasons=zone[2] if zone else (),
        alerts=tuple(w for _, w in by_exporter.values()),
        event=event.value if event else None,
    )
    return _Assessed(warning, by_exporter)


def _zone_warning(
    ctx: _Context,
    by_exporter: dict[int, tuple[list[ProductMatch], ExporterWarning]],
    best_relevance: float,
    member_codes: Sequence[str],
    severity: Factor,
    urgent: Factor,
) -> tuple[Level, float, tuple[Reason, ...]] | None:
    if not by_exporter:
        return None
    names = [w.exporter for _, w in by_exporter.values()]
    count = len(names)
    rel = Factor(
        best_relevance,
        (
            Reason(
                "relevance",
                f"concerns {count} exporter{'s' if count > 1 else ''} of the zone: {', '.join(names)}",
                f"涉及本区{count}家出口企业：{'、'.join(names)}",
            ),
        ),
    )
    concerned = _merge_matches([m for m, _ in by_exporter.values()])
    exp = exposure(
        ctx.zone_exposure,
        member_codes,
        concerned,
        ctx.cfg,
        whose=("the zone's", "本区"),
        also=ctx.exporters_exposure,
    )
    result = assess(Factors(rel, exp, severity, urgent), ctx.cfg)
    return result.level, result.score, result.reasons


async def _alert_thread(
    ctx: _Context, thread: Thread, matches: dict[int, list[ProductMatch]], threshold: float
) -> tuple[list[NotificationWarning], dict[int, AlertUpdate], int]:
    """Warnings of each document of a thread, and the alert updates of its latest state."""
    warnings: list[NotificationWarning] = []
    latest: dict[int, AlertUpdate] = {}
    first_doc: dict[int, int] = {}
    pairs = 0
    for i, (notification_id, _) in enumerate(thread.members):
        documents = [n for _, n in thread.members[: i + 1]]
        # Weak matches are shown to analysts but never alert anyone.
        strong = _merge_matches(
            [[m for m in matches.get(nid, []) if m.score >= threshold] for nid, _ in thread.members[: i + 1]]
        )
        assessed = assess_document(ctx, notification_id, documents, strong)
        warnings.append(assessed.warning)
        for exporter_id, (concerned, w) in assessed.by_exporter.items():
            pairs += 1
            first_doc.setdefault(exporter_id, notification_id)
            latest[exporter_id] = AlertUpdate(
                first_doc[exporter_id], exporter_id, thread.key, tuple(concerned), w.level, w.reasons
            )
    return warnings, latest, pairs


async def create_alerts(rt: Runtime) -> int:
    """Compute warning levels and keep one alert per (measure, exporter).

    A measure alerted before has its alert's level and reasons updated
    (follow-ups and the passing days move them); it never reaches the same
    exporter as a new alert twice. Only the measures whose inputs changed
    since the last run are recomputed (see :mod:`warning.levels.alert_plan`); the
    first run of a day recomputes all. Returns the number of matching
    (notification, exporter) pairs seen in the recomputed measures.
    """
    threshold = rt.config.classifier.alert_threshold
    with collector_paused():
        async with rt.db.begin() as conn:
            exporters = await load_exporters(conn)
            rows = await load_exposure(conn)
            plan = await plan_alerting(conn, rt, exporters, rows)
            pairs = 0
            if plan.ids:
                ctx = _context(rt, exporters, rows)
                pairs = await _recompute(conn, rt, ctx, plan, threshold)
            await save_exporter_inputs(conn, plan.exporters, plan.gone_exporters)
            await save_state(conn, STATE_NAME, rt.today(), plan.settings, rt.now())
    return pairs


#: Threads whose alerts and warnings are written together: what is held in
#: memory at once (a measure may concern hundreds of exporters, each alert
#: with its reasons in two languages).
THREAD_BATCH = 50


async def _recompute(
    conn: AsyncConnection, rt: Runtime, ctx: _Context, plan: AlertPlan, threshold: float
) -> int:
    """Recompute the planned threads: their alerts, warnings and recorded inputs."""
    if plan.full:
        notes = await load_notifications(conn)
        matches = await matches_by_notification(conn, strong_only=threshold)
    else:
        notes, matches = [], {}
        for chunk in chunks(plan.ids):
            notes += await load_notifications(conn, notifications.c.id.in_(chunk))
            matches |= await matches_by_notification(conn, chunk, strong_only=threshold)
    threads = group_threads(notes)
    batches = [threads[start : start + THREAD_BATCH] for start in range(0, len(threads), THREAD_BATCH)]
    if not batches:
        return 0
    pairs = 0
    writing: asyncio.Task[None] | None = None
    try:
        existing = await thread_alerts(conn, [t.key for t in batches[0]])
        for i, batch in enumerate(batches):
            # The previous batch is written (by the database's thread) while
            # this one is computed: no batch reads or writes another's rows
            # (a thread's alerts, warnings and inputs are its own), so the
            # results are those of one batch after the other.
            computed = await _compute_threads(ctx, batch, existing, matches, threshold)
            pairs += computed.pairs
            if writing is not None:
                await writing
            if i + 1 < len(batches):
                existing = await thread_alerts(conn, [t.key for t in batches[i + 1]])
            writing = asyncio.create_task(_write_threads(conn, rt, plan, batch, computed))
        if writing is not None:
            await writing
    finally:
        if writing is not None and not writing.done():
            # Failed or cancelled meanwhile: the transaction is rolled back,
            # but only once the write in flight has left the connection.
            await asyncio.wait([writing])
            if not writing.cancelled():
                writing.exception()  # the first error is the one raised
    return pairs


@dataclass(frozen=True)
class _Computed:
    """What a batch of threads stores."""

    warnings: list[NotificationWarning]
    updates: list[tuple[Any, AlertUpdate]]
    pairs: int


async def _compute_threads(
    ctx: _Context,
    threads: Sequence[Thread],
    existing: dict[tuple[str, int], Any],
    matches: dict[int, list[ProductMatch]],
    threshold: float,
) -> _Computed:
    all_warnings: list[NotificationWarning] = []
    updates: list[tuple[Any, AlertUpdate]] = []
    pairs = 0
    for thread in threads:
        # Lets the previous batch's writes go on between threads.
        await asyncio.sleep(0)
        warnings, latest, seen = await _alert_thread(ctx, thread, matches, threshold)
        all_warnings += warnings
        pairs += seen
        updates += [(existing.get((thread.key, e)), u) for e, u in sorted(latest.items())]
    return _Computed(all_warnings, updates, pairs)


async def _write_threads(
    conn: AsyncConnection, rt: Runtime, plan: AlertPlan, threads: Sequence[Thread], computed: _Computed
) -> None:
    await upsert_thread_alerts(conn, computed.updates, rt.now())
    await replace_warnings(conn, computed.warnings, rt.now())
    await save_inputs(
        conn, [(nid, t.key, plan.inputs[nid].fingerprint) for t in threads for nid, _ in t.members]
    )
