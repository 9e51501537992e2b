"""Delivering the outbox through the configured transport, exactly once.

Each message is claimed (``sending``, with a lease) in a committed
transaction before the transport sees it, and marked ``sent`` right after.
A crash between the two leaves a ``sending`` message whose lease lapses;
the next run settles it before sending anything else:

- the transport can tell (an .eml file exists; the SMTP server's
  ``received_log`` names the stable Message-ID): sent, or sent again if not;
- it cannot: ``[smtp] on_uncertain`` decides, ``resend`` (at least once;
  receivers can drop a copy by Message-ID) or ``hold`` (at most once; the
  message waits as ``uncertain`` for a person).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

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
    mark_failed,
    mark_sent,
    mark_sent_many,
    mark_uncertain,
    pending_ids,
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
    """Settle messages left ``sending`` by a run that died; returns how many."""
    async with rt.db.begin() as conn:
        lapsed = await lapsed_claims(conn, rt.now())
    for message in lapsed:
        await _settle(rt, transport, message, "claimed by a run that stopped")
    return len(lapsed)


@dataclass(frozen=True)
class _Result:
    #: ``sent``, ``failed`` (permanent), ``later`` (temporary, stays pending) or ``held``.
    status: str
    error: str = ""


async def _attempt(rt: Runtime, transport: Transport, message: OutboxMessage, sleep: Sleep) -> _Result:
    """Try one claimed message, retrying temporary failures with back-off.

    Raises:
        TransportUnavailable: the server stayed unreachable through every retry.
    """
    smtp = rt.config.smtp
    error = "not attempted"
    for attempt in range(smtp.retries):
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
            if exc.permanent or attempt == smtp.retries - 1:
                raise
            error = str(exc)
        except DeliveryError as exc:
            if exc.permanent:
                return _Result("failed", str(exc))
            error = str(exc)
    return _Result("later", error)


def _lease(rt: Runtime) -> dt.datetime:
    return rt.now() + dt.timedelta(seconds=rt.config.smtp.lease_seconds)


async def _send_batch(
    rt: Runtime, transports: list[Transport], batch: list[OutboxMessage], sleep: Sleep
) -> tuple[list[tuple[OutboxMessage, _Result]], str | None]:
    """Send claimed messages over the connections side by side.

    Returns each message's result and, if the server became unreachable, why
    (messages not yet tried then stay pending).
    """
    queue: asyncio.Queue[OutboxMessage] = asyncio.Queue()
    for message in batch:
        queue.put_nowait(message)
    results: list[tuple[OutboxMessage, _Result]] = []
    unavailable: list[str] = []

    async def worker(transport: Transport) -> None:
        while not queue.empty():
            message = queue.get_nowait()
            if unavailable:
                results.append((message, _Result("later", unavailable[0])))
                continue
            try:
                results.append((message, await _attempt(rt, transport, message, sleep)))
            except TransportUnavailable as exc:
                unavailable.append(str(exc))
                results.append((message, _Result("later", str(exc))))

    await asyncio.gather(*(worker(t) for t in transports[: len(batch)]))
    return results, (unavailable[0] if unavailable else None)


async def _record(rt: Runtime, results: list[tuple[OutboxMessage, _Result]]) -> None:
    async with rt.db.begin() as conn:
        await mark_sent_many(conn, [m.id for m, r in results if r.status == "sent"], rt.now())
        for message, result in results:
            if result.status in ("failed", "later"):
                await mark_failed(conn, message.id, result.error, permanent=result.status == "failed")
            # "held": already marked uncertain by _settle.


async def deliver_pending(
    rt: Runtime, transport: Transport | None = None, *, sleep: Sleep = asyncio.sleep
) -> DeliveryOutcome:
    """Deliver every pending message; one failing recipient never stops the others.

    Messages are claimed ``[smtp] batch_size`` at a time and sent over
    ``[smtp] connections`` connections (one given ``transport`` if passed). A
    server that stays unreachable through the retries stops the run; what is
    left stays pending for the next one.
    """
    count = rt.config.smtp.connections if rt.config.delivery.transport == "smtp" else 1
    transports = [transport] if transport else [build_transport(rt.config, sleep) for _ in range(count)]
    sent = failed = deferred = 0
    errors: list[str] = []
    try:
        settled = await settle_lapsed(rt, transports[0])
        async with rt.db.begin() as conn:
            ids = await pending_ids(conn)
        size = rt.config.smtp.batch_size
        for start in range(0, len(ids), size):
            async with rt.db.begin() as conn:
                claimed = await claim_many(conn, ids[start : start + size], _lease(rt))
            results, unavailable = await _send_batch(rt, transports, claimed, sleep)
            await _record(rt, results)
            for message, result in results:
                if result.status == "sent":
                    sent += 1
                elif result.status != "later" or not unavailable:
                    failed += 1
                    errors.append(f"{message.recipient}: {result.error}")
            if unavailable:
                not_claimed = max(0, len(ids) - start - size)
                deferred = sum(r.status == "later" for _, r in results) + not_claimed
                errors.append(f"{unavailable}; {deferred} messages left pending")
                break
    finally:
        for t in transports:
            await t.close()
    return DeliveryOutcome(sent, failed, tuple(errors), deferred, settled)
