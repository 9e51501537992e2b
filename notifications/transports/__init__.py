"""Delivery transports, registered by the ``transport`` key of ``[delivery]``."""

from __future__ import annotations

from typing import Protocol

from warning.storage.outbox import OutboxMessage


class Transport(Protocol):
    """Delivers one stored message.

    Raises:
        DeliveryError: with ``permanent`` telling whether a retry can help.
    """

    async def deliver(self, message: OutboxMessage) -> None: ...

    async def close(self) -> None: ...
