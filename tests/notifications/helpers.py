"""Shared by the notifications tests: a real aiosmtpd server on 127.0.0.1 that
records what arrives, and a small world of exporters, notifications and alerts."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from warning.runtime import Runtime
from warning.storage.alerts import add_alert
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.notifications import upsert_notification
from warning.storage.schema import alerts
from warning.storage.subscriptions import sync_from_register
from warning.symbols import parse_symbols
from warning.types import Exporter, Notification, ProductMatch

HOSTILE_TITLE = "<script>alert('x')</script> Toys & cosmetics"
HOSTILE_PRODUCTS = '<img src=x onerror="alert(1)">Lipstick'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it accepts and can misbehave on purpose."""

    #: Recipients refused with a 550 at RCPT.
    refuse: set[str] = field(default_factory=set)
    #: Answer 451 (temporary) at RCPT this many times for these recipients.
    defer: Counter[str] = field(default_factory=Counter)
    #: 1-based DATA numbers at which the server drops the connection, and whether it
    #: stores the message first (then the client cannot know it arrived).
    drop_at: dict[int, bool] = field(default_factory=dict)
    #: The receiving server's log of accepted Message-IDs (like Postfix's).
    log: Path | None = None
    #: After storing DATA number ``hold_at``, set ``held`` and wait for ``release``.
    hold_at: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    messages: list[tuple[str, bytes]] = field(default_factory=list)
    #: The client address (host, port) of each accepted DATA: one port per connection.
    peers: list[tuple[str, int]] = field(default_factory=list)
    data_count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if self.defer[address] > 0:
            self.defer[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_count += 1
            number = self.data_count
        store_then_drop = self.drop_at.get(number)
        if store_then_drop is False:
            server.transport.close()
            return "421 closing"
        for rcpt in envelope.rcpt_tos:
            self._store(rcpt, envelope.content)
        with self.lock:
            self.peers.append(session.peer)
        if store_then_drop:
            server.transport.close()
            return "421 closing"
        if number == self.hold_at:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return "250 OK: queued"

    def _store(self, rcpt: str, content: bytes) -> None:
        with self.arrived:
            self.messages.append((rcpt, content))
            if self.log is not None:
                with open(self.log, "a", encoding="utf-8") as fh:
                    fh.write(f"cleanup: message-id={parse(content)['Message-ID']}\n")
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 20) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)

    def per_recipient(self) -> Counter[str]:
        return Counter(r for r, _ in self.messages)

    def for_recipient(self, rcpt: str) -> list[EmailMessage]:
        return [parse(d) for r, d in self.messages if r == rcpt]


class MailServer:
    """A real aiosmtpd SMTP server on 127.0.0.1, started and stopped by the test."""

    def __init__(self, handler: Recorder, port: int | None = None) -> None:
        self.handler = handler
        self.port = port or free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def smtp_config(port: int, log: Path | None = None, extra: str = "", connections: int = 2) -> str:
    """The ``[smtp]`` section for a test server; no pacing, two connections side by side."""
    text = (
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nrate_per_second = 0\nbackoff_seconds = 1\n'
        f"connections = {connections}\n"
    )
    if log is not None:
        text += f'received_log = "{log}"\n'
    return text + extra


def notification(symbol: str, **changes: Any) -> Notification:
    parsed = parse_symbols([symbol])
    base = Notification(
        key=parsed[0].text,
        symbols=parsed,
        area="TBT",
        member_codes=(parsed[0].member or "",),
        member_name="",
        notification_type="Regular notification",
        title=f"Measure {symbol}",
        products="Cosmetics",
        comment_deadline=dt.date(2026, 12, 24),
        hs_codes=("330499",),
        links=("https://docs.wto.org/doc/1.pdf",),
        source_name="test",
        source_id=symbol,
    )
    return replace(base, **changes)


EXPORTERS = (
    Exporter("济南鲁缘化妆品有限公司", ("zh@luyuan.example.com",), "zh", ("3304",), ("KEN", "EU", "USA")),
    Exporter(
        "Qilu Toys Co.", ("en@qilu.example.com", "boss@qilu.example.com"), "en", ("3304", "9503"), ("*",)
    ),
)


async def seed(
    rt: Runtime,
    notes: list[tuple[Notification, str | None]],
    exporters: tuple[Exporter, ...] = EXPORTERS,
) -> dict[str, int]:
    """Store exporters, notifications and an alert per (notification, exporter) with
    the given level (as issue 5 will compute it); returns notification ids by key."""
    ids: dict[str, int] = {}
    async with rt.db.begin() as conn:
        for exporter in exporters:
            await save_exporter(conn, exporter, rt.now())
        stored = await load_exporters(conn)
        await sync_from_register(conn, stored, rt.now())
        for n, level in notes:
            nid, _ = await upsert_notification(conn, n, rt.now())
            ids[n.key] = nid
            match = ProductMatch(n.hs_codes[0], 6, 0.9, "test", "test")
            for exporter_id, _ in stored:
                await add_alert(conn, nid, exporter_id, [match], rt.now())
            if level is not None:
                await conn.execute(
                    sa.update(alerts)
                    .where(alerts.c.notification_id == nid)
                    .values(
                        level=level,
                        reasons=[{"code": "urgency", "en": "Deadline is near", "zh": "评议期即将截止"}],
                    )
                )
    return ids
