"""Relevance, exposure and urgency: three of the four factors of a warning level.

Severity is read from the measure's wording in :mod:`warning.levels.severity` and
:mod:`warning.levels.threads`. Every factor comes with its reasons in plain words,
in English and Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

from classifiers.nomenclature import Nomenclature
from warning.config import WarningConfig
from warning.levels.assess import clamp
from warning.levels.matching import shares_prefix
from warning.members import display_name, market_covers
from warning.types import Exporter, ExposureRow, Factor, ProductMatch, Reason

_LEVEL_NAMES = {6: ("subheading", "子目"), 4: ("heading", "品目"), 2: ("chapter", "章")}
_LABEL_CHARS = 40


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1].rstrip(" ,;") + "…"


def product_label(code: str, exporter: Exporter | None, nomenclature: Nomenclature, language: str) -> str:
    """The exporter's own name for a code when known, else the short HS label."""
    name = exporter.product_name(code) if exporter else None
    if name:
        return name
    return _hs_label(nomenclature, code, language)


@lru_cache(maxsize=8192)
def _hs_label(nomenclature: Nomenclature, code: str, language: str) -> str:
    # Cached: every alert's relevance names its code twice (en, zh), and the
    # nomenclature does not change while it is loaded.
    entry = nomenclature.get(code)
    if entry is None:
        return ""
    if language == "zh":
        return entry.name_zh if entry.level == 2 else _short(f"{entry.name_zh}")
    return _short(entry.description.lower())


def relevance(
    matches: Sequence[ProductMatch], exporter: Exporter, nomenclature: Nomenclature, cfg: WarningConfig
) -> Factor:
    """How closely the measure's products match the exporter's HS codes.

    Exact subheading agreement counts more than heading, heading more than
    chapter; the classifier's score scales it. Score 0 when nothing matches.
    """
    weight = {6: cfg.relevance_subheading, 4: cfg.relevance_heading, 2: cfg.relevance_chapter}
    best: tuple[float, int, str, ProductMatch] | None = None
    codes = exporter.hs_codes
    for m in matches:
        hs_code = m.hs_code
        for code in codes:
            if not (hs_code.startswith(code) or code.startswith(hs_code)):  # shares_prefix, inlined
                continue
            agree = min(len(hs_code), len(code))
            score = m.score * weight.get(agree, cfg.relevance_chapter)
            candidate = (score, agree, code, m)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return Factor(0.0)
    score, agree, code, match = best
    en_level, zh_level = _LEVEL_NAMES.get(agree, _LEVEL_NAMES[2])
    en = f"matches your {code} {product_label(code, exporter, nomenclature, 'en')} at {en_level} level"
    zh = f"涉及贵司{code}{product_label(code, exporter, nomenclature, 'zh')}（{zh_level}级匹配）"
    if match.hs_code != code:
        en += f" (notified: {match.hs_code})"
        zh += f"（通报编码{match.hs_code}）"
    if match.score < 1.0:
        en += f" (classifier confidence {match.score:.0%})"
        zh += f"（分类置信度{match.score:.0%}）"
    return Factor(clamp(score), (Reason("relevance", en.replace("  ", " "), zh),))


def _money(value: float) -> str:
    if value >= 1_000_000:
        return f"USD {value / 1_000_000:.1f} million"
    return f"USD {value:,.0f}"


def _money_zh(value: float) -> str:
    if value >= 10_000:
        return f"{value / 10_000:,.0f}万美元"
    return f"{value:,.0f}美元"


class ExposureFigures:
    """The figures of one whole (the zone, or all registered exporters),
    indexed so that the value at stake for a measure is found without
    reading every row: the same result as reading them all, in row order."""

    def __init__(self, rows: Sequence[ExposureRow]) -> None:
        self.year = max((r.year for r in rows), default=0)
        self.current = [r for r in rows if r.year == self.year]
        self.total = sum(r.value_usd for r in self.current)
        #: market -> HS code -> positions in ``current``.
        self.by_market: dict[str, dict[str, list[int]]] = {}
        #: market -> prefix -> the HS codes starting with it.
        self.prefixes: dict[str, dict[str, set[str]]] = {}
        for i, r in enumerate(self.current):
            self.by_market.setdefault(r.market, {}).setdefault(r.hs_code, []).append(i)
            for n in range(1, len(r.hs_code) + 1):
                self.prefixes.setdefault(r.market, {}).setdefault(r.hs_code[:n], set()).add(r.hs_code)
        self._covers: dict[tuple[str, str], bool] = {}

    def __len__(self) -> int:
        return len(self.current)

    def _market_covers(self, market: str, code: str) -> bool:
        found = self._covers.get((market, code))
        if found is None:
            found = self._covers[market, code] = market_covers(market, code)
        return found

    def at_stake(
        self, member_codes: Sequence[str], matches: Sequence[ProductMatch]
    ) -> tuple[dict[str, float], float, int]:
        """What :func:`_at_stake` gives for the rows."""
        if not self.current:
            return {}, 0.0, 0
        positions: list[int] = []
        for market, codes in self.by_market.items():
            if not any(self._market_covers(market, c) for c in member_codes):
                continue
            hit: set[str] = set()
            for m in matches:
                hit |= self.prefixes[market].get(m.hs_code, set())  # codes starting with it
                hit |= {m.hs_code[:n] for n in range(1, len(m.hs_code)) if m.hs_code[:n] in codes}
            positions += (i for code in hit for i in codes[code])
        at_stake: dict[str, float] = {}
        for i in sorted(positions):
            r = self.current[i]
            at_stake[r.market] = at_stake.get(r.market, 0.0) + r.value_usd
        return at_stake, self.total, self.year


class OwnFigures:
    """One exporter's figures with the latest year's rows and its total worked
    out once (an exporter is assessed for every measure that concerns it):
    the same result as :func:`_at_stake` on the rows, summed in row order."""

    def __init__(self, rows: Sequence[ExposureRow]) -> None:
        self.rows = rows
        self.year = max((r.year for r in rows), default=0)
        current = [r for r in rows if r.year == self.year]
        self.total = sum(r.value_usd for r in current) if rows else 0.0
        self.current = [(r.market, r.hs_code, r.value_usd) for r in current]
        self.markets = tuple(dict.fromkeys(r.market for r in current))

    def __len__(self) -> int:
        return len(self.rows)

    def at_stake(
        self, member_codes: Sequence[str], matches: Sequence[ProductMatch]
    ) -> tuple[dict[str, float], float, int]:
        """What :func:`_at_stake` gives for the rows."""
        if not self.rows:
            return {}, 0.0, 0
        covered = _covered(self.markets, tuple(member_codes))
        if not covered:
            return {}, self.total, self.year
        codes = [m.hs_code for m in matches]
        at_stake: dict[str, float] = {}
        for market, hs_code, value in self.current:
            if market in covered and any(hs_code.startswith(c) or c.startswith(hs_code) for c in codes):
                at_stake[market] = at_stake.get(market, 0.0) + value
        return at_stake, self.total, self.year


@lru_cache(maxsize=65536)
def _covered(markets: tuple[str, ...], member_codes: tuple[str, ...]) -> frozenset[str]:
    # Exporters share a few sets of markets, and notifications a few sets of
    # members: cached, as every exporter a measure concerns asks.
    return frozenset(m for m in markets if any(market_covers(m, c) for c in member_codes))


def _at_stake(
    rows: Sequence[ExposureRow] | ExposureFigures | OwnFigures,
    member_codes: Sequence[str],
    matches: Sequence[ProductMatch],
) -> tuple[dict[str, float], float, int]:
    """Value at stake by market, total exports and the year, from the latest year of ``rows``."""
    if isinstance(rows, ExposureFigures | OwnFigures):
        return rows.at_stake(member_codes, matches)
    if not rows:
        return {}, 0.0, 0
    year = max(r.year for r in rows)
    current = [r for r in rows if r.year == year]
    at_stake: dict[str, float] = {}
    for r in current:
        if any(market_covers(r.market, c) for c in member_codes) and any(
            shares_prefix(r.hs_code, m.hs_code) for m in matches
        ):
            at_stake[r.market] = at_stake.get(r.market, 0.0) + r.value_usd
    return at_stake, sum(r.value_usd for r in current), year


def exposure(
    rows: Sequence[ExposureRow] | ExposureFigures | OwnFigures,
    member_codes: Sequence[str],
    matches: Sequence[ProductMatch],
    cfg: WarningConfig,
    *,
    whose: tuple[str, str] = ("your", "贵司"),
    also: Sequence[ExposureRow] | ExposureFigures | OwnFigures = (),
) -> Factor:
    """Export value at stake in the notifying markets, as a share of all exports.

    ``rows`` are the figures of one exporter (or of the zone); the latest
    year among them is used. ``also`` are other figures of the same whole
    (the registered exporters' figures beside incomplete zone-wide ones):
    the larger value at stake and the larger total are used. Without any
    figures the configured ``unknown_exposure`` is assumed and said so.
    """
    en_whose, zh_whose = whose
    if not rows and not also:
        return Factor(
            cfg.unknown_exposure,
            (
                Reason(
                    "exposure",
                    f"no export figures on record for {en_whose} products; moderate exposure assumed",
                    f"登记册中无{zh_whose}出口数据，按中等暴露估计",
                ),
            ),
        )
    at_stake, total, year = _at_stake(rows, member_codes, matches)
    other_stake, other_total, other_year = _at_stake(also, member_codes, matches)
    if sum(other_stake.values()) > sum(at_stake.values()):
        at_stake, year = other_stake, other_year
    total = max(total, other_total)
    value = sum(at_stake.values())
    share = value / total if total > 0 else 0.0
    if value <= 0:
        return _no_exports(en_whose, zh_whose, max(year, other_year), tuple(member_codes))
    names_en, names_zh = _names(tuple(sorted(at_stake, key=lambda m: -at_stake[m])))
    score = max(share / cfg.exposure_full_share, value / cfg.exposure_full_value_usd)
    en = f"{share:.0%} of {en_whose} exports go to {names_en} ({_money(value)} of these products in {year})"
    zh = f"{zh_whose}{share:.0%}的出口销往{names_zh}（{year}年此类产品{_money_zh(value)}）"
    return Factor(clamp(score), (Reason("exposure", en, zh),))


@lru_cache(maxsize=4096)
def _no_exports(en_whose: str, zh_whose: str, year: int, member_codes: tuple[str, ...]) -> Factor:
    """The exposure of figures with nothing at stake (cached: most exporters a
    measure concerns sell those products elsewhere; the factor is immutable)."""
    names_en, names_zh = _names(member_codes)
    return Factor(
        0.1,
        (
            Reason(
                "exposure",
                f"none of {en_whose} recorded {year} exports of these products go to {names_en}",
                f"{zh_whose}{year}年此类产品无出口至{names_zh}的记录",
            ),
        ),
    )


@lru_cache(maxsize=4096)
def _names(codes: tuple[str, ...]) -> tuple[str, str]:
    """Members' names listed in English and in Chinese (cached: the same few
    lists recur in every exposure reason)."""
    return ", ".join(display_name(c, "en") for c in codes), "、".join(display_name(c, "zh") for c in codes)


def urgency(
    today: dt.date,
    deadline: dt.date | None,
    adoption: dt.date | None,
    entry_into_force: dt.date | None,
    cfg: WarningConfig,
) -> Factor:
    """How soon the exporter must act: days left to comment, then dates of adoption and entry into force.

    The last day to send comments to the national enquiry point is the WTO
    deadline minus ``enquiry_point_days``.
    """
    score, reasons = 0.3, []
    if deadline is not None:
        last_day = deadline - dt.timedelta(days=cfg.enquiry_point_days)
        days = (last_day - today).days
        if days >= 0:
            score = 0.3 + 0.7 * clamp(1 - days / cfg.urgency_horizon_days)
            reasons.append(
                Reason(
                    "urgency",
                    f"{days} days left to comment (send comments to the enquiry point by {last_day}; "
                    f"WTO deadline {deadline})",
                    f"距评议截止还剩{days}天（请于{last_day}前将评议意见提交国家咨询点；WTO截止日{deadline}）",
                )
            )
        elif deadline >= today:
            # Past the enquiry point's last day but not the WTO's: act today.
            score = 1.0
            reasons.append(
                Reason(
                    "urgency",
                    f"comments are due at the WTO on {deadline}; the enquiry point's "
                    f"{cfg.enquiry_point_days} days have begun",
                    f"WTO评议截止日为{deadline}，已进入国家咨询点所需的{cfg.enquiry_point_days}天处理期",
                )
            )
        else:
            score = 0.1
            reasons.append(
                Reason("urgency", f"comment period closed on {deadline}", f"评议期已于{deadline}结束")
            )
    else:
        reasons.append(Reason("urgency", "no comment deadline given", "未给出评议截止日期"))
    for date, en_what, zh_what in (
        (entry_into_force, "enters into force", "生效"),
        (adoption, "is to be adopted", "通过"),
    ):
        if date is None:
            continue
        days = (date - today).days
        if days >= 0:
            score = max(score, 0.4 + 0.6 * clamp(1 - days / 180))
            reasons.append(
                Reason("urgency", f"{en_what} in {days} days ({date})", f"{days}天后{zh_what}（{date}）")
            )
        elif date is entry_into_force:
            score = max(score, 0.5)
            reasons.append(Reason("urgency", f"in force since {date}", f"已于{date}生效"))
        break  # the entry-into-force date, when known, says all the adoption date would
    return Factor(clamp(score), tuple(reasons))
