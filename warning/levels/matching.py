"""Matching v0: which exporters a notification concerns.

An exporter is concerned when one of its HS codes shares a prefix with a
product match and the notifying member is one of its markets.
"""

from __future__ import annotations

from collections.abc import Sequence

from warning.members import ALL_MARKETS, market_covers
from warning.types import Exporter, Notification, ProductMatch


def shares_prefix(a: str, b: str) -> bool:
    """``3304`` and ``330499`` share a prefix; so do ``33`` and ``3304``."""
    return a.startswith(b) or b.startswith(a)


def in_markets(notification: Notification, exporter: Exporter) -> bool:
    """Whether the notifying member is among the exporter's markets."""
    if ALL_MARKETS in exporter.markets:
        return True
    return any(
        market_covers(market, code) for market in exporter.markets for code in notification.member_codes
    )


def matching_products(
    notification: Notification, matches: Sequence[ProductMatch], exporter: Exporter
) -> list[ProductMatch]:
    """The product matches that concern the exporter; empty when none do."""
    if not in_markets(notification, exporter):
        return []
    return [m for m in matches if any(shares_prefix(m.hs_code, c) for c in exporter.hs_codes)]
