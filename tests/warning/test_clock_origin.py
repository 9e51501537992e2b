"""A scaled clock shared by several processes (``TBTWARN_TIME_ORIGIN``)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from warning.clock import ScaledClock, clock_from_env
from warning.exceptions import ConfigError

AT = dt.datetime(2026, 6, 29, 2, 0, tzinfo=dt.UTC)


def test_clocks_given_one_origin_read_the_same_scheduled_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # The origin 10 real seconds ago at 0.01: 1,000 scheduled seconds (and a little more) have passed.
    origin = time.time() - 10
    monkeypatch.setenv("TBTWARN_NOW", AT.isoformat())
    monkeypatch.setenv("TBTWARN_TIME_SCALE", "0.01")
    monkeypatch.setenv("TBTWARN_TIME_ORIGIN", repr(origin))
    first = clock_from_env().now()
    second = ScaledClock(AT, 0.01, origin).now()
    assert first >= AT + dt.timedelta(seconds=1000)
    # Made later, the second clock is not behind the first (each would start at AT without an origin).
    assert second >= first


def test_an_origin_that_is_not_a_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TBTWARN_NOW", AT.isoformat())
    monkeypatch.setenv("TBTWARN_TIME_SCALE", "0.01")
    monkeypatch.setenv("TBTWARN_TIME_ORIGIN", "yesterday")
    with pytest.raises(ConfigError, match="TBTWARN_TIME_ORIGIN must be a Unix time"):
        clock_from_env()
