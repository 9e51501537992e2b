"""A stop during classification ends it after the batch in hand: what was
classified is kept (each batch commits), the rest waits for the next run,
and the daemon's process job does not alert on a half-done classification."""

from __future__ import annotations

import asyncio

import pytest

import warning.classify
from warning.classify import classify_pending
from warning.collect import collect
from warning.runtime import Runtime
from warning.service.jobs import JobContext, process_job
from warning.storage.notifications import load_notifications, needs_classification


async def _pending(rt: Runtime) -> int:
    async with rt.db.begin() as conn:
        return len(await load_notifications(conn, needs_classification()))


async def test_a_stop_keeps_the_batches_done_and_leaves_the_rest(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warning.classify, "BATCH", 5)
    await collect(runtime)
    total = await _pending(runtime)
    assert total > 10
    stopping = asyncio.Event()

    def stop_after_first(done: int, _total: int) -> None:
        stopping.set()

    outcome = await classify_pending(runtime, progress=stop_after_first, stopping=stopping)
    assert outcome.stopped and outcome.classified == 5
    assert await _pending(runtime) == total - 5  # the first batch is committed

    rest = await classify_pending(runtime)  # the next run: the rest, nothing twice
    assert not rest.stopped and rest.classified == total - 5
    assert await _pending(runtime) == 0


async def test_the_process_job_stops_before_alerting(runtime: Runtime) -> None:
    await collect(runtime)
    total = await _pending(runtime)
    ctx = JobContext()
    ctx.stopping.set()
    line = await process_job(runtime, ctx)
    assert "stopped" in line
    assert await _pending(runtime) == total

    line = await process_job(runtime, JobContext())
    assert "stopped" not in line and await _pending(runtime) == 0
