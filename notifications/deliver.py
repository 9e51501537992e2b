"""Delivering the outbox through the configured transport."""

from __future__ import annotations

from dataclasses import dataclass

from notifications.transports import Transport
from notifications.transports.eml_dir import EmlDirectoryTransport
from warning.config import DeliveryConfig
from warning.exceptions import DeliveryError
from warning.runtime import Runtime
from warning.storage.outbox import list_messages, mark_failed, mark_sent


def build_transport(config: DeliveryConfig) -> Transport:
    """The transport named by ``[delivery] transport``."""
    return EmlDirectoryTransport(config.outbox_dir)


@dataclass(frozen=True)
class DeliveryOutcome:
    sent: int
    failed: int
    errors: tuple[str, ...]


async def deliver_pending(rt: Runtime, transport: Transport | None = None) -> DeliveryOutcome:
    """Deliver every pending message; one failing recipient never stops the others."""
    transport = transport or build_transport(rt.config.delivery)
    sent = failed = 0
    errors: list[str] = []
    async with rt.db.begin() as conn:
        pending = await list_messages(conn, "pending")
    try:
        for message in pending:
            try:
                await transport.deliver(message)
            except DeliveryError as exc:
                failed += 1
                errors.append(f"{message.recipient}: {exc}")
                async with rt.db.begin() as conn:
                    await mark_failed(conn, message.id, str(exc), permanent=exc.permanent)
                continue
            async with rt.db.begin() as conn:
                await mark_sent(conn, message.id, rt.now())
            sent += 1
    finally:
        await transport.close()
    return DeliveryOutcome(sent, failed, tuple(errors))
