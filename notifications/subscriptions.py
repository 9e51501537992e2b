"""Which alerts a subscription wants, and how soon."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from warning.levels.matching import shares_prefix
from warning.members import ALL_MARKETS, market_covers
from warning.signup.choices import ChoiceError, ChoiceProblem, parse_hs, parse_markets, split_values
from warning.storage.deliveries import AlertRow
from warning.types import LEVELS, Level, Notification, Sector, Subscription


def level_rank(level: Level | None) -> int:
    """0 for red (gravest) to 3 for blue; a missing level counts as blue."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS) - 1


def wants(
    sub: Subscription, alert: AlertRow, notification: Notification, sectors: Mapping[str, Sector]
) -> bool:
    """Whether the alert passes the subscription's level, market and product filters.

    Unknown sector keys are ignored (a zone may have renamed its sectors).
    """
    if level_rank(alert.effective_level) > level_rank(sub.min_level):
        return False
    if (
        ALL_MARKETS not in sub.markets
        and notification.member_codes
        and not any(market_covers(m, code) for m in sub.markets for code in notification.member_codes)
    ):
        return False
    if not sub.hs_prefixes and not sub.sectors:
        return True
    codes = [m.hs_code for m in alert.matches]
    if any(shares_prefix(p, c) for p in sub.hs_prefixes for c in codes):
        return True
    chosen = [sectors[k] for k in sub.sectors if k in sectors]
    return any(s.covers(c) for s in chosen for c in codes)


def sends_now(sub: Subscription, alert: AlertRow) -> bool:
    """Whether the alert goes out on its own at once (``immediate`` and red)."""
    return sub.frequency == "immediate" and alert.effective_level == "red"


def changed_subscription(
    sub: Subscription,
    sector_keys: Collection[str],
    *,
    sectors: str | Sequence[str] | None = None,
    hs: str | Sequence[str] | None = None,
    markets: str | Sequence[str] | None = None,
    min_level: str | None = None,
    frequency: str | None = None,
    language: str | None = None,
    lang: str = "en",
) -> Subscription:
    """``sub`` with the given choices (lists, or comma-separated texts; ``None`` keeps a field).

    Used by ``tbtwarn subscriptions set`` and the exporters' web page. Markets
    and HS prefixes are checked as the register import checks them (known
    WTO members, ``EU``, ``*``; HS 2022 codes of 2, 4 or 6 digits) and
    deduplicated; no market means all markets.

    Raises:
        ChoiceError: naming every unknown sector, market or HS code and every
            bad level, frequency or language, in ``lang``.
    """
    changes: dict[str, Any] = {}
    problems: list[ChoiceProblem] = []
    if sectors is not None:
        keys = tuple(dict.fromkeys(split_values(sectors)))
        unknown = tuple(k for k in keys if k not in sector_keys)
        if unknown:
            problems.append(ChoiceProblem("sectors", "unknown_sector", unknown))
        changes["sectors"] = keys
    if hs is not None:
        changes["hs_prefixes"], hs_problems = parse_hs(hs)
        problems += hs_problems
    if markets is not None:
        found, market_problems = parse_markets(markets)
        changes["markets"] = found or (ALL_MARKETS,)
        problems += market_problems
    allowed = {"min_level": LEVELS, "frequency": ("immediate", "daily", "weekly"), "language": ("zh", "en")}
    for field, value in (("min_level", min_level), ("frequency", frequency), ("language", language)):
        if value is None:
            continue
        if value not in allowed[field]:
            problems.append(ChoiceProblem(field, "bad_choice", (repr(value),), tuple(allowed[field])))
        changes[field] = value
    if problems:
        raise ChoiceError(problems, lang)
    return replace(sub, **changes)
