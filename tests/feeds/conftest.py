"""A real HTTP server on 127.0.0.1 replaying scripted responses, for collector tests.

``replay.add(path, Reply(...), Reply(...))`` serves the replies in order (the
last one repeats). A ``hang`` reply never answers until the test ends (the
client's timeout fires); a ``stream`` reply sends that many bytes in chunks
and counts what it managed to send before the client hung up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    #: Never answer (until the test ends).
    hang: bool = False
    #: Stream this many bytes (chunked, no Content-Length) instead of ``body``.
    stream: int = 0


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    query_all: list[tuple[str, str]]
    headers: dict[str, str]


class Replay:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self.streamed = 0
        self.release = asyncio.Event()
        self.base = ""

    def add(self, path: str, *replies: Reply | dict[str, object]) -> str:
        """Script ``path`` (replies as :class:`Reply` or its keyword arguments); returns its URL."""
        self.routes[path] = [r if isinstance(r, Reply) else Reply(**r) for r in replies]  # type: ignore[arg-type]
        return self.base + path

    def data(self, name: str) -> bytes:
        """A recorded payload; ``{base}`` stands for this server's URL."""
        return (DATA / name).read_bytes().replace(b"{base}", self.base.encode())

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            Seen(request.path, dict(request.query), list(request.query.items()), dict(request.headers))
        )
        # A route may be scripted per page: "/search?page=2".
        paged = f"{request.path}?page={request.query['page']}" if "page" in request.query else None
        queue = self.routes.get(paged or "") or self.routes.get(request.path)
        if not queue:
            return web.Response(status=404, text="not scripted")
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply.hang:
            await self.release.wait()
            return web.Response(status=204)
        if reply.stream:
            return await self._stream(request, reply)
        return web.Response(
            status=reply.status,
            body=reply.body,
            headers={"Content-Type": reply.content_type, **reply.headers},
        )

    async def _stream(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        response = web.StreamResponse(status=reply.status, headers={"Content-Type": reply.content_type})
        await response.prepare(request)
        chunk = b"x" * 65536
        try:
            while self.streamed < reply.stream:
                await response.write(chunk)
                self.streamed += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client cut us off: what this test wants
        return response


@pytest.fixture
async def replay() -> AsyncIterator[Replay]:
    state = Replay()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.base = str(server.make_url("")).rstrip("/")
    try:
        yield state
    finally:
        state.release.set()
        await server.close()
