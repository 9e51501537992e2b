"""Shared by the classifier tests: a notification with only its text set."""

from __future__ import annotations

from typing import Any

from warning.types import Notification


def note(products: str = "", title: str = "", **fields: Any) -> Notification:
    """A notification whose products and title (and any other ``fields``) are given."""
    return Notification(
        key="k",
        symbols=(),
        area="TBT",
        member_codes=(),
        member_name="",
        notification_type="",
        title=title,
        products=products,
        **fields,
    )
