"""Real servers on 127.0.0.1 for the running daemon to talk to.

:class:`FeedServer` is an aiohttp server in a thread of its own (with its
own event loop), so the suite's synchronous tests can drive it while a
``tbtwarn run`` subprocess polls it. Each path is a :class:`Route` that
decides its answer per request and counts what it served; the payloads are
real ePing JSON pages and RSS 2.0 feeds built from the sample's records.
:class:`MailServer` is aiosmtpd that can go down and come back on the same port;
:class:`DurableSink` logs each accepted Message-ID durably and can kill the sender.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import os
import signal
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape

from aiohttp import web
from aiosmtpd.controller import Controller

Served = tuple[int, bytes, str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def eping_item(record: dict[str, Any]) -> dict[str, Any]:
    """A sample record as the ePing search API returns it (``shared/data/eping/FIELDS.md``)."""
    return {
        "id": record["record_id"],
        "area": record["area"],
        "notificationType": "Regular notification",
        "documentSymbol": ", ".join(record["symbols"]),
        "notifyingMember": record["notifying_member"],
        "distributionDate": _iso(record.get("distribution_date")),
        "commentDeadlineDate": _iso(record.get("comment_deadline")),
        "titlePlain": record.get("title") or "",
        "descriptionPlain": record.get("description") or "",
        "productsFreeTextPlain": record.get("products") or "",
        "hsCodes": [{"code": c, "name": c} for c in record.get("hs_codes") or []],
        "objectives": [{"name": o} for o in record.get("objectives") or []],
        "linkToNotification": f"https://eping.wto.org/en/Search?viewData={record['record_id']}",
    }


def _iso(day: str | None) -> str | None:
    return f"{day}T00:00:00+00:00" if day else None


def _rfc822(day: str) -> str:
    return email.utils.format_datetime(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC))


def rss_feed(records: list[dict[str, Any]]) -> bytes:
    """An RSS 2.0 feed (as WTO Documents Online publishes) with one item per record."""
    items = []
    for r in records:
        symbol = r["symbols"][0]
        title = r.get("title") or (r.get("description") or "")[:120]
        items.append(
            "<item>"
            f"<title>{escape(symbol)}: {escape(title)}</title>"
            f"<link>https://docs.wto.org/dol2fe/Pages/FE_Search/FE_S_S006.aspx?q={escape(symbol)}</link>"
            f"<guid>{escape(symbol)}</guid>"
            f"<description>{escape(r.get('description') or '')} {escape(r.get('products') or '')}"
            "</description>"
            + (f"<pubDate>{_rfc822(r['distribution_date'])}</pubDate>" if r.get("distribution_date") else "")
            + "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>WTO TBT/SPS notifications</title><link>https://docs.wto.org/</link>"
        "<description>New notifications</description>" + "".join(items) + "</channel></rss>"
    ).encode()


class Route(Protocol):
    #: Requests seen, and answers given by status.
    requests: int
    statuses: Counter[int]

    async def answer(self, request: web.Request, release: asyncio.Event) -> web.StreamResponse: ...


@dataclass
class EpingPages:
    """The ePing search API over ``records`` (the test may append more),
    paged as asked (``page``, ``pageSize``)."""

    records: list[dict[str, Any]]
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    async def answer(self, request: web.Request, release: asyncio.Event) -> web.StreamResponse:
        self.requests += 1
        self.statuses[200] += 1
        size = int(request.query.get("pageSize", "100"))
        page = int(request.query.get("page", "1"))
        items = [eping_item(r) for r in self.records[(page - 1) * size : page * size]]
        body = json.dumps({"items": items, "totalCount": len(self.records)}, ensure_ascii=False)
        return web.Response(body=body.encode(), content_type="application/json")


@dataclass
class Flapping:
    """A feed that answers 503 except every ``period``-th request; each time
    it is up it shows ``step`` more of ``records`` (as items appear while a
    site is down), until all are shown."""

    records: list[dict[str, Any]]
    period: int = 3
    step: int = 6
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    #: How many records the last 200 showed.
    shown: int = 0

    async def answer(self, request: web.Request, release: asyncio.Event) -> web.StreamResponse:
        self.requests += 1
        if self.requests % self.period:
            self.statuses[503] += 1
            return web.Response(status=503, text="Service Unavailable")
        self.statuses[200] += 1
        self.shown = min(len(self.records), self.shown + self.step)
        return web.Response(body=rss_feed(self.records[: self.shown]), content_type="application/rss+xml")


@dataclass
class Rotating:
    """Answers 200 with each of ``replies`` (body, content type) in turn, round and round."""

    replies: list[tuple[bytes, str]]
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    async def answer(self, request: web.Request, release: asyncio.Event) -> web.StreamResponse:
        body, content_type = self.replies[self.requests % len(self.replies)]
        self.requests += 1
        self.statuses[200] += 1
        return web.Response(body=body, headers={"Content-Type": content_type})


@dataclass
class Hanging:
    """Accepts every request and never finishes it: every other time it
    says nothing at all, else it sends the headers and half a feed, then
    stalls (slower than any timeout). Released when the server stops."""

    body: bytes
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    async def answer(self, request: web.Request, release: asyncio.Event) -> web.StreamResponse:
        self.requests += 1
        if self.requests % 2:
            await release.wait()
            return web.Response(status=503)
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.content_length = len(self.body)
        await response.prepare(request)
        await response.write(self.body[: len(self.body) // 2])
        await release.wait()
        return response


class FeedServer:
    """An aiohttp server on 127.0.0.1 serving ``routes`` (path -> route)."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="feed-server", daemon=True)
        self.base = ""
        self._runner: web.AppRunner | None = None
        self._release: asyncio.Event | None = None

    def url(self, path: str) -> str:
        return self.base + path

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="no such feed")
        assert self._release is not None
        return await route.answer(request, self._release)

    async def _start(self) -> None:
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def _stop(self) -> None:
        assert self._release is not None and self._runner is not None
        self._release.set()
        await self._runner.cleanup()

    def __enter__(self) -> FeedServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping every message it accepts, per recipient."""

    received: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.extend((rcpt, envelope.content) for rcpt in envelope.rcpt_tos)
        return "250 OK: queued"

    def messages(self) -> list[tuple[str, bytes]]:
        with self.lock:
            return list(self.received)

    def message_ids(self) -> Counter[tuple[str, str]]:
        """(recipient, Message-ID) -> how many times it arrived."""
        return Counter(
            (rcpt, str(message_from_bytes(data, policy=policy.default)["Message-ID"]))
            for rcpt, data in self.messages()
        )


class MailServer:
    """aiosmtpd on 127.0.0.1 at a fixed port: ``down()`` closes it (connections
    are refused), ``up()`` opens it again on the same port."""

    def __init__(self, mailbox: Mailbox | DurableSink) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller: Controller | None = None

    def up(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> MailServer:
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()


@dataclass
class DurableSink:
    """An aiosmtpd handler that appends each accepted message's Message-ID to
    ``log`` (``message-id=<...>``, the lines ``[smtp] received_log`` reads) and
    fsyncs it before answering 250, as a relay that has queued a message does.

    ``kill_at`` SIGKILLs ``victim``: ``("DATA", n)`` once the n-th message is
    stored and logged, before its 250 (the server has it, the sender cannot
    know); ``("MAIL", n)`` at the first MAIL FROM once it holds n messages
    (between two messages of a connection)."""

    log: Path
    accepted: list[str] = field(default_factory=list)
    kill_at: tuple[str, int] | None = None
    victim: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _kill(self, stage: str) -> None:
        with self.lock:
            # At least: another connection's message may be stored between two MAILs.
            due = (
                self.kill_at is not None
                and self.kill_at[0] == stage
                and len(self.accepted) >= self.kill_at[1]
            )
            if due and self.victim is not None:
                os.kill(self.victim, signal.SIGKILL)
                self.kill_at = None

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self._kill("MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    def _store(self, message_id: str) -> None:
        # In the server's loop on purpose: no 250 before the line is on disk.
        with self.lock, open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"sink: message-id={message_id}\n")
            fh.flush()
            os.fsync(fh.fileno())
            self.accepted.append(message_id)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._store(str(message_from_bytes(envelope.content, policy=policy.default)["Message-ID"]))
        self._kill("DATA")
        return "250 OK: queued"

    def arrived(self) -> Counter[str]:
        with self.lock:
            return Counter(self.accepted)
