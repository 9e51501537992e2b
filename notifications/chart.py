"""The weekly digest's chart: notifications per level, this week against the last.

Each level's two bars are drawn in the level's colour: the previous week's
outlined and hatched, this week's filled; the legend says so.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

LEGEND_COLOUR = "#555555"


def level_chart(
    this_week: Sequence[int],
    last_week: Sequence[int],
    colours: Sequence[str],
    labels: Sequence[str],
    title: str,
) -> bytes:
    """A PNG bar chart of counts per level (one colour per level)."""
    # Imported here: matplotlib costs the daemon's start-up (and every
    # command's) a second or more, for the weekly chart alone.
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    # A Figure without pyplot: no global state, safe in a long-running service.
    figure = Figure(figsize=(6, 3), dpi=100)
    axes = figure.subplots()
    positions = range(len(labels))
    axes.bar(
        [p - 0.2 for p in positions],
        list(last_week),
        width=0.4,
        color="white",
        edgecolor=list(colours),
        hatch="///",
        linewidth=1.2,
    )
    axes.bar([p + 0.2 for p in positions], list(this_week), width=0.4, color=list(colours))
    axes.set_xticks(list(positions), list(labels))
    axes.set_ylabel("notifications")
    axes.set_title(title)
    axes.legend(
        handles=[
            Patch(facecolor="white", edgecolor=LEGEND_COLOUR, hatch="///", label="previous week (outlined)"),
            Patch(facecolor=LEGEND_COLOUR, label="this week (filled)"),
        ],
        title="bar colour = warning level",
        fontsize="small",
        title_fontsize="small",
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
