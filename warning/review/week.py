"""A week's measures as the review page shows them: by level, each with the
exporters it alerts, their products concerned and the exports at stake."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.levels.factors import OwnFigures
from warning.review.numbers import WeekMeasure, WeekNumbers, week_numbers
from warning.review.shaping import received
from warning.storage.alerts import matches_from_json
from warning.storage.database import json_loads
from warning.storage.review_actions import ReviewChange, ReviewState, load_state
from warning.storage.schema import alerts, exporters, exposure
from warning.types import LEVELS, ExposureRow, Level


@dataclass(frozen=True)
class ReviewedAlert:
    """One exporter's alert for a measure, as computed and as exporters receive it."""

    exporter_id: int
    exporter_name: str
    #: What the levels computed.
    computed: Level
    #: What the exporter receives (an official's level wins); None: held back.
    received: Level | None
    #: The change that set the level, or that holds the alert back.
    level_change: ReviewChange | None
    suppressed_by: ReviewChange | None
    #: Matched HS codes (the exporter's products concerned).
    products: tuple[str, ...]
    #: The exporter's yearly exports to the notifying markets in these products (USD), None if unknown.
    at_stake: float | None


@dataclass(frozen=True)
class ReviewedMeasure:
    measure: WeekMeasure
    alerts: tuple[ReviewedAlert, ...]
    note: ReviewChange | None
    suppressed_by: ReviewChange | None

    @property
    def at_stake(self) -> float | None:
        """The alerted exporters' exports at stake together (None when none is known)."""
        known = [a.at_stake for a in self.alerts if a.at_stake is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class WeekReview:
    numbers: WeekNumbers
    #: (level key, measures at it), gravest first, "none" last.
    by_level: tuple[tuple[str, tuple[ReviewedMeasure, ...]], ...]


async def _figures(conn: AsyncConnection, exporter_ids: Sequence[int]) -> dict[int, OwnFigures]:
    rows: dict[int, list[ExposureRow]] = defaultdict(list)
    if exporter_ids:
        query = sa.select(exposure).where(exposure.c.exporter_id.in_(list(exporter_ids)))
        for r in await conn.execute(query.order_by(exposure.c.id)):
            rows[r.exporter_id].append(ExposureRow(None, r.hs_code, r.market, r.value_usd, r.year))
    return {e: OwnFigures(found) for e, found in rows.items()}


async def reviewed_measures(conn: AsyncConnection, measures: Sequence[WeekMeasure]) -> list[ReviewedMeasure]:
    """Each measure with every alert it raised (held-back ones too), its note and state."""
    ids = [m.id for m in measures]
    state: ReviewState = await load_state(conn, ids)
    query = (
        sa.select(
            alerts.c.notification_id,
            alerts.c.exporter_id,
            alerts.c.level,
            sa.cast(alerts.c.matches, sa.Text).label("matches"),
            exporters.c.name,
        )
        .join(exporters, exporters.c.id == alerts.c.exporter_id)
        .where(alerts.c.notification_id.in_(ids))
        .order_by(exporters.c.name)
    )
    rows = (await conn.execute(query)).all() if ids else []
    figures = await _figures(conn, sorted({r.exporter_id for r in rows}))
    by_measure: dict[int, list[ReviewedAlert]] = defaultdict(list)
    members = {m.id: m.member_codes for m in measures}
    for r in rows:
        matches = matches_from_json(json_loads(r.matches) or [])
        own = figures.get(r.exporter_id)
        at_stake = sum(own.at_stake(members[r.notification_id], matches)[0].values()) if own else None
        computed = cast(Level, r.level if r.level in LEVELS else "blue")
        change = state.level(r.notification_id, r.exporter_id)
        held = state.suppressed(r.notification_id, r.exporter_id)
        by_measure[r.notification_id].append(
            ReviewedAlert(
                r.exporter_id,
                r.name,
                computed,
                received(state, r.notification_id, r.exporter_id, computed),
                change,
                held,
                tuple(dict.fromkeys(m.hs_code for m in matches)),
                at_stake,
            )
        )
    return [
        ReviewedMeasure(
            m,
            tuple(by_measure.get(m.id, ())),
            state.notes.get(m.id),
            state.suppressed_notifications.get(m.id),
        )
        for m in measures
    ]


async def week_review(conn: AsyncConnection, day: dt.date, timezone: str) -> WeekReview:
    """The week holding ``day``: its numbers and its measures by level."""
    numbers = await week_numbers(conn, day, timezone)
    reviewed = await reviewed_measures(conn, numbers.measures)
    groups: dict[str, list[ReviewedMeasure]] = defaultdict(list)
    for r in reviewed:
        groups[r.measure.level_key].append(r)
    order = (*LEVELS, "none")
    return WeekReview(numbers, tuple((k, tuple(groups[k])) for k in order if groups.get(k)))
