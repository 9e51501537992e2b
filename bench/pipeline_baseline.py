"""The pipeline as it was before incremental alerting (the benchmark's baseline).

Copied from ``warning/levels/alerting.py`` and ``notifications/compose.py`` as they
stood before issue 8's speed work, so ``bench/pipeline.py`` can run both in
the same session: every alerting run recomputes every (notification,
exporter) pair and writes one statement per alert; composing loads every
alert and every delivery at once. Not used by the service.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.nomenclature import Nomenclature, load_nomenclature
from classifiers.sectors import configured_sectors
from notifications.compose import Composed, compose_one, iso_week, write
from notifications.compose import _Context as ComposeContext
from notifications.links import Links
from notifications.subscriptions import sends_now, wants
from warning.config import WarningConfig
from warning.levels.assess import assess
from warning.levels.factors import exposure, relevance, urgency
from warning.levels.matching import matching_products
from warning.levels.threads import (
    Thread,
    group_threads,
    latest_dates,
    measure_severity,
    measure_urgency,
    thread_key,
)
from warning.runtime import Runtime
from warning.storage.alerts import AlertUpdate, reasons_to_json, thread_alerts
from warning.storage.deliveries import AlertRow, delivered_pairs, load_alerts
from warning.storage.exporters import load_exporters
from warning.storage.exposure import load_exposure
from warning.storage.notifications import load_notifications, matches_by_notification
from warning.storage.schema import alerts
from warning.storage.schema import notifications as notifications_table
from warning.storage.sql import insert_ignore
from warning.storage.subscriptions import StoredSubscription, load_subscriptions, sync_from_register
from warning.storage.warnings import ExporterWarning, NotificationWarning, replace_warnings
from warning.types import Exporter, ExposureRow, Factor, Factors, Level, Notification, ProductMatch, Reason


async def _upsert_thread_alert(
    conn: AsyncConnection,
    existing: sa.Row[Any] | None,
    new: AlertUpdate,
    now: dt.datetime,
) -> bool:
    """Create the alert of a measure for an exporter, or update the one it has.

    A follow-up never adds an alert: it moves the level and reasons of the
    thread's alert (``previous_level`` and ``level_changed_at`` record a
    change). Returns True when an alert was created.
    """
    values = {
        "matches": [asdict(m) for m in new.matches],
        "level": new.level,
        "reasons": reasons_to_json(new.reasons),
        "updated_at": now,
    }
    if existing is None:
        await insert_ignore(
            conn,
            alerts,
            [
                values
                | {
                    "notification_id": new.notification_id,
                    "exporter_id": new.exporter_id,
                    "thread_key": new.thread_key,
                    "created_at": now,
                }
            ],
        )
        return True
    if existing.level is not None and existing.level != new.level:
        values |= {"previous_level": existing.level, "level_changed_at": now}
    elif existing.level == new.level and existing.reasons == values["reasons"]:
        return False  # nothing new: keep updated_at as it was
    await conn.execute(sa.update(alerts).where(alerts.c.id == existing.id).values(values))
    return False


class _ExporterIndex:
    """Exporters by every 2/4/6-digit prefix of their HS codes, for fast look-up."""

    def __init__(self, exporters: list[tuple[int, Exporter]]) -> None:
        self.by_prefix: dict[str, set[int]] = defaultdict(set)
        for exporter_id, exporter in exporters:
            for code in exporter.hs_codes:
                for length in range(2, len(code) + 1, 2):
                    self.by_prefix[code[:length]].add(exporter_id)

    def candidates(self, hs_code: str) -> set[int]:
        """Exporters with a code that shares a prefix with ``hs_code``."""
        found = set(self.by_prefix.get(hs_code, ()))
        for length in range(2, len(hs_code), 2):
            found |= self.by_prefix.get(hs_code[:length], set())
        return found


@dataclass(frozen=True)
class _Context:
    """What every assessment of one run shares."""

    exporters: dict[int, Exporter]
    index: _ExporterIndex
    exposure_by_exporter: dict[str, list[ExposureRow]]
    zone_exposure: list[ExposureRow]
    exporters_exposure: list[ExposureRow]
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
        dict(by_exporter),
        # Zone-wide figures may cover some products and markets only; the
        # registered exporters' figures fill the gaps (see factors.exposure).
        [r for r in rows if r.exporter is None],
        [r for r in rows if r.exporter is not None],
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
    candidates: set[int] = set()
    for match in matches:
        candidates |= ctx.index.candidates(match.hs_code)
    by_exporter: dict[int, tuple[list[ProductMatch], ExporterWarning]] = {}
    best_relevance = 0.0
    for exporter_id in sorted(candidates):
        exporter = ctx.exporters[exporter_id]
        concerned = matching_products(view, matches, exporter)
        if not concerned:
            continue
        rel = relevance(concerned, exporter, ctx.nomenclature, ctx.cfg)
        best_relevance = max(best_relevance, rel.score)
        exp = exposure(ctx.exposure_by_exporter.get(exporter.name, []), member_codes, concerned, ctx.cfg)
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
    exporter as a new alert twice. Returns the number of matching
    (notification, exporter) pairs seen.
    """
    threshold = rt.config.classifier.alert_threshold
    async with rt.db.begin() as conn:
        exporters = await load_exporters(conn)
        ctx = _context(rt, exporters, await load_exposure(conn))
        matches = await matches_by_notification(conn)
        notes = await load_notifications(conn)
        existing = await thread_alerts(conn)
        all_warnings: list[NotificationWarning] = []
        pairs = 0
        for thread in group_threads(notes):
            warnings, latest, seen = await _alert_thread(ctx, thread, matches, threshold)
            all_warnings += warnings
            pairs += seen
            for exporter_id, update in sorted(latest.items()):
                await _upsert_thread_alert(conn, existing.get((thread.key, exporter_id)), update, rt.now())
        await replace_warnings(conn, all_warnings, rt.now())
    return pairs


# --- composing


async def _load(
    rt: Runtime,
) -> tuple[ComposeContext, list[StoredSubscription], dict[int, list[AlertRow]], set[tuple[int, int]]]:
    async with rt.db.begin() as conn:
        await sync_from_register(conn, await load_exporters(conn), rt.now())
        subs = await load_subscriptions(conn)
        alerts = await load_alerts(conn)
        done = await delivered_pairs(conn)
        ids = sorted({a.notification_id for a in alerts})
        notes = dict(await load_notifications(conn, notifications_table.c.id.in_(ids))) if ids else {}
    by_exporter: dict[int, list[AlertRow]] = defaultdict(list)
    for alert in alerts:
        by_exporter[alert.exporter_id].append(alert)
    ctx = ComposeContext(rt, Links.for_runtime(rt), load_nomenclature(), notes, rt.today(), {})
    return ctx, subs, by_exporter, done


async def plan(rt: Runtime, frequencies: Sequence[str]) -> list[Composed]:
    """Render the emails due for subscriptions of the given frequencies (writes nothing)."""
    ctx, subs, by_exporter, done = await _load(rt)
    sectors = {s.key: s for s in configured_sectors(rt.config.sectors)}
    today = ctx.today
    out: list[Composed] = []
    for stored in subs:
        sub = stored.subscription
        due = [
            a
            for a in by_exporter.get(stored.exporter_id, ())
            if (a.id, stored.id) not in done and wants(sub, a, ctx.notifications[a.notification_id], sectors)
        ]
        if not due:
            continue
        now_alone = [a for a in due if sends_now(sub, a)]
        rest = [a for a in due if not sends_now(sub, a)]
        if "immediate" in frequencies:
            out.extend(compose_one(ctx, stored, [a], "immediate", "") for a in now_alone)
        # An immediate contact's less urgent alerts wait for the daily digest.
        digest_frequency = "daily" if sub.frequency == "immediate" else sub.frequency
        if rest and digest_frequency in frequencies:
            period = iso_week(today) if digest_frequency == "weekly" else today.isoformat()
            out.append(compose_one(ctx, stored, rest, digest_frequency, period))
    return out


async def compose_digests(rt: Runtime, frequencies: Sequence[str] = ("immediate", "daily")) -> int:
    """Queue the red alerts of ``immediate`` contacts and the daily digests.

    A scheduler can pass ``("immediate",)`` on every run and ``("daily",)``
    once a day. Returns the number of messages queued.
    """
    return await write(rt, await plan(rt, frequencies))
