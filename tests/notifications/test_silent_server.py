"""A mail server that accepts connections but never answers: the first delivery
run tries ``[smtp] retries`` times per connection and leaves the mail pending;
while the server stays so, later runs try each connection once (the job lock is
held one timeout a cycle, not retries x timeout); when a real server answers
again, everything goes, once."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from notifications.compose import compose_digests
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import MailServer, Recorder, free_port, notification, seed, smtp_config
from warning.service.jobs import JobContext, dispatch_job
from warning.storage.schema import outbox


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)

    async def __aenter__(self) -> SilentServer:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()


async def _statuses(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with rt.db.begin() as conn:
        rows = await conn.execute(sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status))
        return {status: count for status, count in rows}


async def test_a_silent_server_is_tried_once_a_run_until_it_answers(make_runtime: MakeRuntime) -> None:
    port = free_port()
    extra = "timeout_seconds = 0.2\nretries = 3\n"
    rt = await make_runtime("smtp", smtp_config(port, extra=extra, connections=2))
    await seed(rt, [(notification("G/TBT/N/USA/7"), "yellow")])
    assert await compose_digests(rt) == 3
    ctx = JobContext(time_scale=0)  # back-off waits take no time

    async with SilentServer(port) as silent:
        assert "0 sent, 0 failed, 3 deferred" in await dispatch_job(rt, ctx)
        assert silent.connections == 2 * 3  # each connection, [smtp] retries times
        assert ctx.mail_server_down
        for run in (1, 2):
            assert "0 sent, 0 failed, 3 deferred" in await dispatch_job(rt, ctx)
            assert silent.connections == 2 * 3 + 2 * run  # once per connection a run
    assert await _statuses(rt) == {"pending": 3}

    recorder = Recorder()
    with MailServer(recorder, port):
        assert "3 sent, 0 failed, 0 deferred" in await dispatch_job(rt, ctx)
        assert recorder.wait_for(3)
    assert not ctx.mail_server_down
    assert await _statuses(rt) == {"sent": 3}
    assert sorted(recorder.per_recipient().values()) == [1, 1, 1]
