"""A local SMTP sink for benchmarks: aiosmtpd on 127.0.0.1, counting and dropping
messages, with a fixed server name (no DNS look-up per connection).

    python bench/smtp_sink.py PORT [CERT KEY] [--processes N] [--stock]

With a certificate and key it requires STARTTLS, as a submission relay does.

By default the message of DATA is read in one piece (``LeanSMTP``) instead of
aiosmtpd's loop over its lines (a coroutine step, a debug-log call and checks
per line: ~0.6 ms of the sink's ~0.9 ms per 31 KB message). Every other command,
STARTTLS and the handler are aiosmtpd's. ``--stock`` serves with aiosmtpd's own
DATA for comparison. Either way every sender sees the same server.

With ``--processes N`` (N > 1) the listening socket is bound once and N
aiosmtpd processes accept from it, as a relay's pre-forked smtpd processes
do (Postfix's ``smtpd`` runs one process per client): each connection is
served by whichever process takes it first. A one-connection-at-a-time
client sees the same server either way; a client with several connections
is no longer capped by what one Python process can parse.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import ssl
import sys
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP

#: Largest message the lean DATA reads (aiosmtpd's default data_size_limit).
DATA_LIMIT = 33_554_432


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


class LeanSMTP(SMTP):
    """aiosmtpd's server with DATA read up to the ending ``CRLF.CRLF`` in one call."""

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None and self.transport is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        reader = self._reader
        # The reader's limit is one line (1001 bytes) for aiosmtpd's line loop.
        setattr(reader, "_limit", DATA_LIMIT)  # noqa: B010 (a private attribute)
        try:
            data = await reader.readuntil(b"\r\n")
            if data != b".\r\n":  # not an empty message
                data += await reader.readuntil(b"\r\n.\r\n")
        except asyncio.LimitOverrunError:
            await self.push("552 Error: Too much mail data")
            self.transport.close()  # the rest of the message cannot be skipped reliably
            return
        finally:
            setattr(reader, "_limit", self.line_length_limit)  # noqa: B010
        content = data[:-3]  # RFC 5321 4.5.2: drop the ending dot, undo dot-stuffing
        content = (content[1:] if content.startswith(b"..") else content).replace(b"\r\n..", b"\r\n.")
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)


def _tls(cert: str | None, key: str | None) -> dict[str, Any]:
    if not cert or not key:
        return {}
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return {"tls_context": context, "require_starttls": True}


async def _serve(listener: socket.socket, tls: dict[str, Any], stock: bool) -> None:
    handler = Counter()
    server_class = SMTP if stock else LeanSMTP
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: server_class(handler, hostname="sink.bench", **tls), sock=listener
    )
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("cert", nargs="?")
    parser.add_argument("key", nargs="?")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--stock", action="store_true", help="aiosmtpd's own DATA, line by line")
    args = parser.parse_args()
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP (socket.create_server's proto=0 would not), and without it Nagle's algorithm
    # with delayed ACKs adds ~40 ms per exchange.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(128)
    listener.setblocking(False)
    children = []
    for _ in range(args.processes - 1):
        pid = os.fork()
        if pid == 0:  # a child: serve until the benchmark kills the process group
            asyncio.run(_serve(listener, _tls(args.cert, args.key), args.stock))
            os._exit(0)
        children.append(pid)
    print("ready", os.getpid(), *children, flush=True)  # the pids: the benchmark reads their CPU time
    try:
        asyncio.run(_serve(listener, _tls(args.cert, args.key), args.stock))
    finally:
        for pid in children:
            os.kill(pid, 9)
        sys.exit(0)


if __name__ == "__main__":
    main()
