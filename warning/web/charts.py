"""Bar charts drawn as SVG by the server (no script; colours come from the stylesheet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    #: CSS class of the bar (``bar-red``...), styled in static/style.css.
    css_class: str
    #: Geometry in SVG user units.
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int


def _short(label: str, limit: int = 22) -> str:
    """Labels longer than the room left of the bars are cut."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    items: Sequence[tuple[str, int, str]], *, width: int = 480, label_width: int = 160, bar_height: int = 22
) -> BarChart:
    """A horizontal bar chart of ``(label, value, css_class)`` items, longest bar = full width."""
    top = max((value for _, value, _ in items), default=0) or 1
    room = width - label_width - 40  # space for the value printed after the bar
    bars = tuple(
        Bar(_short(label), value, css_class, y=i * (bar_height + 6), width=round(room * value / top, 1))
        for i, (label, value, css_class) in enumerate(items)
    )
    return BarChart(bars, width, max(1, len(bars) * (bar_height + 6)), label_width, bar_height)
