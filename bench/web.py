"""Benchmark: the notification list under 20 concurrent clients at 50,000 notifications.

Builds a SQLite database in a temporary folder: the bundled real sample is run
through the pipeline, then its records are recombined (title of one,
description and product matches of another, member and dates of others) into
50,000 notifications, 10% with leveled alerts. The web app then serves on
127.0.0.1; 20 signed-in clients request the list page with filters.

Prints p50/p95 latency of the filtered list, and in the same run two
baselines: the sign-in page (no database) and the unfiltered list; then, per
filter, the median with one client alone (the service time, little affected by
other load on the machine) and p50/p95 with 20 clients. The whole is run
against 1 and 2 server processes (``tbtwarn serve --workers``).

With ``--baseline-tree DIR`` (an older checkout, e.g. ``git archive COMMIT |
tar -x -C DIR``) each measurement is made in the same run against the server
of that tree too, on a copy of the database with the migrations it lacks
undone, alternating baseline and current ``--rounds`` times.

    .venv/bin/python bench/web.py [--notifications 50000] [--clients 20] [--requests 600]
        [--workers 1 2] [--baseline-tree DIR --rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import os
import random
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warning.clock import FixedClock  # noqa: E402
from warning.config import load_config  # noqa: E402
from warning.pipeline import run_once  # noqa: E402
from warning.register import read_exporters  # noqa: E402
from warning.runtime import Runtime  # noqa: E402
from warning.storage.exporters import save_exporter  # noqa: E402
from warning.storage.schema import (  # noqa: E402
    alerts,
    notification_symbols,
    notifications,
    product_matches,
)
from warning.storage.users import add_user  # noqa: E402
from warning.types import LEVELS  # noqa: E402
from warning.web.security import hash_password  # noqa: E402

NOW = dt.datetime(2026, 6, 17, 2, 0, tzinfo=dt.UTC)
PASSWORD = "bench password 123"
FILTERED = [
    "member=KEN",
    "member=USA&open=1",
    "hs=3304",
    "hs=84&from=2020-01-01",
    "sector=XVI",
    "level=orange",
    "q=cosmetic",
    "q=化妆品",
    "q=safety&member=EU",
    "from=2023-01-01&to=2023-12-31",
    "member=JPN&hs=85&page=2",
    "open=1&level=yellow",
    "q=EV",
]


def write_config(folder: Path) -> Path:
    path = folder / "config.toml"
    path.write_text(
        'database_url = "sqlite+aiosqlite:///var/bench.db"\n'
        f'[[sources]]\nname = "sample"\nkind = "file"\npath = "{ROOT / "feeds/data/wto_sample.jsonl"}"\n'
        '[delivery]\ntransport = "outbox"\noutbox_dir = "var/outbox"\n',
        encoding="utf-8",
    )
    return path


async def populate(rt: Runtime, total: int) -> None:
    """Recombine the sample's stored rows into ``total`` notifications."""
    text = (ROOT / "warning/data/demo_exporters.csv").read_text(encoding="utf-8")
    async with rt.db.begin() as conn:
        for exporter in read_exporters(text)[0]:
            await save_exporter(conn, exporter, rt.now())
    await run_once(rt)
    rng = random.Random(7)
    async with rt.db.begin() as conn:
        rows = [dict(r._mapping) for r in await conn.execute(sa.select(notifications))]
        by_id: dict[int, list[dict[str, Any]]] = {}
        for m in await conn.execute(sa.select(product_matches)):
            by_id.setdefault(m.notification_id, []).append(dict(m._mapping))
        exporter_ids = [r.id for r in await conn.execute(sa.text("SELECT id FROM exporters"))]
        next_id = max(r["id"] for r in rows) + 1
        for start in range(len(rows), total, 5000):
            batch, symbols, matches, leveled = [], [], [], []
            for i in range(start, min(total, start + 5000)):
                a, b, c, d = (rng.choice(rows) for _ in range(4))
                member = c["member_codes"][0] if c["member_codes"] else "USA"
                key = f"G/TBT/N/{member}/{90000 + i}"
                shift = dt.timedelta(days=rng.randint(-400, 400))
                dist = d["distribution_date"] + shift if d["distribution_date"] else None
                deadline = dist + dt.timedelta(days=60) if dist else None
                row = {**b, "id": next_id, "key": key, "base_symbol": None, "title": a["title"]}
                row |= {"member_codes": c["member_codes"], "member_name": c["member_name"]}
                row |= {"distribution_date": dist, "comment_deadline": deadline, "content_hash": key}
                batch.append(row)
                symbols.append({"symbol": key, "notification_id": next_id})
                for m in by_id.get(b["id"], []):
                    matches.append({k: v for k, v in m.items() if k != "id"} | {"notification_id": next_id})
                if rng.random() < 0.1:
                    leveled.append(
                        {
                            "notification_id": next_id,
                            "exporter_id": rng.choice(exporter_ids),
                            "matches": [],
                            "level": rng.choice(LEVELS),
                            "reasons": [],
                            "created_at": rt.now(),
                        }
                    )
                next_id += 1
            await conn.execute(sa.insert(notifications), batch)
            await conn.execute(sa.insert(notification_symbols), symbols)
            if matches:
                await conn.execute(sa.insert(product_matches), matches)
            if leveled:
                await conn.execute(sa.insert(alerts), leveled)
        await add_user(conn, "bench@example.com", hash_password(PASSWORD), "official", rt.now())


async def timed_run(base: str, cookies: aiohttp.CookieJar, paths: list[str], clients: int) -> list[float]:
    """Latencies (ms) of ``paths`` fetched by ``clients`` concurrent workers."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    latencies: list[float] = []

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            path = queue.get_nowait()
            began = time.perf_counter()
            async with session.get(base + path) as response:
                await response.read()
                assert response.status == 200, (path, response.status)
            latencies.append((time.perf_counter() - began) * 1000)

    async with aiohttp.ClientSession(cookie_jar=cookies) as session:
        await asyncio.gather(*(worker(session) for _ in range(clients)))
    return latencies


def report(name: str, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{name:<28} n={len(latencies):4d}  p50={cuts[49]:7.1f} ms  p95={cuts[94]:7.1f} ms")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def baseline_copy(config: Path, tree: Path) -> Path:
    """A copy of the bench's folder whose database lacks the migrations ``tree`` does not have.

    Each such migration's ``downgrade()`` is run on the copy (so its tables and
    indexes do not help the baseline) and its revision is forgotten.
    """
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    folder = config.parent / "baseline"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "var").mkdir(parents=True)
    shutil.copy(config.parent / "var" / "bench.db", folder / "var" / "bench.db")
    copied = folder / "config.toml"
    copied.write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    versions = "warning/migrations/versions"
    known = {p.name for p in (tree / versions).glob("*.py")}
    engine = sa.create_engine(f"sqlite:///{folder / 'var' / 'bench.db'}")
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        for path in sorted((ROOT / versions).glob("*.py")):
            if path.name in known:
                continue
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.downgrade()
            conn.execute(
                sa.text("DELETE FROM alembic_version WHERE version_num = :r"), {"r": module.revision}
            )
            print(f"baseline database: undid migration {module.revision}")
    engine.dispose()
    return copied


async def start_server(
    config: Path, workers: int, tree: Path = ROOT
) -> tuple[asyncio.subprocess.Process, str]:
    """``tbtwarn serve`` of the source ``tree`` in its own process (as deployed), once it answers."""
    port = free_port()
    env = os.environ | {"TBTWARN_NOW": NOW.isoformat(), "TBTWARN_SECRET": "bench-secret-0123456789abcdef!!"}
    command = [sys.executable, "-m", "warning.cli.main", "--config", str(config), "serve"]
    command += ["--port", str(port), "--workers", str(workers)]
    # ``python -m`` puts the working directory first on sys.path: the tree's own packages load.
    server = await asyncio.create_subprocess_exec(*command, cwd=tree, env=env, stdout=asyncio.subprocess.PIPE)
    assert server.stdout is not None
    line = await asyncio.wait_for(server.stdout.readline(), timeout=300)  # after the index is built
    assert b"web app on" in line, line
    return server, f"http://127.0.0.1:{port}"


async def signed_in_jar(base: str) -> aiohttp.CookieJar:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(f"{base}/login") as page:
            html = await page.text()
        token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"csrf_token": token, "email": "bench@example.com", "password": PASSWORD}
        async with session.post(f"{base}/login", data=form) as signed:
            assert signed.status == 200 and "bench@example.com" in await signed.text()
    return jar


async def measure(
    config: Path, workers: int, args: argparse.Namespace, tree: Path = ROOT, label: str = "current"
) -> float:
    """Run every measurement against a server of ``workers`` processes; returns the filtered p95."""
    server, base = await start_server(config, workers, tree)
    try:
        jar = await signed_in_jar(base)
        n = args.requests
        await timed_run(base, jar, ["/notifications?" + q for q in FILTERED] * 2, args.clients)  # warm-up
        print(f"--- {label} ({tree}): tbtwarn serve --workers {workers}: {args.clients} concurrent clients")
        report("baseline: sign-in page", await timed_run(base, jar, ["/login"] * n, args.clients))
        report("baseline: unfiltered list", await timed_run(base, jar, ["/notifications"] * n, args.clients))
        paths = ["/notifications?" + FILTERED[i % len(FILTERED)] for i in range(n)]
        filtered = await timed_run(base, jar, paths, args.clients)
        report("list with filters", filtered)
        print("per filter: one client alone (service time), then 20 at once")
        for query in FILTERED:
            alone = await timed_run(base, jar, ["/notifications?" + query] * 15, 1)
            crowd = await timed_run(base, jar, ["/notifications?" + query] * 40, args.clients)
            cuts = statistics.quantiles(crowd, n=100)
            print(
                f"  {query:<30} alone median={statistics.median(alone):6.1f} ms   "
                f"20 clients p50={cuts[49]:7.1f} ms  p95={cuts[94]:7.1f} ms"
            )
        return statistics.quantiles(filtered, n=100)[94]
    finally:
        server.terminate()
        await server.wait()


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = write_config(Path(folder))
        rt = await Runtime.open(load_config(config), FixedClock(NOW))
        began = time.perf_counter()
        await populate(rt, args.notifications)
        async with rt.db.begin() as conn:
            count = (await conn.execute(sa.select(sa.func.count()).select_from(notifications))).scalar()
        await rt.close()
        print(f"{count} notifications ready in {time.perf_counter() - began:.1f} s; {os.cpu_count()} CPUs")
        baseline = baseline_copy(config, args.baseline_tree) if args.baseline_tree else None
        for workers in args.workers:
            if baseline is None:
                p95 = await measure(config, workers, args)
                verdict = "met" if p95 < 150 else "NOT met"
                print(f"target p95 < 150 ms with {workers} worker(s): {verdict} ({p95:.1f} ms)")
                continue
            got: dict[str, list[float]] = {"baseline": [], "current": []}
            for _ in range(args.rounds):
                got["baseline"].append(await measure(baseline, workers, args, args.baseline_tree, "baseline"))
                got["current"].append(await measure(config, workers, args))
            for label, values in got.items():
                shown = ", ".join(f"{v:.1f}" for v in values)
                print(f"{workers} worker(s), {label}: filtered-list p95 per round {shown} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notifications", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server processes to compare")
    parser.add_argument("--baseline-tree", type=Path, help="an older source tree to measure in the same run")
    parser.add_argument(
        "--rounds", type=int, default=2, help="baseline/current alternations (with a baseline)"
    )
    asyncio.run(main(parser.parse_args()))
