"""Failover of ``tbtwarn run`` instances on one PostgreSQL database (issue 21).

Usage: .venv/bin/python bench/failover.py [--instances 2] [--notifications 600] [--exporters 2000]
       [--time-scale 0.1] [--lease-seconds 10] [--pg-url postgresql+asyncpg://...]
(the URL defaults to ``$TBTWARN_TEST_PG_URL``; its role needs CREATEDB: the run gets a fresh database.)

Starts the instances (as the ``tbtwarn`` script does) on ``bench/pipeline.py``'s
data (loopback ePing API, local SMTP sink), lets them work through it, then:

1. SIGKILLs the instance the moment it starts a dispatch run (it holds the
   job's lease) and times how long until another instance starts the next
   dispatch run. Goal: within one ``dispatch_minutes`` plus ``lease_seconds``.
2. With that instance down, puts a notification that raises a red alert at
   the source and times until the red alert's email is sent. Goal: two
   (scheduled) minutes, the collection interval included (one minute here).

Scheduled minutes last ``--time-scale`` x 60 real seconds (``TBTWARN_TIME_SCALE``);
leases are real seconds. Every figure is printed in real seconds and in
scheduled time beside its goal. All instances run on this machine, where a
lease whose holder's process is gone is taken over at once (``process_gone``);
an instance on another machine waits for the lease to lapse, which the goal allows.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.instances import _admin, _prepare, _state  # noqa: E402
from bench.pipeline import NOW, _free_port, _red_twin, _setup, _start  # noqa: E402
from warning.clock import FixedClock  # noqa: E402
from warning.config import load_config  # noqa: E402
from warning.runtime import Runtime  # noqa: E402
from warning.storage.schema import outbox  # noqa: E402

#: Seconds to wait for anything before calling the run a failure (a bound, not a figure).
PATIENCE = 300.0


def _events(log: Path) -> list[dict[str, Any]]:
    out = []
    for line in log.read_text("utf-8", "replace").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            out.append(event)
    return out


def _wait(what: str, check: Any) -> Any:
    """Poll ``check()`` until it returns something true (a benchmark polls; tests never do)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise SystemExit(f"bench/failover.py: timed out waiting for {what}")


def _ts(event: dict[str, Any]) -> float:
    return dt.datetime.fromisoformat(str(event["ts"])).timestamp()


def _dispatch_start(log: Path, after: float) -> float | None:
    """When the instance logging to ``log`` first started a dispatch run after ``after``."""
    for event in _events(log):
        if event.get("event") == "job_start" and event.get("job") == "dispatch" and _ts(event) > after:
            return _ts(event)
    return None


async def _alerts_sent(folder: Path) -> int:
    rt = await Runtime.open(load_config(folder / "config.toml"), FixedClock(dt.datetime.fromisoformat(NOW)))
    try:
        query = sa.select(sa.func.count()).where(outbox.c.kind == "alert", outbox.c.status == "sent")
        async with rt.db.begin() as conn:
            return int((await conn.execute(query)).scalar_one())
    finally:
        await rt.close()


async def _dispatch_holder(folder: Path) -> int | None:
    """The pid of the instance holding the dispatch job's lease, if any."""
    rt = await Runtime.open(load_config(folder / "config.toml"), FixedClock(dt.datetime.fromisoformat(NOW)))
    try:
        async with rt.db.begin() as conn:
            query = sa.text("SELECT pid FROM job_leases WHERE name = 'job:dispatch'")
            found = (await conn.execute(query)).scalar_one_or_none()
        return None if found is None else int(found)
    finally:
        await rt.close()


async def _add_red(folder: Path, number: int) -> None:
    rt = await Runtime.open(load_config(folder / "config.toml"), FixedClock(dt.datetime.fromisoformat(NOW)))
    try:
        await _red_twin(rt, folder, number)
    finally:
        await rt.close()


def _failover(folder: Path, daemons: list[subprocess.Popen[bytes]], logs: list[Path]) -> tuple[float, int]:
    """Kill the instance starting a dispatch run; real seconds until another starts one."""
    marker = time.time()

    def starting() -> int | None:
        # The instance holding the dispatch lease now, or the next to start a run.
        holder = asyncio.run(_dispatch_holder(folder))
        for n, (daemon, log) in enumerate(zip(daemons, logs, strict=True)):
            if daemon.pid == holder or _dispatch_start(log, marker) is not None:
                return n
        return None

    victim: int = _wait("an instance starting a dispatch run", starting)
    daemons[victim].send_signal(signal.SIGKILL)
    killed_at = time.time()
    daemons[victim].wait()
    others = [log for n, log in enumerate(logs) if n != victim]

    def taken_over() -> float | None:
        found = [t for t in (_dispatch_start(log, killed_at) for log in others) if t is not None]
        return min(found) if found else None

    return _wait("another instance's dispatch run", taken_over) - killed_at, victim


def _red_latency(folder: Path) -> float:
    """Real seconds from a red notification's appearing at the source to its email sent."""
    before = asyncio.run(_alerts_sent(folder))
    appeared = time.time()
    asyncio.run(_add_red(folder, 1))
    _wait("the red alert's email", lambda: asyncio.run(_alerts_sent(folder)) > before)
    return time.time() - appeared


def run(args: argparse.Namespace, database: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="tbtwarn-failover-") as tmp:
        folder = Path(tmp)
        eping_port, smtp_port = _free_port(), _free_port()
        schedule = (
            '[schedule]\ndaily_digest = "* * * * *"\n'
            f"dispatch_minutes = 1\nlease_seconds = {args.lease_seconds}\n"
            '[logging]\nformat = "json"\n'
        )
        _setup(folder, args.notifications, eping_port, smtp_port, schedule)
        config = folder / "config.toml"
        text = config.read_text("utf-8").replace('"sqlite+aiosqlite:///var/bench.db"', f'"{database}"')
        config.write_text(text, "utf-8")
        asyncio.run(_prepare(folder, args.exporters))
        servers = [
            _start([str(ROOT / "bench" / "eping_server.py"), str(eping_port), str(folder / "items.jsonl")]),
            _start([str(ROOT / "bench" / "smtp_sink.py"), str(smtp_port)]),
        ]
        env = os.environ | {
            "TBTWARN_NOW": NOW,
            "TBTWARN_TIME_SCALE": repr(args.time_scale),
            "TBTWARN_TIME_ORIGIN": repr(time.time()),
            "TBTWARN_SECRET": "bench-secret-shared-by-instances",
        }
        logs = [folder / f"daemon{n}.log" for n in range(args.instances)]
        handles = [log.open("wb") for log in logs]
        daemons = [
            subprocess.Popen(
                [sys.executable, "-m", "warning.cli.entry", "--config", str(config), "run", "--port", "0"],
                stdout=subprocess.DEVNULL,
                stderr=handle,
                env=env,
                cwd=ROOT,
            )
            for handle in handles
        ]
        try:

            def settled() -> bool:
                stored, unclassified, undelivered, unsent, emails = asyncio.run(_state(folder))
                return (
                    stored == args.notifications
                    and not (unclassified or undelivered or unsent)
                    and emails > 0
                )

            _wait("the instances to work through the data", settled)
            failover, _ = _failover(folder, daemons, logs)
            report_failover(args, failover)
            red = _red_latency(folder)
        finally:
            for daemon in daemons:
                if daemon.poll() is None:
                    daemon.send_signal(signal.SIGTERM)
            for daemon in daemons:
                daemon.wait(timeout=60)
            for server in servers:
                server.terminate()
                server.wait()
            for handle in handles:
                handle.close()
        return {"failover_s": failover, "red_s": red}


def report_failover(args: argparse.Namespace, failover: float) -> None:
    minute = 60 * args.time_scale
    goal = minute + args.lease_seconds
    print(
        f"{args.instances} instances on PostgreSQL, {args.notifications} notifications, "
        f"{args.exporters} exporters; a scheduled minute lasts {minute:g} s, leases {args.lease_seconds:g} s"
    )
    verdict = "ok" if failover <= goal else "MISSED"
    print(
        f"failover: next dispatch run {failover:.1f} s after the holder's SIGKILL "
        f"(goal: dispatch_minutes + lease = {goal:.1f} s) {verdict}",
        flush=True,
    )


def report(args: argparse.Namespace, figures: dict[str, float]) -> None:
    red = figures["red_s"] / args.time_scale
    print(
        f"red alert with one instance down: {figures['red_s']:.1f} s real = {red / 60:.2f} scheduled minutes "
        f"from the source to the email sent (goal 2 minutes) {'ok' if red <= 120 else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--notifications", type=int, default=600)
    parser.add_argument("--exporters", type=int, default=2000)  # enough for a red alert to copy
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--lease-seconds", type=float, default=10.0)
    parser.add_argument("--pg-url", default=os.environ.get("TBTWARN_TEST_PG_URL", ""))
    args = parser.parse_args()
    if not args.pg_url:
        raise SystemExit("bench/failover.py: give --pg-url or set TBTWARN_TEST_PG_URL (a role with CREATEDB)")
    if args.instances < 2:
        raise SystemExit("bench/failover.py: --instances must be at least 2 (one is killed)")
    name = f"tbtwarn_failover_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(args.pg_url, f'CREATE DATABASE "{name}"'))
    try:
        url = sa.engine.make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
        report(args, run(args, url))
    finally:
        asyncio.run(_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
