"""The daemon's record of its scheduled jobs (``job_runs``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import job_runs
from warning.storage.sql import insert_ignore


@dataclass(frozen=True)
class JobRun:
    """What a scheduled job last did."""

    job_id: str
    #: Scheduled times up to this instant are handled.
    covered_until: dt.datetime
    last_started_at: dt.datetime | None
    last_finished_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str | None
    runs: int


def _run(r: sa.Row[object]) -> JobRun:
    return JobRun(
        r.job_id,
        r.covered_until,
        r.last_started_at,
        r.last_finished_at,
        r.last_success_at,
        r.last_error,
        r.runs,
    )


async def list_job_runs(conn: AsyncConnection) -> dict[str, JobRun]:
    """Every job's record, by job id."""
    rows = await conn.execute(sa.select(job_runs).order_by(job_runs.c.job_id))
    return {r.job_id: _run(r) for r in rows}


async def register_job(conn: AsyncConnection, job_id: str, now: dt.datetime) -> JobRun:
    """The job's record, created (covering up to ``now``) if it has none.

    A job seen for the first time has missed nothing: its schedule starts now.
    """
    # Instances starting together register the same jobs: the first insert wins.
    await insert_ignore(conn, job_runs, [{"job_id": job_id, "covered_until": now, "runs": 0}])
    row = (await conn.execute(sa.select(job_runs).where(job_runs.c.job_id == job_id))).one()
    return _run(row)


async def record_start(conn: AsyncConnection, job_id: str, now: dt.datetime) -> None:
    """A run starts. What it covers is recorded once its own step has ended
    (:func:`record_covered`): a run that dies before (SIGKILL, a machine lost)
    leaves its scheduled time uncovered, so the next start, or another
    instance, makes it up."""
    await conn.execute(
        sa.update(job_runs)
        .where(job_runs.c.job_id == job_id)
        .values(last_started_at=now, runs=job_runs.c.runs + 1)
    )


async def record_covered(conn: AsyncConnection, job_id: str, covered_until: dt.datetime) -> None:
    """Every scheduled time up to ``covered_until`` (the run's start) is taken
    care of: the run's own step ended, well or not (a failed run is retried at
    its next time)."""
    await conn.execute(
        sa.update(job_runs).where(job_runs.c.job_id == job_id).values(covered_until=covered_until)
    )


async def record_finish(conn: AsyncConnection, job_id: str, now: dt.datetime, error: str | None) -> None:
    """A run ended, well (``error`` None) or not."""
    values: dict[str, object] = {"last_finished_at": now, "last_error": error}
    if error is None:
        values["last_success_at"] = now
    await conn.execute(sa.update(job_runs).where(job_runs.c.job_id == job_id).values(values))
