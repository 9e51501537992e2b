"""Is the service well? For ``tbtwarn health`` and the ``/healthz`` endpoint."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from warning.runtime import Runtime
from warning.storage.job_runs import list_job_runs
from warning.storage.leases import list_leases
from warning.storage.raw import list_source_states
from warning.storage.schema import outbox

#: A source is stale when its last success is older than this many intervals.
STALE_INTERVALS = 3
#: Pending mail older than this means delivery is stuck.
OUTBOX_STUCK_AFTER = dt.timedelta(hours=1)


@dataclass(frozen=True)
class SourceStatus:
    name: str
    last_success_at: str | None
    consecutive_failures: int
    last_error: str | None


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    last_started_at: str | None
    last_success_at: str | None
    last_error: str | None
    runs: int


@dataclass(frozen=True)
class LeaseStatus:
    """A lease in force: which instance runs a job (or the shared-state steps) now."""

    name: str
    holder: str
    expires_in_seconds: float
    #: Held by the instance answering (``/healthz``); None from the command line.
    this_instance: bool | None


@dataclass(frozen=True)
class HealthReport:
    """The service's health; ``problems`` says in words why it is not healthy."""

    checked_at: str
    database: bool
    sources: list[SourceStatus] = field(default_factory=list)
    outbox_pending: int = 0
    outbox_failed: int = 0
    oldest_pending_at: str | None = None
    jobs: list[JobStatus] = field(default_factory=list)
    #: The instance answering (``/healthz`` of a ``tbtwarn run``); None from the command line.
    instance: str | None = None
    leases: list[LeaseStatus] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {"healthy": self.healthy, **asdict(self)}


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


async def check_health(rt: Runtime, instance: str | None = None) -> HealthReport:
    """Check the database, every enabled source, the outbox and the jobs, and
    say which instance holds which job (``instance``: the one asking).

    Never raises for an unhealthy service: the report says what is wrong.
    """
    now = rt.now()
    try:
        async with rt.db.begin() as conn:
            await conn.execute(sa.select(1))
            states = {s.source_name: s for s in await list_source_states(conn)}
            by_status = sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
            counts: dict[str, int] = {r[0]: int(r[1]) for r in await conn.execute(by_status)}
            oldest_query = sa.select(sa.func.min(outbox.c.created_at)).where(outbox.c.status == "pending")
            oldest = (await conn.execute(oldest_query)).scalar_one_or_none()
            runs = await list_job_runs(conn)
            leases = await list_leases(conn)
    except (SQLAlchemyError, OSError) as exc:
        return HealthReport(_iso(now) or "", False, problems=[f"database unreachable: {exc}"])
    report = HealthReport(
        checked_at=_iso(now) or "",
        database=True,
        outbox_pending=int(counts.get("pending", 0)),
        outbox_failed=int(counts.get("failed", 0)),
        oldest_pending_at=_iso(oldest),
        instance=instance,
        leases=[
            LeaseStatus(
                lease.name,
                lease.holder,
                round(lease.expires_in, 1),
                None if instance is None else lease.holder == instance,
            )
            for lease in leases
        ],
    )
    for source in rt.config.sources:
        if not source.enabled:
            continue
        state = states.get(source.name)
        success = state.last_success_at if state else None
        report.sources.append(
            SourceStatus(
                source.name,
                _iso(success),
                state.consecutive_failures if state else 0,
                state.last_error if state else None,
            )
        )
        if success is None:
            report.problems.append(f"source {source.name}: never collected successfully")
        elif now - success > dt.timedelta(minutes=STALE_INTERVALS * source.interval_minutes):
            report.problems.append(
                f"source {source.name}: no successful collection since {success.isoformat()}"
            )
    if oldest is not None and now - oldest > OUTBOX_STUCK_AFTER:
        report.problems.append(f"outbox: mail pending since {oldest.isoformat()}")
    for run in runs.values():
        report.jobs.append(
            JobStatus(
                run.job_id, _iso(run.last_started_at), _iso(run.last_success_at), run.last_error, run.runs
            )
        )
    return report


#: Where ``/healthz`` finds the runtime on the application.
HEALTH_RUNTIME = web.AppKey("tbtwarn_health_runtime", Runtime)
#: The name of the instance serving ``/healthz`` ("" outside ``tbtwarn run``).
HEALTH_INSTANCE = web.AppKey("tbtwarn_health_instance", str)


async def healthz(request: web.Request) -> web.Response:
    """``GET /healthz``: the health report as JSON; 200 healthy, 503 not."""
    report = await check_health(request.app[HEALTH_RUNTIME], request.app[HEALTH_INSTANCE] or None)
    return web.json_response(report.as_json(), status=200 if report.healthy else 503)


def mount_health(app: web.Application, rt: Runtime, instance: str | None = None) -> None:
    """Add ``/healthz`` to a web application (before it starts); ``instance``
    names the ``tbtwarn run`` instance serving it."""
    app[HEALTH_RUNTIME] = rt
    app[HEALTH_INSTANCE] = instance or ""
    app.router.add_get("/healthz", healthz)
