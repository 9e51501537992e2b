"""A report's tables, computed from what is stored.

- A period's notifications are those distributed in it (undated ones are
  left out, as in the week's numbers); a joint notification counts once, its
  members together; a notification's level is the gravest as exporters
  receive it, "none" when it alerts nobody.
- Open measures: distributed by the period's end, with a comment deadline on
  or after its start (or, none given, distributed in the year up to its end),
  not withdrawals.
- Exports covered: the zone's yearly export figures (zone-wide rows, else the
  registered exporters' rows; latest year) whose market the measure's member
  covers and whose HS code shares a prefix with one of its product matches at
  or above the alert threshold. A figure is counted once however many open
  measures cover it; a measure's value at stake is all the figures it covers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.sectors import sectors_of
from warning.members import display_name, market_covers
from warning.review.numbers import LEVEL_KEYS, WeekMeasure, measures_where, members_label
from warning.storage.notifications import matches_by_notification
from warning.storage.schema import exposure, notifications
from warning.types import Sector

PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


def parse_period(text: str) -> Period:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year).

    Raises:
        ValueError: none of these forms.
    """
    found = PERIOD.match(text.strip())
    if found is None:
        raise ValueError(f"period {text!r}: give a month (2026-11), a quarter (2026-Q4) or a year (2026)")
    year, month, quarter = int(found.group(1)), found.group(2), found.group(3)
    if month:
        first, months = int(month), 1
    elif quarter:
        first, months = 3 * int(quarter) - 2, 3
    else:
        first, months = 1, 12
    start = dt.date(year, first, 1)
    after = _add_months(start, months)
    return Period(text.strip(), start, after - dt.timedelta(days=1))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Counted:
    """A row of counts: a label and the notifications per level key."""

    label: str
    by_level: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_level.values())


@dataclass(frozen=True)
class Covered:
    market: str
    market_name_zh: str
    market_name_en: str
    sector_zh: str
    sector_en: str
    value_usd: float
    measures: int


@dataclass(frozen=True)
class AtStake:
    key: str
    members: str
    title: str
    level: str
    comment_deadline: dt.date | None
    value_usd: float


@dataclass(frozen=True)
class Report:
    period: Period
    total: int
    by_member: tuple[Counted, ...]
    by_sector: tuple[Counted, ...]
    by_type: tuple[Counted, ...]
    covered: tuple[Covered, ...]
    top_measures: tuple[AtStake, ...]
    #: (month "YYYY-MM", notifications per level key) for the 12 months up to the period's end.
    trends: tuple[tuple[str, dict[str, int]], ...]
    exposure_year: int


def _counted(groups: dict[str, list[WeekMeasure]]) -> tuple[Counted, ...]:
    rows = [Counted(k, dict(Counter(m.level_key for m in ms)) | {}) for k, ms in groups.items()]
    rows = [Counted(r.label, {k: r.by_level.get(k, 0) for k in LEVEL_KEYS}) for r in rows]
    return tuple(sorted(rows, key=lambda r: (-r.total, r.label)))


def _exposure_rows(rows: Sequence[sa.Row[tuple[object, ...]]]) -> tuple[list[tuple[str, str, float]], int]:
    """The latest year's figures summed by (market, HS code): zone-wide ones, else the exporters'."""
    zone = [r for r in rows if r.exporter_id is None]
    chosen = zone or list(rows)
    year = max((int(r.year) for r in chosen), default=0)
    summed: dict[tuple[str, str], float] = defaultdict(float)
    for r in chosen:
        if r.year == year:
            summed[str(r.market), str(r.hs_code)] += float(r.value_usd)
    return [(market, code, value) for (market, code), value in sorted(summed.items())], year


class _Figures:
    """Figures indexed by market, then by every prefix of their HS codes."""

    def __init__(self, rows: Sequence[tuple[str, str, float]]) -> None:
        self.rows = rows
        self.codes: dict[str, dict[str, int]] = defaultdict(dict)
        self.prefixes: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, (market, code, _) in enumerate(rows):
            self.codes[market][code] = i
            for n in range(1, len(code) + 1):
                self.prefixes[market][code[:n]].append(i)
        self._covers: dict[tuple[str, tuple[str, ...]], bool] = {}

    def covered_by(self, members: tuple[str, ...], codes: set[str]) -> set[int]:
        """The figures in markets ``members`` cover whose code shares a prefix with one of ``codes``."""
        out: set[int] = set()
        for market in self.codes:
            key = (market, members)
            if key not in self._covers:
                self._covers[key] = any(market_covers(market, c) for c in members)
            if not self._covers[key]:
                continue
            for c in codes:
                out.update(self.prefixes[market].get(c, ()))  # figures under the matched code
                out.update(i for n in range(1, len(c)) if (i := self.codes[market].get(c[:n])) is not None)
        return out


async def _covered(
    conn: AsyncConnection, open_measures: Sequence[WeekMeasure], sectors: Sequence[Sector], threshold: float
) -> tuple[tuple[Covered, ...], tuple[AtStake, ...], int]:
    rows, year = _exposure_rows((await conn.execute(sa.select(exposure))).all())
    figures = _Figures(rows)
    matches = await matches_by_notification(conn, [m.id for m in open_measures], strong_only=threshold)
    covered: dict[int, set[int]] = defaultdict(set)  # figure -> measures covering it
    stakes: list[AtStake] = []
    for m in open_measures:
        codes = {x.hs_code for x in matches.get(m.id, [])}
        hit = figures.covered_by(m.member_codes, codes) if codes else set()
        for i in hit:
            covered[i].add(m.id)
        if hit:
            stakes.append(
                AtStake(
                    m.key,
                    members_label(m.members, "en"),
                    m.title,
                    m.level_key,
                    m.comment_deadline,
                    sum(rows[i][2] for i in hit),
                )
            )
    cells: dict[tuple[str, str], tuple[float, set[int]]] = {}
    names = {s.key: s for s in sectors}
    for i, ids in covered.items():
        market, code, value = rows[i]
        keys = [s.key for s in sectors_of(code, sectors)][:1] or [""]
        total, seen = cells.get((market, keys[0]), (0.0, set()))
        cells[market, keys[0]] = (total + value, seen | ids)
    table = [
        Covered(
            market,
            display_name(market, "zh"),
            display_name(market, "en"),
            names[key].name_zh if key in names else "其他",
            names[key].name_en if key in names else "Other",
            value,
            len(ids),
        )
        for (market, key), (value, ids) in cells.items()
    ]
    table.sort(key=lambda c: (-c.value_usd, c.market, c.sector_en))
    stakes.sort(key=lambda s: (-s.value_usd, s.key))
    return tuple(table), tuple(stakes[:20]), year


async def build_report(
    conn: AsyncConnection, period: Period, sectors: Sequence[Sector], alert_threshold: float
) -> Report:
    """The report of ``period`` (reads only)."""
    trend_start = _add_months(dt.date(period.end.year, period.end.month, 1), -11)
    first = min(trend_start, period.start)
    dated = await measures_where(
        conn, notifications.c.distribution_date.between(first, period.end), levels_only=True
    )
    types = {
        r.id: r.notification_type
        for r in await conn.execute(
            sa.select(notifications.c.id, notifications.c.notification_type).where(
                notifications.c.distribution_date.between(period.start, period.end)
            )
        )
    }
    inside = [m for m in dated if m.distribution_date and period.start <= m.distribution_date <= period.end]
    by_member: dict[str, list[WeekMeasure]] = defaultdict(list)
    by_sector: dict[str, list[WeekMeasure]] = defaultdict(list)
    by_type: dict[str, list[WeekMeasure]] = defaultdict(list)
    names = {s.key: f"{s.name_zh} {s.name_en}" for s in sectors}
    for m in inside:
        by_member[members_label(m.members, "en")].append(m)
        by_type[types.get(m.id) or "?"].append(m)
        for key in {s.key for c in m.hs_codes for s in sectors_of(c, sectors)}:
            by_sector[names[key]].append(m)
    months: dict[str, Counter[str]] = {}
    for i in range(12):
        day = _add_months(trend_start, i)
        months[f"{day.year}-{day.month:02d}"] = Counter()
    for m in dated:
        assert m.distribution_date is not None
        label = f"{m.distribution_date.year}-{m.distribution_date.month:02d}"
        if label in months:
            months[label][m.level_key] += 1
    open_measures = await measures_where(
        conn,
        sa.and_(
            notifications.c.distribution_date <= period.end,
            sa.or_(
                notifications.c.comment_deadline >= period.start,
                sa.and_(
                    notifications.c.comment_deadline.is_(None),
                    notifications.c.distribution_date >= period.end - dt.timedelta(days=365),
                ),
            ),
            ~notifications.c.notification_type.ilike("%withdraw%"),
        ),
        levels_only=True,
    )
    covered, top, year = await _covered(conn, open_measures, sectors, alert_threshold)
    return Report(
        period,
        len(inside),
        _counted(by_member),
        _counted(by_sector),
        _counted(by_type),
        covered,
        top,
        tuple((k, {lv: c[lv] for lv in LEVEL_KEYS}) for k, c in months.items()),
        year,
    )
