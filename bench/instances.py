"""A year through ``tbtwarn run`` daemons: one on SQLite, one on PostgreSQL, two on PostgreSQL.

Usage: .venv/bin/python bench/instances.py [--notifications 4000] [--exporters 5000]
       [--pg-url postgresql+asyncpg://user:pass@127.0.0.1:5432/db]
(or ``bench/pipeline.py --instances``; the PostgreSQL URL defaults to
``$TBTWARN_TEST_PG_URL``; its role needs CREATEDB: each variant gets a fresh database.)

Unlike ``bench/pipeline.py``, which runs the daemon's jobs in order in one
process, this runs real daemons (subprocesses, the scheduler on a scaled clock:
one scheduled minute lasts 0.3 s) on the same year (loopback ePing API, local
SMTP sink, ``bench/pipeline.py``'s data), and times each variant from the
daemons' start until every notification is stored and classified, every alert
delivered and the outbox empty. Two instances share the jobs by leases in the
database: they give failover, not speed (the shared-state steps run one at a
time across instances), so their time should match one instance's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.pipeline import NOW, _free_port, _register, _setup, _start  # noqa: E402
from warning.clock import FixedClock  # noqa: E402
from warning.config import load_config  # noqa: E402
from warning.runtime import Runtime  # noqa: E402

SCHEDULE = '[schedule]\ndaily_digest = "* * * * *"\ndispatch_minutes = 1\n[logging]\nformat = "json"\n'
DONE_SQL = (
    "SELECT (SELECT count(*) FROM notifications),"
    " (SELECT count(*) FROM notifications WHERE classified_hash IS NULL OR classified_hash <> content_hash),"
    " (SELECT count(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id)),"
    " (SELECT count(*) FROM outbox WHERE status != 'sent'), (SELECT count(*) FROM outbox)"
)


async def _admin(pg_url: str, sql: str) -> None:
    dsn = sa.engine.make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _prepare(folder: Path, exporters: int) -> None:
    rt = await Runtime.open(load_config(folder / "config.toml"), FixedClock(dt.datetime.fromisoformat(NOW)))
    try:
        await _register(rt, exporters)
    finally:
        await rt.close()


async def _state(folder: Path) -> tuple[int, ...]:
    rt = await Runtime.open(load_config(folder / "config.toml"), FixedClock(dt.datetime.fromisoformat(NOW)))
    try:
        async with rt.db.begin() as conn:
            return tuple(int(v) for v in (await conn.execute(sa.text(DONE_SQL))).one())
    finally:
        await rt.close()


def _variant(label: str, count: int, exporters: int, instances: int, database: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"tbtwarn-instances-{label}-") as tmp:
        folder = Path(tmp)
        eping_port, smtp_port = _free_port(), _free_port()
        _setup(folder, count, eping_port, smtp_port, SCHEDULE)
        config = folder / "config.toml"
        if database != "sqlite":
            text = config.read_text("utf-8").replace('"sqlite+aiosqlite:///var/bench.db"', f'"{database}"')
            config.write_text(text, "utf-8")
        asyncio.run(_prepare(folder, exporters))
        servers = [
            _start([str(ROOT / "bench" / "eping_server.py"), str(eping_port), str(folder / "items.jsonl")]),
            _start([str(ROOT / "bench" / "smtp_sink.py"), str(smtp_port)]),
        ]
        env = os.environ | {
            "TBTWARN_NOW": NOW,
            "TBTWARN_TIME_SCALE": "0.005",
            "TBTWARN_SECRET": "bench-secret-shared-by-instances",
        }
        started = time.perf_counter()
        logs = [(folder / f"daemon{n}.log").open("wb") for n in range(instances)]
        daemons = [
            subprocess.Popen(
                [sys.executable, "-m", "warning.cli.entry", "--config", str(config), "run", "--port", "0"],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=env,
                cwd=ROOT,
            )
            for log in logs
        ]
        try:
            while True:
                stored, unclassified, undelivered, unsent, emails = asyncio.run(_state(folder))
                if stored == count and not (unclassified or undelivered or unsent) and emails:
                    break
                for n, daemon in enumerate(daemons):
                    if daemon.poll() is not None:
                        said = (folder / f"daemon{n}.log").read_text("utf-8", "replace")[-2000:]
                        raise SystemExit(f"{label}: a daemon exited early:\n{said}")
                time.sleep(0.5)  # a benchmark polls; tests never do
            took = time.perf_counter() - started
        finally:
            for daemon in daemons:
                daemon.send_signal(signal.SIGTERM)
            for daemon in daemons:
                daemon.wait(timeout=60)
            for server in servers:
                server.terminate()
                server.wait()
            for log in logs:
                log.close()
        return {"year_s": took, "emails": float(emails)}


def compare(count: int, exporters: int, pg_url: str) -> None:
    results: dict[str, dict[str, float]] = {}
    results["SQLite, 1 instance"] = _variant("sqlite", count, exporters, 1, "sqlite")
    for instances in (1, 2):
        name = f"tbtwarn_bench_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(pg_url, f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        try:
            label = f"PostgreSQL, {instances} instance{'s' if instances > 1 else ''}"
            results[label] = _variant(f"pg{instances}", count, exporters, instances, url)
        finally:
            asyncio.run(_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"{count} notifications, {exporters} exporters, through tbtwarn run daemons (scaled clock)")
    for label, figures in results.items():
        print(f"{label:26} year wall time {figures['year_s']:7.1f} s   emails {figures['emails']:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--notifications", type=int, default=4000)
    parser.add_argument("--exporters", type=int, default=5000)
    parser.add_argument("--pg-url", default=os.environ.get("TBTWARN_TEST_PG_URL", ""))
    args = parser.parse_args()
    if not args.pg_url:
        raise SystemExit(
            "bench/instances.py: give --pg-url or set TBTWARN_TEST_PG_URL (a role with CREATEDB)"
        )
    compare(args.notifications, args.exporters, args.pg_url)


if __name__ == "__main__":
    main()
