"""What the daemon runs and when.

The decision "is a run due" is a pure function of (what the job last
covered, now, its trigger), so it is tested with a fixed clock; APScheduler
only keeps the live timetable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from warning.config import Config
from warning.runtime import Runtime
from warning.service import jobs


@dataclass(frozen=True)
class Every:
    """Every ``minutes`` minutes, counted from the last run."""

    minutes: float

    def interval(self, scale: float = 1.0) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes * scale)


@dataclass(frozen=True)
class Cron:
    """At the times of a crontab expression, read in a time zone."""

    expr: str
    timezone: str

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.expr, timezone=ZoneInfo(self.timezone))


Trigger = Every | Cron

#: A job body: the runtime and the daemon's context in, a one-line summary out.
JobFunc = Callable[[Runtime, jobs.JobContext], Awaitable[str]]


@dataclass(frozen=True)
class JobSpec:
    id: str
    trigger: Trigger
    run: JobFunc
    #: Steps that write shared state run one at a time (one lock per process).
    exclusive: bool = True
    #: Run after ``run`` (even when it failed: what it stored still counts), under the lock.
    follow_up: tuple[JobFunc, ...] = ()


def missed_run(trigger: Trigger, covered_until: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """The first scheduled time after ``covered_until`` and not after ``now``.

    ``covered_until`` is when the job last started (or was first seen); None
    means never seen. A job never seen has missed nothing on a cron
    schedule, while a collection never run is due at once. Several missed
    times count as one run (coalescing): only whether one exists matters.
    """
    if covered_until is None:
        return now if isinstance(trigger, Every) else None
    if isinstance(trigger, Every):
        due = covered_until + trigger.interval()
        return due if due <= now else None
    # The cron trigger's first fire time strictly after covered_until.
    first: dt.datetime | None = trigger.trigger().get_next_fire_time(
        None, covered_until + dt.timedelta(microseconds=1)
    )
    if first is None or first > now:
        return None
    return first.astimezone(dt.UTC)


def first_run_time(
    trigger: Trigger, covered_until: dt.datetime | None, now: dt.datetime, scale: float = 1.0
) -> dt.datetime | None:
    """When the daemon should first run a job after starting: ``now`` when a
    run was missed, the rest of the interval for a collection, else None
    (the trigger's own next time)."""
    if missed_run(trigger, covered_until, now) is not None:
        return now
    if isinstance(trigger, Every) and covered_until is not None:
        return covered_until + trigger.interval(scale)
    return None


class ScaledCronTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 is untyped
    """A cron trigger read on a scaled clock (tests of the running daemon).

    Scheduled time starts at ``start`` (the runtime's clock, e.g.
    ``TBTWARN_NOW``) when real time is ``real_start`` and runs ``1 / scale``
    times faster: with scale 0.005 a cron minute lasts 0.3 real seconds, so
    a test's ``"* * * * *"`` daily digest fires within its run. The cron
    times are computed in scheduled time and mapped back to real time.
    """

    def __init__(self, inner: CronTrigger, scale: float, start: dt.datetime, real_start: dt.datetime) -> None:
        self.inner = inner
        self.scale = scale
        self.start = start
        self.real_start = real_start

    def scheduled(self, real: dt.datetime) -> dt.datetime:
        return self.start + (real - self.real_start) / self.scale

    def real(self, scheduled: dt.datetime) -> dt.datetime:
        return self.real_start + (scheduled - self.start) * self.scale

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        previous = None
        if previous_fire_time is not None:
            # Back to the cron time exactly: the mapping rounds to microseconds,
            # and a previous time read a hair early would fire again (APScheduler
            # loops until a fire time passes now). Cron times are whole seconds.
            previous = (self.scheduled(previous_fire_time) + dt.timedelta(milliseconds=500)).replace(
                microsecond=0
            )
        found: dt.datetime | None = self.inner.get_next_fire_time(previous, self.scheduled(now))
        return None if found is None else self.real(found)


def apscheduler_trigger(
    trigger: Trigger,
    scale: float = 1.0,
    start: dt.datetime | None = None,
    real_start: dt.datetime | None = None,
) -> BaseTrigger:
    """The APScheduler trigger. With ``scale`` (tests) intervals are scaled,
    and cron times are read on a scaled clock starting at ``start`` (the
    runtime's now) at ``real_start``; in production (scale 1) both keep real time."""
    if isinstance(trigger, Every):
        return IntervalTrigger(seconds=trigger.interval(scale).total_seconds())
    if scale == 1.0 or start is None or real_start is None:
        return trigger.trigger()
    return ScaledCronTrigger(trigger.trigger(), scale, start, real_start)


def job_specs(config: Config) -> list[JobSpec]:
    """Every job of the daemon, from the config."""
    specs = [
        JobSpec(
            f"collect:{s.name}",
            Every(s.interval_minutes),
            _collect(s.name),
            exclusive=False,
            # Classification and alerting after each collection; red alerts
            # leave at once rather than at the next dispatch tick.
            follow_up=(jobs.process_job, jobs.dispatch_job),
        )
        for s in config.sources
        if s.enabled
    ]
    tz = config.schedule_timezone
    specs += [
        JobSpec("dispatch", Every(config.schedule.dispatch_minutes), jobs.dispatch_job),
    ]
    # Scheduled composing, then delivery as a follow-up: the run counts as done
    # once its emails are composed (see Daemon.execute).
    send = (jobs.deliver_job,)
    specs += [
        JobSpec(job_id, Cron(cron, tz), compose, follow_up=send)
        for job_id, cron, compose in (
            ("daily-digest", config.schedule.daily_digest, jobs.daily_digest_job),
            ("weekly-digest", config.schedule.weekly_digest, jobs.weekly_digest_job),
            ("monthly-report", config.schedule.monthly_report, jobs.monthly_report_job),
            ("response-reminders", config.schedule.response_reminders, jobs.response_reminders_job),
        )
    ]
    return specs


def _collect(source_name: str) -> JobFunc:
    async def run(rt: Runtime, ctx: jobs.JobContext) -> str:
        return await jobs.collect_job(rt, ctx, source_name)

    return run
