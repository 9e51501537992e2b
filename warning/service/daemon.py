"""``tbtwarn run``: one process serving the web app and running the jobs.

Jobs coalesce and never overlap; a run missed while the service was down
runs once on start (``job_runs``); SIGTERM/SIGINT let the job in hand finish
the email and transaction it is in, then the process exits 0. Several
instances may share one PostgreSQL database: each job runs under a lease in
the database (:mod:`warning.service.leases`), so it runs once across them, and
a cron job another instance already ran for this time is skipped. On SQLite a
second instance is refused at start (:mod:`warning.service.instance_lock`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
import os
import signal
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError

from warning.exceptions import JobInterrupted, SourceError
from warning.runtime import Runtime
from warning.service import early_stop
from warning.service.health import mount_health
from warning.service.instance_lock import single_instance
from warning.service.jobs import JobContext
from warning.service.leases import SHARED_STATE, LeaseKeeper, default_instance_name, job_lease
from warning.service.scheduler import (
    Cron,
    JobFunc,
    JobSpec,
    apscheduler_trigger,
    first_run_time,
    job_specs,
    missed_run,
)
from warning.storage.database import sqlite_file
from warning.storage.job_runs import list_job_runs, record_covered, record_finish, record_start, register_job
from warning.storage.leases import clear_leases
from warning.tokens import SECRET_ENV

log = logging.getLogger("tbtwarn.daemon")


def build_web_app(rt: Runtime, instance: str | None = None) -> web.Application:
    """The web app (issue 7's ``create_app`` when present) with ``/healthz``."""
    try:
        module: Any = importlib.import_module("warning.web.app")
    except ImportError:
        app = web.Application()
    else:
        app = module.create_app(rt)
    mount_health(app, rt, instance)
    return app


class Daemon:
    """The scheduler and its jobs around one runtime."""

    def __init__(self, rt: Runtime, specs: list[JobSpec] | None = None, time_scale: float = 1.0) -> None:
        self.rt = rt
        self.specs = specs if specs is not None else job_specs(rt.config)
        self.time_scale = time_scale
        self.ctx = JobContext(
            collect_timeout=rt.config.schedule.collect_timeout_seconds, time_scale=time_scale
        )
        #: Steps that write shared state (classification, alerts, mail) run one at a time.
        self.lock = asyncio.Lock()
        self.running: set[asyncio.Task[None]] = set()
        #: Set while serving: :meth:`_check_again` adds one-off checks to it.
        self.scheduler: AsyncIOScheduler | None = None
        self.stop_requested = asyncio.Event()
        schedule = rt.config.schedule
        #: This instance's name in the leases it holds.
        self.instance = schedule.instance_name or default_instance_name()
        self.leases = LeaseKeeper(rt, self.instance, schedule.lease_seconds)

    def request_stop(self, why: str = "") -> None:
        log.info("stop requested %s", why, extra={"event": "stop_requested"})
        self.stop_requested.set()

    async def plan(self) -> dict[str, dt.datetime | None]:
        """Register every job and decide when it first runs (None: its trigger decides)."""
        now = self.rt.now()
        plan: dict[str, dt.datetime | None] = {}
        async with self.rt.db.begin() as conn:
            known = await list_job_runs(conn)
            for spec in self.specs:
                run = known.get(spec.id)
                covered = run.covered_until if run else None
                # In scheduled time (the clock seam); _scheduler maps it to real time.
                plan[spec.id] = first_run_time(spec.trigger, covered, now)
                if run is None:
                    await register_job(conn, spec.id, now)
        return plan

    async def fire(self, spec: JobSpec) -> None:
        """What APScheduler calls: run the job in a task of our own, so that
        stopping the scheduler never cancels a job half-way."""
        if self.stop_requested.is_set() or any(t.get_name() == spec.id for t in self.running):
            return  # a run of this job is under way here (a check met its own run)
        task = asyncio.create_task(self.execute_leased(spec), name=spec.id)
        self.running.add(task)
        task.add_done_callback(self.running.discard)
        await asyncio.shield(task)

    async def execute_leased(self, spec: JobSpec) -> None:
        """:meth:`execute` under the job's lease: skipped when another instance
        holds it, or (cron jobs) already ran it for this scheduled time."""
        name = job_lease(spec.id)
        if not await self.leases.acquire(name):
            log.info(
                "job %s skipped: another instance runs it",
                spec.id,
                extra={"event": "job_skipped", "job": spec.id, "reason": "held"},
            )
            self._check_again(spec)
            return
        try:
            if await self._ran_elsewhere(spec):
                log.info(
                    "job %s skipped: another instance already ran it for this time",
                    spec.id,
                    extra={"event": "job_skipped", "job": spec.id, "reason": "covered"},
                )
                return
            await self.execute(spec)
        finally:
            await self.leases.release(name)

    def _check_again(self, spec: JobSpec) -> None:
        """A cron job another instance holds: look again once its lease could
        have lapsed. If the holder finished, the time is covered and the check
        skips; if it died half-way, this instance makes the run up (once: under
        the lease, after reading ``job_runs``)."""
        if not isinstance(spec.trigger, Cron) or self.scheduler is None or self.stop_requested.is_set():
            return
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.leases.seconds)
        self.scheduler.add_job(
            self.fire, "date", run_date=when, args=[spec], id=f"{spec.id}:check", replace_existing=True
        )

    async def _ran_elsewhere(self, spec: JobSpec) -> bool:
        """A cron job whose latest scheduled time is already covered in ``job_runs``
        (by another instance: this one's runs are never fired twice)."""
        if not isinstance(spec.trigger, Cron):
            return False  # interval jobs: a second run is only an early one
        try:
            async with self.rt.db.begin() as conn:
                run = (await list_job_runs(conn)).get(spec.id)
        except (SQLAlchemyError, OSError):
            return False  # execute() reports the database
        return (
            run is not None
            and missed_run(spec.trigger, run.covered_until, self.rt.now() + self.slack) is None
        )

    @property
    def slack(self) -> dt.timedelta:
        """The scheduler may fire a hair before the clock seam reaches the
        scheduled time: one second, and 50 ms of real time when scaled."""
        return dt.timedelta(seconds=1 + 0.05 / self.time_scale)

    async def _step(self, spec: JobSpec, func: JobFunc, exclusive: bool) -> tuple[str, str | None, bool]:
        """One step: (summary, error, whether it ran to its end, well or not)."""
        try:
            if exclusive:
                async with self.lock, self.leases.waiting(SHARED_STATE, self.stop_requested) as held:
                    if not held:
                        return "", "stopping: not started", False
                    return await func(self.rt, self.ctx), None, True
            return await func(self.rt, self.ctx), None, True
        except JobInterrupted as exc:
            return "", str(exc), False
        except SourceError as exc:
            # A source that is down, slow or sends garbage is expected (its state
            # records why): one line a cycle, not a traceback; those are for bugs.
            log.warning("job %s: %s", spec.id, exc, extra={"event": "job_error", "job": spec.id})
            return "", f"{type(exc).__name__}: {exc}", True
        except Exception as exc:
            # A job boundary: one failing job is recorded and logged, and the
            # daemon goes on with the others.
            log.exception("job %s failed", spec.id, extra={"event": "job_error", "job": spec.id})
            return "", f"{type(exc).__name__}: {exc}", True

    async def execute(self, spec: JobSpec) -> None:
        """Run one job and its follow-ups, recording start and end in ``job_runs``."""
        log.info("job %s started", spec.id, extra={"event": "job_start", "job": spec.id})
        started = self.rt.now()
        try:
            async with self.rt.db.begin() as conn:
                await record_start(conn, spec.id, started)
        except (SQLAlchemyError, OSError) as exc:
            log.error(
                "job %s not started: database: %s", spec.id, exc, extra={"event": "job_error", "job": spec.id}
            )
            return
        summaries: list[str] = []
        errors: list[str] = []
        for func, exclusive in [(spec.run, spec.exclusive), *((f, True) for f in spec.follow_up)]:
            if summaries and self.stop_requested.is_set():
                break
            summary, error, ended = await self._step(spec, func, exclusive)
            if not summaries and ended:
                await self._covered(spec, started)
            summaries.append(summary)
            if error:
                errors.append(error)
        error_text = "; ".join(errors) or None
        try:
            async with self.rt.db.begin() as conn:
                await record_finish(conn, spec.id, self.rt.now(), error_text)
        except (SQLAlchemyError, OSError) as exc:
            log.error("job %s: cannot record its end: %s", spec.id, exc, extra={"job": spec.id})
        log.info(
            "job %s finished: %s%s",
            spec.id,
            "; ".join(s for s in summaries if s),
            f" (errors: {error_text})" if error_text else "",
            extra={"event": "job_finish", "job": spec.id, "error": error_text},
        )

    async def _covered(self, spec: JobSpec, started: dt.datetime) -> None:
        """The job's own step ran to its end (its follow-ups, such as sending,
        are the outbox's to finish): the scheduled time it was fired for is
        taken care of. A run killed before this point is made up."""
        # A cron run that started a hair early covers the time it was fired for.
        covers = started + self.slack if isinstance(spec.trigger, Cron) else started
        try:
            async with self.rt.db.begin() as conn:
                await record_covered(conn, spec.id, covers)
        except (SQLAlchemyError, OSError) as exc:
            log.error("job %s: cannot record its run: %s", spec.id, exc, extra={"job": spec.id})

    def _scheduler(self, plan: dict[str, dt.datetime | None]) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(
            timezone=ZoneInfo(self.rt.config.schedule_timezone),
            # A run missed while the loop was busy or the machine asleep runs
            # once, however late; never two of the same job at once.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        # The scheduler keeps real time; the decision above used the clock seam.
        scheduler_now = dt.datetime.now(dt.UTC)
        now = self.rt.now()
        for spec in self.specs:
            kwargs: dict[str, Any] = {}
            first = plan.get(spec.id)
            if first is not None:
                delay = max(0.0, (first - now).total_seconds()) * self.time_scale
                kwargs["next_run_time"] = scheduler_now + dt.timedelta(seconds=delay)
            scheduler.add_job(
                self.fire,
                apscheduler_trigger(spec.trigger, self.time_scale, now, scheduler_now),
                args=[spec],
                id=spec.id,
                name=spec.id,
                **kwargs,
            )
        return scheduler

    async def _drain(self) -> None:
        """Let running jobs finish what they are doing, up to the stop timeout."""
        self.ctx.stopping.set()
        pending = set(self.running)
        if not pending:
            return
        timeout = self.rt.config.schedule.stop_timeout_seconds
        _, late = await asyncio.wait(pending, timeout=timeout)
        for task in late:
            # Past the deadline: cancelling rolls back the open transaction;
            # the job's next run redoes it from what is stored.
            log.warning("job %s cancelled at stop", task.get_name(), extra={"event": "job_cancelled"})
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def run(self, host: str, port: int) -> int:
        """Serve and schedule until SIGTERM/SIGINT; returns the exit code.

        Raises :class:`~warning.exceptions.InstanceRunning` when another
        instance already serves the same SQLite database.
        """
        with single_instance(self.rt.config.database_url):
            if sqlite_file(self.rt.config.database_url) is not None:
                # This is the only instance: a lease left behind is a dead process's.
                async with self.rt.db.begin() as conn:
                    await clear_leases(conn)
            keep_alive = asyncio.create_task(self.leases.keep_alive(self.stop_requested), name="leases")
            try:
                return await self._serve(host, port)
            finally:
                self.stop_requested.set()
                await keep_alive
                await self.leases.release_all()

    async def _serve(self, host: str, port: int) -> int:
        if sqlite_file(self.rt.config.database_url) is None and SECRET_ENV not in os.environ:
            log.warning(
                "%s is not set: this instance signs links and sessions with its own var/secret, which "
                "other instances on this database refuse; set the same %s on every instance",
                SECRET_ENV,
                SECRET_ENV,
                extra={"event": "secret_not_shared"},
            )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop, sig.name)
        if early_stop.requested():  # a SIGTERM while the process was starting
            self.request_stop("SIGTERM during start-up")
        plan = await self.plan()
        if self.stop_requested.is_set():
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            log.info("tbtwarn stopped during start-up", extra={"event": "daemon_stopped"})
            return 0
        runner = web.AppRunner(build_web_app(self.rt, self.instance))
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            bound = runner.addresses[0][1] if runner.addresses else port
            scheduler = self.scheduler = self._scheduler(plan)
            scheduler.start()
            log.info(
                "tbtwarn running on http://%s:%s/ with %d jobs (instance %s)",
                host,
                bound,
                len(self.specs),
                self.instance,
                extra={"event": "daemon_ready", "port": bound, "instance": self.instance},
            )
            await self.stop_requested.wait()
            scheduler.shutdown(wait=False)
            await self._drain()
        finally:
            await runner.cleanup()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        log.info("tbtwarn stopped", extra={"event": "daemon_stopped"})
        return 0
