"""The daemon's jobs: one async function per scheduled job.

This is the seam between the scheduler and the pipeline's steps. Each job
works from what is stored, so a job interrupted by a crash is completed by
its next run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from notifications.compose import compose_digests, compose_weekly_digests, iso_week
from notifications.deliver import build_transport, connection_count, deliver_pending
from notifications.officials import compose_officials_digest
from notifications.transports import Transport
from warning.classify import classify_pending
from warning.collect import SourceOutcome, collect
from warning.exceptions import SourceError, TransportUnavailable
from warning.levels.alerting import create_alerts
from warning.reports.monthly import compose_monthly_report, previous_month
from warning.responses.reminders import compose_reminders
from warning.runtime import Runtime
from warning.storage.outbox import OutboxMessage, pending_ids
from warning.storage.raw import record_source_result
from warning.translation.step import translate_pending

log = logging.getLogger("tbtwarn.jobs")


@dataclass
class JobContext:
    """What the daemon hands every job."""

    #: Set when the service is stopping: a job ends after the item in hand.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    #: A collection running longer than this is abandoned (seconds).
    collect_timeout: float = 300.0
    #: Collections abandoned while still running (a read that hangs in a
    #: thread cannot be cancelled): no new one starts for that source until
    #: it ends, so hung reads never use up the thread pool.
    hung: dict[str, asyncio.Task[list[SourceOutcome]]] = field(default_factory=dict)

    #: Real seconds per scheduled second (``TBTWARN_TIME_SCALE``): delivery
    #: back-off waits are scaled like the schedule, so a test's retries
    #: take as many cycles as in production, not minutes.
    time_scale: float = 1.0

    #: The last delivery run found the mail server unreachable: the next one
    #: tries each connection once instead of ``[smtp] retries`` times, so a
    #: server that accepts connections but never answers holds the job lock
    #: for one timeout a cycle, not retries x timeout, while it stays so.
    mail_server_down: bool = False

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of scheduled time."""
        await asyncio.sleep(seconds * self.time_scale)

    @property
    def has_hung_work(self) -> bool:
        return any(not task.done() for task in self.hung.values())


class StopAwareTransport:
    """Wraps a transport so that no new email starts once the service stops;
    the email being sent is finished and marked sent first."""

    def __init__(self, inner: Transport, stopping: asyncio.Event) -> None:
        self.inner = inner
        self.stopping = stopping

    async def deliver(self, message: OutboxMessage) -> None:
        if self.stopping.is_set():
            # As an unavailable server (no retry): ``deliver_pending`` then
            # records what its batch already sent as sent, and leaves the rest
            # pending. An exception it does not know (it used to be
            # JobInterrupted) skipped that record: emails already sent by the
            # batch stayed "sending" until the next start settled them.
            raise TransportUnavailable(
                "service stopping; the rest of the outbox waits for the next start", permanent=True
            )
        await self.inner.deliver(message)

    async def was_delivered(self, message: OutboxMessage) -> bool | None:
        return await self.inner.was_delivered(message)

    async def close(self) -> None:
        await self.inner.close()


def _step(name: str, **fields: Any) -> None:
    # The reliability suite kills the daemon at these events.
    log.info("step %s started", name, extra={"event": "step_start", "step": name, **fields})


def _late_result(source_name: str, task: asyncio.Task[list[SourceOutcome]]) -> None:
    if task.cancelled():
        return
    if task.exception() is not None:
        log.warning("%s: abandoned collection failed: %s", source_name, task.exception())
    else:
        log.info("%s: abandoned collection ended late", source_name, extra={"event": "late_collection"})


async def collect_job(rt: Runtime, ctx: JobContext, source_name: str) -> str:
    """Collect one source (the collectors' ``collect``, under a timeout).

    Raises:
        SourceError: the source failed or did not answer in time (its state
            records the failure; nothing it sent before is lost).
    """
    previous = ctx.hung.pop(source_name, None)
    if previous is not None and not previous.done():
        ctx.hung[source_name] = previous
        error = "the previous collection is still hanging"
        async with rt.db.begin() as conn:
            await record_source_result(conn, source_name, rt.now(), error=error)
        raise SourceError(f"{source_name}: {error}")
    _step("collect", source=source_name)
    # The HTTP retries' back-off keeps scheduled time, like delivery's: under
    # TBTWARN_TIME_SCALE a retry waits as many cycles as in production.
    task = asyncio.create_task(collect(rt, [source_name], sleep=ctx.sleep), name=f"collect:{source_name}")
    try:
        outcomes = await asyncio.wait_for(asyncio.shield(task), ctx.collect_timeout)
    except TimeoutError:
        ctx.hung[source_name] = task
        task.add_done_callback(lambda t: _late_result(source_name, t))
        error = f"no answer in {ctx.collect_timeout:g} s"
        async with rt.db.begin() as conn:
            await record_source_result(conn, source_name, rt.now(), error=error)
        raise SourceError(f"{source_name}: {error}") from None
    failed = [o.error for o in outcomes if o.error]
    if failed:
        raise SourceError("; ".join(f"{source_name}: {e}" for e in failed))
    return "; ".join(o.line() for o in outcomes)


async def process_job(rt: Runtime, ctx: JobContext) -> str:
    """Classify what is new or changed, record the alerts it raises with their
    warning levels and reasons (``create_alerts`` computes both), then
    translate what is new (an engine that fails only leaves text untranslated
    until a later run: it never fails the job)."""
    _step("classify")
    classified = await classify_pending(rt, stopping=ctx.stopping)
    if classified.stopped:
        # The alerts and translations follow from a whole classification:
        # the next run (after the restart) does all three.
        return f"classified {classified.classified}; stopped with the rest for the next run"
    _step("alert")
    pairs = await create_alerts(rt)
    _step("translate")
    translated = await translate_pending(rt)
    return f"classified {classified.classified}, {pairs} matching pairs; {translated.line()}"


async def _deliver(rt: Runtime, ctx: JobContext, queued: int | None) -> str:
    async with rt.db.begin() as conn:
        # Ids only: the messages themselves can be hundreds of megabytes.
        pending = len(await pending_ids(conn))
    _step("deliver", queued=queued, pending=pending)
    # One stop-aware transport per configured connection, as ``tbtwarn send`` uses.
    transports = [
        StopAwareTransport(build_transport(rt.config, ctx.sleep), ctx.stopping)
        for _ in range(connection_count(rt.config))
    ]
    retries = 1 if ctx.mail_server_down else None
    outcome = await deliver_pending(rt, transports, sleep=ctx.sleep, retries=retries)
    # Messages left waiting on an unreachable server (not a stop, which ends the run).
    ctx.mail_server_down = outcome.deferred > 0 and not ctx.stopping.is_set()
    if outcome.failed or outcome.deferred:
        # Temporary failures (and what an unreachable server or folder left
        # waiting) stay pending in the outbox and are retried next run.
        log.warning(
            "%d deliveries failed, %d deferred: %s",
            outcome.failed,
            outcome.deferred,
            "; ".join(outcome.errors[:3]),
            extra={"event": "delivery_failed", "failed": outcome.failed, "deferred": outcome.deferred},
        )
    sent = f"{outcome.sent} sent, {outcome.failed} failed, {outcome.deferred} deferred"
    return sent if queued is None else f"{queued} queued, {sent}"


async def dispatch_job(rt: Runtime, ctx: JobContext) -> str:
    """Send what is due now: red alerts for ``immediate`` contacts, and the
    outbox backlog (retries, digests queued by other jobs or commands)."""
    _step("compose")
    queued = await compose_digests(rt, ("immediate",))
    return await _deliver(rt, ctx, queued)


async def deliver_job(rt: Runtime, ctx: JobContext) -> str:
    """Delivery of what the outbox holds: the follow-up of the scheduled
    composing jobs below, which the daemon records as run once their emails
    are composed (a kill while sending is the outbox's to recover; a kill
    while composing leaves the run to be made up)."""
    return await _deliver(rt, ctx, None)


async def daily_digest_job(rt: Runtime, ctx: JobContext) -> str:
    """The daily digests of the ``daily`` contacts (delivery follows: :func:`deliver_job`)."""
    _step("compose")
    return f"{await compose_digests(rt, ('daily',))} queued"


async def weekly_digest_job(rt: Runtime, ctx: JobContext) -> str:
    """The officials' digest of the week just ended and, unless officials must
    approve it first (``[digest] review_required``), the exporters' weekly digests."""
    week = iso_week(rt.today() - dt.timedelta(days=7))
    _step("compose", week=week)
    queued = await compose_officials_digest(rt, week)
    if not rt.config.digest.review_required:
        queued += await compose_weekly_digests(rt)
    # With a review, `digest approve` (CLI or web) queues the exporters' digests.
    return f"{queued} queued"


async def monthly_report_job(rt: Runtime, ctx: JobContext) -> str:
    """The officials' report of the month just ended (issue 18)."""
    month = previous_month(rt.today())
    _step("compose", month=month)
    return f"{await compose_monthly_report(rt, month)} queued"


async def response_reminders_job(rt: Runtime, ctx: JobContext) -> str:
    """Reminders of response deadlines (10, 5 and 2 days before the enquiry-point
    date; issue 19), each once (delivery follows)."""
    _step("compose")
    return f"{await compose_reminders(rt)} queued"
