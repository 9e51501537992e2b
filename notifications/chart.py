"""The weekly digest's chart: notifications per level, this week against the last."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot

from matplotlib.figure import Figure

from notifications.digest import LEVEL_COLOURS
from warning.types import LEVELS


def level_chart(this_week: Sequence[int], last_week: Sequence[int], title: str) -> bytes:
    """A PNG bar chart of counts per level (red, orange, yellow, blue)."""
    # A Figure without pyplot: no global state, safe in a long-running service.
    figure = Figure(figsize=(6, 3), dpi=100)
    axes = figure.subplots()
    positions = range(len(LEVELS))
    axes.bar([p - 0.2 for p in positions], list(last_week), width=0.4, color="#bbbbbb", label="previous week")
    axes.bar(
        [p + 0.2 for p in positions],
        list(this_week),
        width=0.4,
        color=[LEVEL_COLOURS[level] for level in LEVELS],
        label="this week",
    )
    axes.set_xticks(list(positions), [level.capitalize() for level in LEVELS])
    axes.set_ylabel("notifications")
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
