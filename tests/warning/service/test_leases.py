"""Job leases: one holder at a time across instances on one database, lapsing
when a holder dies; the daemon runs a job once across instances. On SQLite and
(with ``TBTWARN_TEST_PG_URL``) PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from warning.clock import FixedClock
from warning.exceptions import InstanceRunning
from warning.runtime import Runtime
from warning.service.daemon import Daemon
from warning.service.health import check_health
from warning.service.instance_lock import single_instance
from warning.service.jobs import JobContext
from warning.service.leases import SHARED_STATE, LeaseKeeper, job_lease
from warning.service.scheduler import Cron, Every, JobSpec
from warning.storage.database import Database
from warning.storage.job_runs import list_job_runs, register_job
from warning.storage.lease_tables import job_leases
from warning.storage.leases import clear_leases, holder_of, list_leases, release, renew, try_acquire

DAILY = Cron("0 8 * * *", "Asia/Shanghai")


async def test_one_holder_at_a_time_until_it_lapses_or_is_released(runtime: Runtime) -> None:
    async with runtime.db.begin() as conn:
        assert await try_acquire(conn, "job:x", "a", 30)
        assert not await try_acquire(conn, "job:x", "b", 30)
        assert await try_acquire(conn, "job:x", "a", 30)  # its own: renewed
        assert await holder_of(conn, "job:x") == "a"
        # Only the holder releases it.
        await release(conn, ["job:x"], "b")
        assert await holder_of(conn, "job:x") == "a"
        await release(conn, ["job:x"], "a")
        assert await holder_of(conn, "job:x") is None
        assert await try_acquire(conn, "job:x", "b", 30)
        # A holder that died: its lease expired (written already past), anyone takes it.
        assert await try_acquire(conn, "job:y", "dead", -1)
        assert await holder_of(conn, "job:y") is None
        assert [lease.name for lease in await list_leases(conn)] == ["job:x"]
        assert await try_acquire(conn, "job:y", "a", 30)
        # Renewal keeps what is still held and reports what was lost.
        assert await try_acquire(conn, "job:z", "b", -1)
        assert await try_acquire(conn, "job:z", "c", 30)
        assert await renew(conn, ["job:x", "job:z"], "b", 30) == ["job:z"]


async def test_a_lease_of_a_process_gone_on_this_host_is_taken_at_once(runtime: Runtime) -> None:
    """A killed instance's lease moves on now, not when it lapses; one of a live
    process (or another host's) waits."""
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    dead_pid = gone.pid
    alive = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; sys.stdin.read()", stdin=asyncio.subprocess.PIPE
    )
    async with runtime.db.begin() as conn:
        assert await try_acquire(conn, "job:x", "killed", 30)
        await conn.execute(sa.update(job_leases).values(pid=dead_pid))
        assert await try_acquire(conn, "job:x", "next", 30)
        assert await holder_of(conn, "job:x") == "next"
        try:
            await conn.execute(sa.update(job_leases).values(pid=alive.pid))
            assert not await try_acquire(conn, "job:x", "third", 30)
            await conn.execute(sa.update(job_leases).values(pid=dead_pid, host="another-machine"))
            assert not await try_acquire(conn, "job:x", "third", 30)
        finally:
            await alive.communicate(b"")
        assert await clear_leases(conn) == 1
        assert await list_leases(conn) == []


async def test_instances_racing_for_free_and_lapsed_leases_get_each_one_once(runtime: Runtime) -> None:
    """Ten rounds, four instances each in its own transaction at the same time."""

    async def contender(name: str, holder: str) -> bool:
        async with runtime.db.begin() as conn:
            return await try_acquire(conn, name, holder, 30)

    for round_ in range(10):
        name = f"job:race-{round_}"
        if round_ % 2:  # a lapsed lease left by a dead instance
            async with runtime.db.begin() as conn:
                await try_acquire(conn, name, "dead", -1)
        won = await asyncio.gather(*(contender(name, f"i{n}") for n in range(4)))
        assert sum(won) == 1, (name, won)
        async with runtime.db.begin() as conn:
            assert await holder_of(conn, name) == f"i{won.index(True)}"


def _daemon(runtime: Runtime, name: str, specs: list[JobSpec]) -> Daemon:
    rt = Runtime(
        runtime.config.model_copy(
            update={"schedule": runtime.config.schedule.model_copy(update={"instance_name": name})}
        ),
        runtime.db,
        runtime.clock,
    )
    return Daemon(rt, specs=specs)


async def test_a_job_runs_once_across_instances_and_a_covered_cron_run_is_skipped(
    runtime: Runtime, clock: FixedClock
) -> None:
    runs: list[str] = []
    inside, leave = asyncio.Event(), asyncio.Event()

    async def digest(rt: Runtime, ctx: JobContext) -> str:
        runs.append(rt.config.schedule.instance_name)
        inside.set()
        await leave.wait()
        return "done"

    spec = JobSpec("daily-digest", DAILY, digest)
    async with runtime.db.begin() as conn:
        await register_job(conn, "daily-digest", clock.now() - dt.timedelta(days=2))
    a, b = _daemon(runtime, "a", [spec]), _daemon(runtime, "b", [spec])
    first = asyncio.create_task(a.execute_leased(spec))
    await inside.wait()
    # b fires while a runs it: the lease is a's, b skips.
    await b.execute_leased(spec)
    report = await check_health(a.rt, "a")
    assert [(lease.name, lease.holder, lease.this_instance) for lease in report.leases] == [
        ("job:daily-digest", "a", True),
        (SHARED_STATE, "a", True),
    ]
    leave.set()
    await first
    # b fires again after a finished: this scheduled time is covered, skipped.
    await b.execute_leased(spec)
    assert runs == ["a"]
    # The next day's time is b's to run.
    clock.advance(dt.timedelta(days=1))
    await b.execute_leased(spec)
    assert runs == ["a", "b"]
    async with runtime.db.begin() as conn:
        assert (await list_job_runs(conn))["daily-digest"].runs == 2
        assert await list_leases(conn) == []


async def test_shared_state_steps_wait_for_another_instances_step(runtime: Runtime) -> None:
    order: list[str] = []
    inside, leave = asyncio.Event(), asyncio.Event()

    async def slow(rt: Runtime, ctx: JobContext) -> str:
        order.append("a in")
        inside.set()
        await leave.wait()
        order.append("a out")
        return ""

    async def quick(rt: Runtime, ctx: JobContext) -> str:
        order.append("b")
        return ""

    a = _daemon(runtime, "a", [])
    b = _daemon(runtime, "b", [])
    b.leases.poll_seconds = 0.01
    first = asyncio.create_task(a.execute(JobSpec("process", Every(1), slow)))
    await inside.wait()
    second = asyncio.create_task(b.execute(JobSpec("dispatch", Every(1), quick)))
    # b polls the lease while a holds it; it gets it only once a let go.
    async with runtime.db.begin() as conn:
        assert await holder_of(conn, SHARED_STATE) == "a"
    leave.set()
    await asyncio.gather(first, second)
    assert order == ["a in", "a out", "b"]


async def test_a_stopping_instance_does_not_wait_for_the_shared_state_lease(runtime: Runtime) -> None:
    async with runtime.db.begin() as conn:
        assert await try_acquire(conn, SHARED_STATE, "other", 30)
        await register_job(conn, "dispatch", runtime.now())
    ran: list[str] = []

    async def step(rt: Runtime, ctx: JobContext) -> str:
        ran.append("ran")
        return ""

    b = _daemon(runtime, "b", [])
    b.leases.poll_seconds = 0.01
    b.request_stop("test")
    await b.execute(JobSpec("dispatch", Every(1), step))
    assert ran == []
    async with runtime.db.begin() as conn:
        assert (await list_job_runs(conn))["dispatch"].last_error == "stopping: not started"


async def test_a_lost_lease_is_reported_and_forgotten(runtime: Runtime) -> None:
    keeper = LeaseKeeper(runtime, "a", 30)
    assert await keeper.acquire(job_lease("collect:x"))
    async with runtime.db.begin() as conn:
        await release(conn, [job_lease("collect:x")], "a")
        assert await try_acquire(conn, job_lease("collect:x"), "b", 30)
    assert await keeper.renew_once() == [job_lease("collect:x")]
    assert keeper.held == set()


@pytest.mark.sqlite_only
def test_sqlite_serves_one_instance(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'tbtwarn.db'}"
    refused = pytest.raises(InstanceRunning, match=r"another tbtwarn run \(pid \d+\) is using .*tbtwarn.db")
    with single_instance(url), refused, single_instance(url):
        pass
    with single_instance(url):  # released with its holder
        pass
    with (
        single_instance("postgresql+asyncpg://u:p@127.0.0.1/db"),
        single_instance("postgresql+asyncpg://u:p@127.0.0.1/db"),
    ):
        pass  # several instances share PostgreSQL


async def test_instances_starting_together_migrate_and_register_jobs_once(database_url: str) -> None:
    """Three instances opening one fresh database at once: one migrates while the
    others wait (PostgreSQL), and each job is registered once, without an error."""
    databases = [Database(database_url) for _ in range(3)]
    try:
        if database_url.startswith("postgresql"):
            await asyncio.gather(*(db.migrate() for db in databases))
        else:
            await databases[0].migrate()  # SQLite serves one instance

        async def register(db: Database) -> int:
            async with db.begin() as conn:
                return (await register_job(conn, "dispatch", dt.datetime(2026, 7, 1, tzinfo=dt.UTC))).runs

        assert await asyncio.gather(*(register(db) for db in databases)) == [0, 0, 0]
    finally:
        for db in databases:
            await db.close()
