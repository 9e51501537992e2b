"""When jobs are due: a pure function of (last covered, now, trigger), on a fixed clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from tests.conftest import WriteConfig
from warning.clock import FixedClock, clock_from_env
from warning.config import load_config
from warning.exceptions import ConfigError, SourceError
from warning.runtime import Runtime
from warning.service.daemon import Daemon
from warning.service.jobs import JobContext
from warning.service.leases import job_lease
from warning.service.scheduler import (
    Cron,
    Every,
    JobSpec,
    apscheduler_trigger,
    first_run_time,
    job_specs,
    missed_run,
)
from warning.storage.job_runs import list_job_runs, record_covered, record_finish, record_start, register_job
from warning.storage.leases import release, try_acquire

SHANGHAI = "Asia/Shanghai"
DAILY = Cron("0 8 * * *", SHANGHAI)  # 00:00 UTC
WEEKLY = Cron("0 9 * * MON", SHANGHAI)  # Monday 01:00 UTC
# Tuesday 2026-11-24 02:00 UTC = 10:00 in Shanghai.
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("trigger", "covered", "expected"),
    [
        # Ran this morning at 08:00 Shanghai: nothing missed.
        (DAILY, utc(24, 0, 1), None),
        # Last ran yesterday at 08:00 Shanghai, machine asleep through today's 08:00.
        (DAILY, utc(23, 0, 1), utc(24, 0)),
        # Asleep for three days: one run (the first missed time), not three.
        (DAILY, utc(21, 0, 1), utc(22, 0)),
        # Covered until exactly the scheduled time: it ran then.
        (DAILY, utc(24, 0), None),
        # Weekly: last Monday's run happened; the next is next Monday.
        (WEEKLY, utc(23, 1, 5), None),
        (WEEKLY, utc(20, 1), utc(23, 1)),
        # Never seen: a cron job has missed nothing, a collection is due now.
        (DAILY, None, None),
        (Every(60), None, NOW),
        (Every(60), NOW - dt.timedelta(minutes=59), None),
        (Every(60), NOW - dt.timedelta(minutes=60), NOW),
        (Every(60), NOW - dt.timedelta(days=3), NOW - dt.timedelta(days=3) + dt.timedelta(minutes=60)),
    ],
)
def test_missed_run(trigger: Every | Cron, covered: dt.datetime | None, expected: dt.datetime | None) -> None:
    assert missed_run(trigger, covered, NOW) == expected


def test_cron_reads_the_zone() -> None:
    # 08:00 in New York is 13:00 UTC (EST in November).
    ny = Cron("0 8 * * *", "America/New_York")
    assert missed_run(ny, utc(24, 12), utc(24, 13)) == utc(24, 13)
    assert missed_run(ny, utc(24, 12), utc(24, 12, 59)) is None


def test_first_run_time_waits_the_rest_of_an_interval() -> None:
    clock = FixedClock(NOW)
    covered = NOW - dt.timedelta(minutes=20)
    assert first_run_time(Every(60), covered, clock.now()) == NOW + dt.timedelta(minutes=40)
    assert first_run_time(DAILY, utc(23, 0, 1), clock.now()) == NOW  # missed: at once
    assert first_run_time(DAILY, utc(24, 0, 1), clock.now()) is None  # the trigger's own time
    clock.advance(dt.timedelta(minutes=40))
    assert first_run_time(Every(60), covered, clock.now()) == clock.now()


def test_job_specs_from_config(write_config: WriteConfig) -> None:
    config = load_config(
        write_config(
            sources='[[sources]]\nname = "a"\nkind = "file"\npath = "a.jsonl"\ninterval_minutes = 5\n'
            '[[sources]]\nname = "b"\nkind = "file"\npath = "b.jsonl"\nenabled = false\n',
            extra='[schedule]\ndaily_digest = "30 7 * * *"\n',
        )
    )
    specs = {s.id: s for s in job_specs(config)}
    assert set(specs) == {
        "collect:a",
        "dispatch",
        "daily-digest",
        "weekly-digest",
        "monthly-report",
        "response-reminders",
    }
    assert specs["collect:a"].trigger == Every(5)
    assert specs["daily-digest"].trigger == Cron("30 7 * * *", SHANGHAI)
    assert specs["weekly-digest"].trigger == Cron("0 9 * * MON", SHANGHAI)
    assert specs["monthly-report"].trigger == Cron("0 9 1 * *", SHANGHAI)
    assert specs["response-reminders"].trigger == Cron("0 8 * * *", SHANGHAI)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[schedule]\ndaily_digest = "0 25 * * *"',
            "schedule.daily_digest: Value error, not a cron",
        ),
        ('[schedule]\nweekly_digest = "every monday"', "schedule.weekly_digest: Value error, not a cron"),
        ('[schedule]\nmonthly_report = "monthly"', "schedule.monthly_report: Value error, not a cron"),
        ('[schedule]\nresponse_reminders = "daily"', "schedule.response_reminders: Value error, not a cron"),
        (
            '[schedule]\ntimezone = "Asia/Jinan"',
            "schedule.timezone: Value error, unknown time zone",
        ),
        ('[zone]\ntimezone = "Shanghai"', "zone.timezone: Value error, unknown time zone 'Shanghai'"),
        ("[schedule]\ndispatch_minutes = 0", "schedule.dispatch_minutes: Input should be greater than"),
        ('[logging]\nformat = "xml"', "logging.format: Input should be 'text' or 'json'"),
        ("[schedule]\ndaily = 1", "schedule.daily: unknown key"),
    ],
)
def test_schedule_config_errors_name_the_key(write_config: WriteConfig, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(write_config(extra=extra))


async def test_daemon_plan_runs_a_missed_digest_once(runtime: Runtime, clock: FixedClock) -> None:
    daemon = Daemon(runtime)
    first = await daemon.plan()
    # First start: collections at once, cron jobs at their own time.
    assert first == {
        "collect:sample": NOW,
        "dispatch": NOW,
        "daily-digest": None,
        "weekly-digest": None,
        "monthly-report": None,
        "response-reminders": None,
    }
    async with runtime.db.begin() as conn:
        for job_id in first:
            await record_start(conn, job_id, clock.now())
            await record_covered(conn, job_id, clock.now())
    # The machine sleeps two days; on start the daily digest is due (once),
    # the weekly one is not (no Monday 09:00 passed).
    clock.advance(dt.timedelta(days=2))
    second = await daemon.plan()
    assert second["daily-digest"] == clock.now()
    assert second["weekly-digest"] is None
    async with runtime.db.begin() as conn:
        runs = await list_job_runs(conn)
    assert runs["daily-digest"].covered_until == NOW and runs["daily-digest"].runs == 1


async def test_a_run_that_died_half_way_is_made_up_at_the_next_start(
    runtime: Runtime, clock: FixedClock
) -> None:
    """A digest killed while composing (SIGKILL, a machine lost) never
    recorded its run: its time stays uncovered and the next start runs it."""
    daemon = Daemon(runtime)
    await daemon.plan()
    yesterday = clock.now() - dt.timedelta(days=1)
    async with runtime.db.begin() as conn:
        await record_start(conn, "daily-digest", yesterday)
        await record_covered(conn, "daily-digest", yesterday)
        await record_start(conn, "daily-digest", clock.now())  # today's run: no end
    assert (await daemon.plan())["daily-digest"] == clock.now()
    async with runtime.db.begin() as conn:
        await record_covered(conn, "daily-digest", clock.now())
    assert (await daemon.plan())["daily-digest"] is None


async def _held_by_another(runtime: Runtime, job_id: str) -> None:
    async with runtime.db.begin() as conn:
        assert await try_acquire(conn, job_lease(job_id), "other-instance", 60.0)


async def test_a_cron_job_whose_holder_died_half_way_is_made_up_by_another_instance(
    runtime: Runtime, clock: FixedClock
) -> None:
    """Another instance holds today's digest: this one skips it and looks
    again once the lease could lapse. The holder died before the end: the
    check runs the digest here, once."""
    runs: list[dt.datetime] = []

    async def digest(rt: Runtime, ctx: JobContext) -> str:
        runs.append(rt.now())
        return "done"

    spec = JobSpec("daily-digest", DAILY, digest)
    async with runtime.db.begin() as conn:
        await register_job(conn, "daily-digest", clock.now() - dt.timedelta(days=1))
    await _held_by_another(runtime, "daily-digest")
    daemon = Daemon(runtime, specs=[spec])
    daemon.scheduler = AsyncIOScheduler()
    daemon.scheduler.start(paused=True)
    try:
        await daemon.fire(spec)
        assert runs == []
        check = daemon.scheduler.get_job("daily-digest:check")
        assert check is not None, "a second look is planned"
        wait = (check.next_run_time - dt.datetime.now(dt.UTC)).total_seconds()
        assert 0 < wait <= daemon.leases.seconds
        # The holder dies without recording an end: its lease goes.
        async with runtime.db.begin() as conn:
            await release(conn, [job_lease("daily-digest")], "other-instance")
        await daemon.fire(spec)  # what the check does
        await daemon.fire(spec)  # a second check finds the time covered
        assert runs == [NOW]
    finally:
        daemon.scheduler.shutdown(wait=False)


async def test_a_cron_job_its_holder_finished_is_not_run_again_by_the_check(
    runtime: Runtime, clock: FixedClock
) -> None:
    runs: list[dt.datetime] = []

    async def digest(rt: Runtime, ctx: JobContext) -> str:
        runs.append(rt.now())
        return "done"

    spec = JobSpec("daily-digest", DAILY, digest)
    async with runtime.db.begin() as conn:
        await register_job(conn, "daily-digest", clock.now() - dt.timedelta(days=1))
    await _held_by_another(runtime, "daily-digest")
    daemon = Daemon(runtime, specs=[spec])
    # The holder finished the run it started at today's time, and let go.
    async with runtime.db.begin() as conn:
        await record_start(conn, "daily-digest", utc(24, 0))
        await record_covered(conn, "daily-digest", utc(24, 0))
        await record_finish(conn, "daily-digest", clock.now(), None)
        await release(conn, [job_lease("daily-digest")], "other-instance")
    await daemon.fire(spec)
    assert runs == []


def test_config_example_files_load(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    for name in (
        "config.toml",
        "deploy/config.production.toml",
        "deploy/multi/config.multi.toml",
        "deploy/multi/config.compose.toml",
    ):
        config = load_config(root / name)
        assert config.schedule.daily_digest


async def test_daemon_runs_a_missed_job_once_and_finishes_it_on_stop(
    runtime: Runtime, clock: FixedClock
) -> None:
    """The real scheduler: a daily digest missed while down runs once at start;
    a stop lets the running job finish and records its end."""
    started, release = asyncio.Event(), asyncio.Event()
    runs: list[dt.datetime] = []

    async def digest(rt: Runtime, ctx: JobContext) -> str:
        runs.append(rt.now())
        started.set()
        await release.wait()  # still running when the stop comes
        return "done"

    spec = JobSpec("daily-digest", DAILY, digest)
    async with runtime.db.begin() as conn:
        await register_job(conn, "daily-digest", clock.now() - dt.timedelta(days=3))
    daemon = Daemon(runtime, specs=[spec])
    serving = asyncio.create_task(daemon.run("127.0.0.1", 0))
    await asyncio.wait_for(started.wait(), 10)
    daemon.request_stop("test")
    release.set()
    assert await asyncio.wait_for(serving, 10) == 0
    assert runs == [NOW]
    async with runtime.db.begin() as conn:
        record = (await list_job_runs(conn))["daily-digest"]
    # It covers the time it was fired for, a hair of slack included.
    assert (record.runs, record.last_error, record.covered_until) == (1, None, NOW + daemon.slack)
    assert record.last_success_at == NOW


def test_scaled_cron_fires_each_scheduled_minute_on_a_fast_clock() -> None:
    # With a scale of 0.005 a scheduled minute lasts 0.3 real seconds, and
    # each fire time leads to the next one (never the same one again).
    real_start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    start = dt.datetime(2026, 7, 1, 0, 0, 10, tzinfo=dt.UTC)
    trigger = apscheduler_trigger(Cron("* * * * *", "Asia/Shanghai"), 0.005, start, real_start)
    fired: list[dt.datetime] = []
    previous = None
    for _ in range(5):
        previous = trigger.get_next_fire_time(previous, previous or real_start)
        assert previous is not None
        fired.append(previous)
    gaps = {round((b - a).total_seconds(), 3) for a, b in itertools.pairwise(fired)}
    assert gaps == {0.3}
    assert round((fired[0] - real_start).total_seconds(), 3) == 0.25  # 50 scheduled s to the minute
    # Production (scale 1) keeps real cron times.
    assert isinstance(apscheduler_trigger(DAILY, 1.0, start, real_start), CronTrigger)


def test_pinned_clock_runs_when_time_is_scaled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TBTWARN_NOW", "2026-07-01T00:00:00+00:00")
    monkeypatch.delenv("TBTWARN_TIME_SCALE", raising=False)
    assert isinstance(clock_from_env(), FixedClock)
    monkeypatch.setenv("TBTWARN_TIME_SCALE", "0.000001")
    clock = clock_from_env()
    first = clock.now()
    assert first >= dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    while clock.now() == first:  # a microsecond of real time is a scheduled second
        pass
    assert clock.now() > first


async def test_a_failing_source_is_logged_in_one_line_a_bug_with_its_traceback(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    async def source_down(rt: Runtime, ctx: JobContext) -> str:
        raise SourceError("flap: http://127.0.0.1/feed: HTTP 503 Service Unavailable")

    async def bug(rt: Runtime, ctx: JobContext) -> str:
        raise KeyError("oops")

    specs = [JobSpec("collect:flap", Every(1), source_down), JobSpec("dispatch", Every(1), bug)]
    daemon = Daemon(runtime, specs=specs)
    await daemon.plan()
    with caplog.at_level(logging.INFO, logger="tbtwarn.daemon"):
        for spec in specs:
            await daemon.execute(spec)
    errors = {r.job: r for r in caplog.records if getattr(r, "event", None) == "job_error"}
    assert errors["collect:flap"].levelno == logging.WARNING and errors["collect:flap"].exc_info is None
    assert "HTTP 503" in errors["collect:flap"].getMessage()
    assert errors["dispatch"].levelno == logging.ERROR and errors["dispatch"].exc_info is not None
    async with runtime.db.begin() as conn:
        runs = await list_job_runs(conn)
    assert runs["collect:flap"].last_error == (
        "SourceError: flap: http://127.0.0.1/feed: HTTP 503 Service Unavailable"
    )
    assert runs["dispatch"].last_error == "KeyError: 'oops'"
