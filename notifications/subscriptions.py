"""Which alerts a subscription wants, and how soon."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from warning.exceptions import SubscriptionError
from warning.levels.matching import shares_prefix
from warning.members import ALL_MARKETS, market_covers
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


def _split(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.replace(" ", ",").split(",") if p.strip())


def changed_subscription(
    sub: Subscription,
    sector_keys: Collection[str],
    *,
    sectors: str | None = None,
    hs: str | None = None,
    markets: str | None = None,
    min_level: str | None = None,
    frequency: str | None = None,
    language: str | None = None,
) -> Subscription:
    """``sub`` with the given choices (comma-separated lists; ``None`` keeps a field).

    Used by ``tbtwarn subscriptions set`` and the exporters' web page.

    Raises:
        SubscriptionError: an unknown sector, level, frequency or language, or a malformed HS prefix.
    """
    changes: dict[str, Any] = {}
    if sectors is not None:
        unknown = [k for k in _split(sectors) if k not in sector_keys]
        if unknown:
            raise SubscriptionError(
                f"unknown sector(s) {', '.join(unknown)} (see [[sectors]] or HS sections I-XXI)"
            )
        changes["sectors"] = _split(sectors)
    if hs is not None:
        bad = [p for p in _split(hs) if not p.isdigit() or len(p) not in (2, 4, 6)]
        if bad:
            raise SubscriptionError(f"HS prefix(es) {', '.join(bad)} must be 2, 4 or 6 digits")
        changes["hs_prefixes"] = _split(hs)
    if markets is not None:
        changes["markets"] = tuple(m.upper() if m != "*" else m for m in _split(markets)) or ("*",)
    allowed = {"min_level": LEVELS, "frequency": ("immediate", "daily", "weekly"), "language": ("zh", "en")}
    for field, value in (("min_level", min_level), ("frequency", frequency), ("language", language)):
        if value is None:
            continue
        if value not in allowed[field]:
            raise SubscriptionError(f"{field} must be one of {', '.join(allowed[field])}, not {value!r}")
        changes[field] = value
    return replace(sub, **changes)
