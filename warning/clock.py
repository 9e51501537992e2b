"""The one seam through which the service reads the time.

Production uses :class:`SystemClock`. Tests pass a :class:`FixedClock`; a
subprocess (the CLI) can be pinned with the ``TBTWARN_NOW`` environment
variable holding an ISO datetime.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from typing import Protocol
from zoneinfo import ZoneInfo

from warning.exceptions import ConfigError


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


class ScaledClock:
    """A clock that starts at a given time and runs ``1 / scale`` times
    faster than real time; for tests of the running daemon, where a fixed
    clock would never let a lease lapse or a day pass.

    ``origin`` (Unix time) is the real moment at which it reads ``at``;
    processes given the same origin share one scaled clock (several daemons
    on one database). Without it the clock starts when it is made.
    """

    def __init__(self, at: dt.datetime, scale: float, origin: float | None = None) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        self._at = at
        self._scale = scale
        # The wall clock only when shared: monotonic time is per machine boot, not comparable.
        self._real = time.monotonic if origin is None else time.time
        self._started = self._real() if origin is None else origin

    def now(self) -> dt.datetime:
        return self._at + dt.timedelta(seconds=(self._real() - self._started) / self._scale)


def clock_from_env(demo_now: dt.datetime | None = None) -> Clock:
    """The system clock; a fixed one when ``TBTWARN_NOW`` is set, which runs
    (a :class:`ScaledClock`) when ``TBTWARN_TIME_SCALE`` is set too, from
    the Unix time in ``TBTWARN_TIME_ORIGIN`` if set (else from the start).

    Without ``TBTWARN_NOW``, a ``demo_now`` (the config's ``[demo] now``) gives a
    clock that starts at that moment and runs at normal speed (or scaled).

    Raises:
        ConfigError: ``TBTWARN_NOW`` or ``TBTWARN_TIME_SCALE`` cannot be read
            (a ``ValueError`` too).
    """
    pinned = os.environ.get("TBTWARN_NOW")
    if pinned:
        try:
            at = dt.datetime.fromisoformat(pinned)
        except ValueError:
            raise ConfigError(
                f"TBTWARN_NOW must be an ISO date and time such as 2026-11-24T02:00:00+00:00, got {pinned!r}"
            ) from None
        scale = time_scale_from_env()
        return FixedClock(at) if scale == 1.0 else ScaledClock(at, scale, time_origin_from_env())
    if demo_now is not None:
        return ScaledClock(demo_now, time_scale_from_env())
    return SystemClock()


def demo_clock_note(demo_now: dt.datetime | None, timezone: str) -> str | None:
    """The line every run prints when the demo clock is in use, else ``None``."""
    if demo_now is None or os.environ.get("TBTWARN_NOW"):
        return None
    local = demo_now.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    return (
        f"demo clock: the time is taken as {local} {timezone} ([demo] now in the config; "
        "remove it for the real time, TBTWARN_NOW overrides it)"
    )


def time_origin_from_env() -> float | None:
    """The real moment (Unix time) at which a scaled clock reads ``TBTWARN_NOW``
    (``TBTWARN_TIME_ORIGIN``), or None: from the process's start. Processes
    given the same origin share one scaled clock, as several ``tbtwarn run``
    instances of one test must (each started at its own moment).

    Raises:
        ConfigError: the variable is not a number (a ``ValueError`` too).
    """
    text = os.environ.get("TBTWARN_TIME_ORIGIN", "")
    if not text:
        return None
    try:
        origin = float(text)
    except ValueError:
        origin = math.nan
    if not math.isfinite(origin):
        raise ConfigError(f"TBTWARN_TIME_ORIGIN must be a Unix time in seconds, got {text!r}")
    return origin


def time_scale_from_env() -> float:
    """How many real seconds a scheduled second lasts (``TBTWARN_TIME_SCALE``).

    1 in production. Tests of the running daemon set e.g. 0.005 so a
    one-minute collection interval lasts 0.3 s; cron schedules are then read
    on a clock that runs as fast (``warning.service.scheduler.ScaledCronTrigger``).

    Raises:
        ConfigError: the variable is not a positive number (a ``ValueError`` too).
    """
    text = os.environ.get("TBTWARN_TIME_SCALE", "1")
    try:
        scale = float(text)
    except ValueError:
        scale = math.nan
    if not (scale > 0 and math.isfinite(scale)):
        raise ConfigError(f"TBTWARN_TIME_SCALE must be a positive number, got {text!r}")
    return scale
