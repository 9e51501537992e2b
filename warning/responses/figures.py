"""The dates and figures a concern starts from: the enquiry-point date and the export value at stake.

The enquiry-point date is the WTO comment deadline less ``[warning]
enquiry_point_days``, as the calendar (:mod:`warning.levels.deadlines`) and the
exporter pages count it. The value at stake is what the warning level's
exposure factor reads (:class:`warning.levels.factors.OwnFigures`): the
company's latest year of exports of the chosen HS codes to the markets chosen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from warning.levels.factors import OwnFigures
from warning.types import ExposureRow, ProductMatch


def enquiry_point_date(comment_deadline: dt.date | None, enquiry_point_days: int) -> dt.date | None:
    """The last day to send comments to the national enquiry point; ``None`` without a deadline."""
    if comment_deadline is None:
        return None
    return comment_deadline - dt.timedelta(days=enquiry_point_days)


def value_at_stake(
    rows: Sequence[ExposureRow], hs_codes: Sequence[str], markets: Sequence[str]
) -> float | None:
    """The company's yearly exports of ``hs_codes`` to ``markets`` (latest year on record);
    ``None`` when the register holds no figures for it."""
    if not rows or not hs_codes or not markets:
        return None
    matches = [ProductMatch(code, len(code), 1.0, "register", "") for code in hs_codes]
    at_stake, _, _ = OwnFigures(rows).at_stake(markets, matches)
    return round(sum(at_stake.values()), 2) if at_stake else None
