"""The one seam through which the service reads the time.

Production uses :class:`SystemClock`. Tests pass a :class:`FixedClock`; a
subprocess (the CLI) can be pinned with the ``TBTWARN_NOW`` environment
variable holding an ISO datetime.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Protocol


class Clock(Protocol):
    """Tells the current time, always timezone-aware (UTC)."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still until moved; for tests."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward."""
        self._at += delta


def clock_from_env() -> Clock:
    """The system clock, or a fixed one when ``TBTWARN_NOW`` is set."""
    pinned = os.environ.get("TBTWARN_NOW")
    if pinned:
        return FixedClock(dt.datetime.fromisoformat(pinned))
    return SystemClock()


def time_scale_from_env() -> float:
    """How many real seconds a scheduled second lasts (``TBTWARN_TIME_SCALE``).

    1 in production. Tests of the running daemon set e.g. 0.005 so a
    one-minute collection interval lasts 0.3 s; cron times are not scaled.

    Raises:
        ValueError: the variable is not a positive number.
    """
    text = os.environ.get("TBTWARN_TIME_SCALE", "1")
    scale = float(text)
    if not scale > 0:
        raise ValueError(f"TBTWARN_TIME_SCALE must be a positive number, got {text!r}")
    return scale
