"""Delivering the outbox through the configured transport, exactly once.

Each message is claimed (``sending``, with a lease) in a committed
transaction before the transport sees it, and recorded ``sent`` as soon as
it is delivered, before its connection starts another message. A crash
between the two leaves a ``sending`` message; the next run settles it
before sending anything else:

- the transport can tell (an .eml file exists; the SMTP server's
  ``received_log`` names the stable Message-ID): sent, at once, lease or
  not; or sent again, once the lease lapsed, if it did not arrive;
- it cannot: once the lease lapsed, ``[smtp] on_uncertain`` decides,
  ``resend`` (at least once; receivers can drop a copy by Message-ID) or
  ``hold`` (at most once; the message waits as ``uncertain`` for a person).

So a crash of the process (SIGKILL, out of memory) loses nothing, and over
SMTP without a ``received_log`` it sends at most one message per connection
twice: the one whose 250 had arrived, or was on its way, and was not yet
recorded. With a ``received_log``, or with the .eml folder, nothing is sent
twice. (A power cut on SQLite, which syncs at checkpoints, may also undo the
last records: more copies, never a loss.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.transports import Transport
from notifications.transports.eml_dir import EmlDirectoryTransport
from notifications.transports.smtp import SmtpTransport
from warning.config import Config
from warning.exceptions import DeliveryError, DeliveryUncertain, TransportUnavailable
from warning.runtime import Runtime
from warning.storage.outbox import (
    OutboxMessage,
    claim,
    claim_many,
    lapsed_claims,
    live_claims,
    mark_failed,
    mark_sent,
    mark_sent_many,
    mark_uncertain,
    pending_ids,
    record_sent,
    requeue,
)

Sleep = Callable[[float], Awaitable[None]]
TransportFactory = Callable[[Config, Sleep], Transport]

#: Transports by the name used in ``[delivery] transport``.
TRANSPORTS: dict[str, TransportFactory] = {
    "outbox": lambda config, sleep: EmlDirectoryTransport(config.delivery.outbox_dir),
    "smtp": lambda config, sleep: SmtpTransport(config.smtp, config.delivery.sender, sleep),
}


def build_transport(config: Config, sleep: Sleep = asyncio.sleep) -> Transport:
    """The transport named by ``[delivery] transport``."""
    return TRANSPORTS[config.delivery.transport](config, sleep)


@dataclass(frozen=True)
class DeliveryOutcome:
    sent: int
    failed: int
    errors: tuple[str, ...]
    #: Messages left pending for a later run (server unreachable).
    deferred: int = 0
    #: Messages a crash left undecided that were settled at the start.
    settled: int = 0


async def _settle(rt: Runtime, transport: Transport, message: OutboxMessage, why: str) -> str:
    """Decide an undecided message: ``sent``, ``retry`` or ``held``."""
    arrived = await transport.was_delivered(message)
    async with rt.db.begin() as conn:
        if arrived:
            await mark_sent(conn, message.id, rt.now())
            return "sent"
        if arrived is None and rt.config.smtp.on_uncertain == "hold":
            await mark_uncertain(conn, message.id, f"{why}; held: delivery cannot be confirmed")
            return "held"
        await requeue(conn, message.id, why)
    return "retry"


async def settle_lapsed(rt: Runtime, transport: Transport) -> int:
    """Settle messages left ``sending`` by a run that stopped; returns how many.

    Those whose lease lapsed are decided by ``_settle``. Those still under a
    lease are marked sent when the transport proves that they arrived (their
    .eml file is there, the ``received_log`` names them): a run killed right
    after a delivery leaves such a message, and waiting out its lease gains
    nothing (a run that still holds it would mark it sent as well).
    """
    async with rt.db.begin() as conn:
        lapsed = await lapsed_claims(conn, rt.now())
        held = await live_claims(conn, rt.now())
    for message in lapsed:
        await _settle(rt, transport, message, "claimed by a run that stopped")
    arrived = [m.id for m in held if await transport.was_delivered(m) is True]
    if arrived:
        async with rt.db.begin() as conn:
            await mark_sent_many(conn, arrived, rt.now())
    return len(lapsed) + len(arrived)


@dataclass(frozen=True)
class _Result:
    #: ``sent``, ``failed`` (permanent), ``later`` (temporary, stays pending) or ``held``.
    status: str
    error: str = ""


async def _attempt(
    rt: Runtime, transport: Transport, message: OutboxMessage, sleep: Sleep, retries: int
) -> _Result:
    """Try one claimed message up to ``retries`` times, temporary failures with back-off.

    Raises:
        TransportUnavailable: the server stayed unreachable through every retry.
    """
    smtp = rt.config.smtp
    error = "not attempted"
    for attempt in range(retries):
        if attempt:
            await sleep(smtp.backoff_seconds * 2 ** (attempt - 1))
        try:
            await transport.deliver(message)
            return _Result("sent")
        except DeliveryUncertain as exc:
            error = str(exc)
            outcome = await _settle(rt, transport, message, error)
            if outcome != "retry":
                return _Result(outcome, error)
            async with rt.db.begin() as conn:  # requeued by _settle: claim it back
                if await claim(conn, message.id, _lease(rt)) is None:
                    return _Result("held", "claimed by another run")
        except TransportUnavailable as exc:
            if exc.permanent or attempt == retries - 1:
                raise
            error = str(exc)
        except DeliveryError as exc:
            if exc.permanent:
                return _Result("failed", str(exc))
            error = str(exc)
    return _Result("later", error)


def _lease(rt: Runtime) -> dt.datetime:
    return rt.now() + dt.timedelta(seconds=rt.config.smtp.lease_seconds)


class _Run:
    """One delivery run: senders take claimed messages from a queue while one
    database task at a time records what finished and claims the next batch.

    A message is claimed (committed) before its transport sees it, and a
    sender starts its next message only once the one it delivered is recorded
    ``sent`` (committed); the records of the connections that finished
    meanwhile share one transaction, and the claims are made ahead, so the
    connections seldom wait for the database. Those transactions run on one
    connection held for the run (``conn``) with a constant statement for the
    records: a record costs an execute and a commit, not a pool checkout, a
    reset and a freshly compiled UPDATE. A crash therefore leaves at most
    one delivered but unrecorded message per connection (its 250 arrived, or
    was on its way), beside claimed messages not yet tried; the next start
    settles them (see the module's docstring).
    """

    def __init__(
        self, rt: Runtime, conn: AsyncConnection, ids: list[int], sleep: Sleep, retries: int
    ) -> None:
        self.rt, self.conn, self.ids, self.sleep, self.retries = rt, conn, ids, sleep, retries
        self.size = rt.config.smtp.batch_size
        self.claimed_up_to = 0  # ids[:claimed_up_to] have been offered to claim_many
        self.queue: deque[OutboxMessage] = deque()
        self.finished: list[tuple[OutboxMessage, _Result]] = []  # not yet recorded
        self.appended = 0  # results ever put in ``finished``
        self.recorded = 0  # how many of those a committed transaction holds
        self.results: list[tuple[OutboxMessage, _Result]] = []
        self.refilling: asyncio.Task[None] | None = None
        self.unavailable: str | None = None
        #: Why the last record-and-claim transaction failed, if it did.
        self.failure: BaseException | None = None

    def _start_refill(self) -> asyncio.Task[None]:
        if self.refilling is None:
            claim = (
                not self.unavailable and self.claimed_up_to < len(self.ids) and len(self.queue) < self.size
            )
            batch = self.ids[self.claimed_up_to : self.claimed_up_to + self.size] if claim else []
            self.claimed_up_to += len(batch)
            done, self.finished = self.finished, []
            self.refilling = asyncio.create_task(self._refill(done, batch, self.appended))
            # A failure is raised to the senders through ``failure``, not the task.
            self.refilling.add_done_callback(lambda t: t.cancelled() or t.exception())
        return self.refilling

    async def _refill(self, done: list[tuple[OutboxMessage, _Result]], batch: list[int], upto: int) -> None:
        try:
            async with self.conn.begin():
                await _mark(self.conn, self.rt, done)
                claimed = await claim_many(self.conn, batch, _lease(self.rt)) if batch else []
            # Committed: only now may a sender take them, or count its result recorded.
            self.queue.extend(claimed)
            self.recorded = max(self.recorded, upto)
        except BaseException as exc:
            # Rolled back: the results are recorded by ``finish`` (or settled at
            # the next start); the senders stop at their next message.
            self.finished[:0] = done
            self.failure = exc
            raise
        finally:
            self.refilling = None

    async def _database(self) -> None:
        """Wait for a record-and-claim transaction (started if none runs).

        ``asyncio.wait``, not ``await``: a sender cancelled while waiting must
        not cancel the transaction that records the others' results.
        """
        await asyncio.wait([self._start_refill()])

    def _more_to_do(self) -> bool:
        return bool(self.finished) or (not self.unavailable and self.claimed_up_to < len(self.ids))

    async def _next(self) -> OutboxMessage | None:
        """The next claimed message, claiming more when the queue runs low; ``None``: done."""
        while not self.queue or self.unavailable or self.failure:
            if self.failure is not None:
                raise self.failure
            if self.unavailable or not (self.refilling or self._more_to_do()):
                return None
            await self._database()
        message = self.queue.popleft()
        # Claim ahead while a batch is still queued, so no connection waits.
        if len(self.queue) < self.size and self.refilling is None and self._more_to_do():
            self._start_refill()
        return message

    async def _recorded(self, upto: int) -> None:
        """Wait until the first ``upto`` results are committed."""
        while self.recorded < upto:
            if self.failure is not None:
                raise self.failure
            await self._database()

    async def worker(self, transport: Transport) -> None:
        while (message := await self._next()) is not None:
            try:
                result = await _attempt(self.rt, transport, message, self.sleep, self.retries)
            except TransportUnavailable as exc:
                self.unavailable = self.unavailable or str(exc)
                result = _Result("later", str(exc))
            self.finished.append((message, result))
            self.appended += 1
            self.results.append((_without_body(message), result))
            if result.status == "sent":
                # Recorded before this connection starts another message: a crash
                # costs at most this one message sent again.
                await self._recorded(self.appended)

    async def finish(self) -> None:
        """Record what is left: the last results, and claimed messages never tried."""
        while self.refilling is not None:
            await asyncio.wait([self.refilling])  # its failure is raised by a sender
        for message in self.queue:
            result = _Result("later", self.unavailable or "not attempted")
            self.finished.append((message, result))
            self.results.append((_without_body(message), result))
        self.queue.clear()
        if self.finished:
            async with self.conn.begin():
                await _mark(self.conn, self.rt, self.finished)
        self.finished = []


def _without_body(message: OutboxMessage) -> OutboxMessage:
    # The run keeps every result for its summary: not the bodies (a year's
    # digests held to the end of a run took gigabytes).
    return replace(message, message=b"")


async def _mark(conn: AsyncConnection, rt: Runtime, results: list[tuple[OutboxMessage, _Result]]) -> None:
    await record_sent(conn, [m.id for m, r in results if r.status == "sent"], rt.now())
    for message, result in results:
        if result.status in ("failed", "later"):
            await mark_failed(conn, message.id, result.error, permanent=result.status == "failed")
        # "held": already marked uncertain by _settle.


def connection_count(config: Config) -> int:
    """How many transports a delivery run sends over: ``[smtp] connections``
    for SMTP, one for the .eml outbox folder."""
    return config.smtp.connections if config.delivery.transport == "smtp" else 1


async def deliver_pending(
    rt: Runtime,
    transport: Transport | Sequence[Transport] | None = None,
    *,
    sleep: Sleep = asyncio.sleep,
    retries: int | None = None,
) -> DeliveryOutcome:
    """Deliver every pending message; one failing recipient never stops the others.

    Messages are claimed ``[smtp] batch_size`` at a time and sent over
    ``[smtp] connections`` connections, or over the ``transport`` (or the
    sequence of transports, one per connection) passed in. A server that stays
    unreachable through the retries (``[smtp] retries`` attempts per message,
    or ``retries``) stops the run; what is left stays pending for the next one.
    """
    if transport is None:
        transports = [build_transport(rt.config, sleep) for _ in range(connection_count(rt.config))]
    elif isinstance(transport, Sequence):
        transports = list(transport)
    else:
        transports = [transport]
    try:
        settled = await settle_lapsed(rt, transports[0])
        async with rt.db.begin() as conn:
            ids = await pending_ids(conn)
        async with rt.db.engine.connect() as held:
            run = _Run(rt, held, ids, sleep, retries or rt.config.smtp.retries)
            try:
                await _send(run, transports[: max(1, len(ids))])
            finally:
                try:
                    await run.finish()
                finally:
                    # Cancelled while a transaction runs on the held connection:
                    # it ends (commits or rolls back) before the connection closes.
                    if run.refilling is not None:
                        await asyncio.wait([run.refilling])
    finally:
        for t in transports:
            await t.close()
    return _outcome(run, len(ids), settled)


async def _send(run: _Run, transports: Sequence[Transport]) -> None:
    """Send over each of ``transports`` until the run is done."""
    workers = [asyncio.create_task(run.worker(t)) for t in transports]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        # One sender failed (or the run was cancelled): stop the others before
        # marking, so no result arrives after it. Their messages in flight stay
        # ``sending`` and are settled at the next start.
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise


def _outcome(run: _Run, pending: int, settled: int) -> DeliveryOutcome:
    sent = failed = 0
    errors: list[str] = []
    for message, result in run.results:
        if result.status == "sent":
            sent += 1
        elif result.status != "later" or not run.unavailable:
            failed += 1
            errors.append(f"{message.recipient}: {result.error}")
    deferred = 0
    if run.unavailable:
        deferred = sum(r.status == "later" for _, r in run.results) + pending - run.claimed_up_to
        errors.append(f"{run.unavailable}; {deferred} messages left pending")
    return DeliveryOutcome(sent, failed, tuple(errors), deferred, settled)
