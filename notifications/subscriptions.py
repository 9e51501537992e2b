"""Which alerts a subscription wants, and how soon."""

from __future__ import annotations

from collections.abc import Mapping

from warning.matching import shares_prefix
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
