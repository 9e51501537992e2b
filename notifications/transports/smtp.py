"""The ``smtp`` transport: aiosmtplib over one reused connection.

Each message is one SMTP transaction (MAIL, RCPT, DATA) on a connection kept
open for the whole run and reopened when it breaks. Replies are classified:
5xx is permanent for that message, 4xx and connection errors are temporary.
A break during DATA leaves the outcome unknown (``DeliveryUncertain``); the
optional ``received_log`` (the receiving server's log of accepted
Message-IDs) settles it.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable
from email.utils import parseaddr
from pathlib import Path

import aiosmtplib
from aiosmtplib.email import quote_address

from warning.config import SmtpConfig
from warning.exceptions import ConfigError, DeliveryError, DeliveryUncertain, TransportUnavailable
from warning.storage.outbox import OutboxMessage

Sleep = Callable[[float], Awaitable[None]]
_CONNECTION_ERRORS = (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError)
#: A bare ASCII address (no display name, comment or quoting): its SMTP path is ``<address>``.
_BARE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def _path(address: str) -> bytes:
    """The SMTP path ``<address>``; aiosmtplib's parser only for addresses that are not bare."""
    if _BARE_ADDRESS.fullmatch(address):
        return f"<{address}>".encode()
    return quote_address(address).encode()


def _password(config: SmtpConfig) -> str | None:
    if not config.password_env:
        return None
    value = os.environ.get(config.password_env)
    if value is None:
        raise ConfigError(f"smtp.password_env: environment variable {config.password_env} is not set")
    return value


async def _greet(client: aiosmtplib.SMTP) -> None:
    """EHLO (HELO if refused) once per connection, as ``client.mail`` would before MAIL."""
    if client.is_ehlo_or_helo_needed:
        try:
            await client.ehlo()
        except aiosmtplib.SMTPHeloError:
            await client.helo()


class SmtpTransport:
    """Sends through the ``[smtp]`` relay, paced to ``rate_per_second``."""

    def __init__(self, config: SmtpConfig, default_sender: str, sleep: Sleep = asyncio.sleep) -> None:
        self.config = config
        self.envelope_sender = config.sender or parseaddr(default_sender)[1]
        self._mail_from = b"FROM:" + _path(self.envelope_sender)
        self.sleep = sleep
        self._password = _password(config)
        self._client: aiosmtplib.SMTP | None = None
        self._last_send: float | None = None

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        c = self.config
        client = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            use_tls=c.security == "tls",
            start_tls=c.security == "starttls",
            username=c.username,
            password=self._password,
            timeout=c.timeout_seconds,
            cert_bundle=str(c.ca_file) if c.ca_file else None,
            # The sender's domain: avoids a reverse-DNS look-up for EHLO.
            local_hostname=self.envelope_sender.rpartition("@")[2] or "localhost",
        )
        try:
            await client.connect()
            await _greet(client)
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise TransportUnavailable(
                f"SMTP login refused: {exc.code} {exc.message}", permanent=True
            ) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransportUnavailable(f"cannot connect to {c.host}:{c.port}: {exc}") from None
        self._client = client
        return client

    async def _pace(self) -> None:
        if self.config.rate_per_second <= 0:
            return
        loop = asyncio.get_running_loop()
        if self._last_send is not None:
            wait = self._last_send + 1 / self.config.rate_per_second - loop.time()
            if wait > 0:
                await self.sleep(wait)
        self._last_send = loop.time()

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None

    async def _reset(self, client: aiosmtplib.SMTP) -> None:
        # A refused transaction must be reset before the next MAIL FROM.
        try:
            await client.rset()
        except (aiosmtplib.SMTPException, OSError):
            self._drop()

    async def deliver(self, message: OutboxMessage) -> None:
        await self._pace()
        client = await self._connection()
        try:
            await self._envelope(client, message.recipient)
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset(client)
            if exc.code == 421:
                self._drop()
            raise DeliveryError(f"{exc.code} {exc.message}", permanent=exc.code >= 500) from None
        except _CONNECTION_ERRORS as exc:
            self._drop()
            raise DeliveryError(f"connection lost: {exc}") from None
        try:
            await client.data(message.message)
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset(client)
            raise DeliveryError(f"{exc.code} {exc.message}", permanent=exc.code >= 500) from None
        except _CONNECTION_ERRORS as exc:
            self._drop()
            raise DeliveryUncertain(f"connection lost during DATA: {exc}") from None

    async def _envelope(self, client: aiosmtplib.SMTP, recipient: str) -> None:
        """MAIL and RCPT, as ``client.mail`` and ``client.rcpt`` send them, without parsing
        the same sender again for every message (a tenth of the sender's time per message).

        Raises:
            aiosmtplib.SMTPResponseException: the server refused the sender or the recipient.
        """
        response = await client.execute_command(b"MAIL", self._mail_from)
        if response.code != 250:
            raise aiosmtplib.SMTPSenderRefused(response.code, response.message, self.envelope_sender)
        response = await client.execute_command(b"RCPT", b"TO:" + _path(recipient))
        if response.code not in (250, 251):
            raise aiosmtplib.SMTPRecipientRefused(response.code, response.message, recipient)

    async def was_delivered(self, message: OutboxMessage) -> bool | None:
        log = self.config.received_log
        if log is None or not message.message_id:
            return None
        return await asyncio.to_thread(_logged, log, message.message_id)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def _logged(log: Path, message_id: str) -> bool:
    """Whether the receiving server's log names the Message-ID as accepted."""
    try:
        with open(log, encoding="utf-8", errors="replace") as fh:
            return any(f"message-id={message_id}" in line for line in fh)
    except FileNotFoundError:
        return False
