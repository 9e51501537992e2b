"""Delivery transports, registered by the ``transport`` key of ``[delivery]``
(``notifications.deliver.TRANSPORTS``)."""

from __future__ import annotations

from typing import Protocol

from warning.storage.outbox import OutboxMessage


class Transport(Protocol):
    """Delivers stored messages, one at a time, reusing what it can between them."""

    async def deliver(self, message: OutboxMessage) -> None:
        """Hand one message over.

        Raises:
            DeliveryError: ``permanent`` tells whether a retry can help;
                ``TransportUnavailable`` when the server cannot be reached;
                ``DeliveryUncertain`` when it may or may not have arrived.
        """

    async def was_delivered(self, message: OutboxMessage) -> bool | None:
        """Whether a message whose outcome is unknown arrived; ``None``: cannot tell."""

    async def close(self) -> None: ...
