"""A year through the whole pipeline: 4,000 notifications, 5,000 exporters.

Usage: .venv/bin/python bench/pipeline.py [--notifications 4000] [--exporters 5000]
       [--baseline-scale 0.25] [--only tbtwarn|baseline [--all-in-full]]
       .venv/bin/python bench/pipeline.py --instances  (bench/instances.py: the year through
       tbtwarn run daemons, one on SQLite, one and two on PostgreSQL, in one run)

``TBTWARN_BENCH_PROFILE=FILE`` writes a cProfile of the daily digest step to FILE
(``TBTWARN_BENCH_PROFILE_STEP=year_process`` or another step's label: that step).

A loopback ePing API (``bench/eping_server.py``, 127.0.0.1) serves the year's
notifications (the sample's real records, recombined); mail goes by SMTP to
a local aiosmtpd sink (``bench/smtp_sink.py``) with no send-rate limit
(``[smtp] rate_per_second = 0``: the sink has none, and a relay's limit is
a policy, not the pipeline's speed). Every tenth exporter's contact wants
red alerts at once (``immediate``); the others get daily digests.

Each variant runs in its own child process on a fresh SQLite file, so its
peak memory (ru_maxrss) is its own:
- baseline: the pipeline as it was before (``bench/pipeline_baseline.py``:
  every alerting run recomputes every pair, composing loads every alert);
- tbtwarn: the current code.

Both run the daemon's jobs in the scheduler's order: the collection of the
year with its chained classify/alert/dispatch, then the daily digest job
(compose and send). "Year wall time" covers all of it.

Alert latency, with a 1-minute collection interval: a notification that
appears just after a collection started waits up to one interval for the
next one, then that collection's cycle (collect, classify, alert, compose,
send) must bring its red alert to the mailbox. The cycle is run and timed
for real, and the red alert's arrival at the SMTP sink is checked; waiting
the interval itself would measure the timer, so it is added, not waited
for. Two cycles are timed: one later the same day, and the first cycle of
a new day (which recomputes every level, as days left to comment move).
The worst latency is one interval plus the slower of the two.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from classifiers.nomenclature import load_nomenclature  # noqa: E402
from tests.reliability.harness import recombination_base  # noqa: E402
from warning.clock import FixedClock  # noqa: E402
from warning.config import load_config  # noqa: E402
from warning.register import read_exporters  # noqa: E402
from warning.runtime import Runtime  # noqa: E402
from warning.service.jobs import (  # noqa: E402
    JobContext,
    collect_job,
    daily_digest_job,
    deliver_job,
    dispatch_job,
    process_job,
)
from warning.storage.exporters import load_exporters, save_exporter  # noqa: E402
from warning.storage.exposure import save_exposure  # noqa: E402
from warning.storage.schema import alerts, notifications, outbox, subscriptions  # noqa: E402
from warning.storage.subscriptions import sync_from_register  # noqa: E402
from warning.types import Exporter, ExposureRow  # noqa: E402

NOW = "2026-07-01T02:00:00+00:00"
INTERVAL_S = 60.0


def exporters_csv(count: int) -> str:
    """``count`` exporters, each with three HS headings spread over the whole
    nomenclature (a zone's register covers many trades) and every market;
    every tenth (the contacts who want red alerts at once) also has a
    subheading among those the sample's notifications name, which is what
    red alerts need (an exact subheading match)."""
    headings = sorted(code for code in load_nomenclature().entries if len(code) == 4 and code < "97")
    nomenclature = load_nomenclature().entries
    codes = {c for r in recombination_base() for c in r.get("hs_codes") or []}
    named = sorted(c for c in codes if len(c) == 6 and c in nomenclature)
    rows = ["name,email,language,hs_codes,markets"]
    for n in range(count):
        codes = [headings[(n * 37 + k * 101) % len(headings)] for k in range(3)]
        if n % 10 == 0:
            codes.append(named[(n // 10 * 13) % len(named)])
        picked = ";".join(dict.fromkeys(codes))
        rows.append(f"Exporter {n:05d},e{n:05d}@exporter.example.com,{'zh' if n % 2 else 'en'},{picked},*")
    return "\n".join(rows) + "\n"


def eping_item(record: dict[str, Any], symbol: str, item_id: int) -> dict[str, Any]:
    """A sample record as the ePing API gives it."""
    return {
        "id": item_id,
        "documentSymbol": symbol,
        "area": record.get("area") or "TBT",
        "notifyingMember": record.get("notifying_member") or "",
        "notificationType": record.get("notification_type") or "",
        "distributionDate": record.get("distribution_date"),
        "commentDeadlineDate": record.get("comment_deadline"),
        "proposedEntryIntoForceDate": record.get("proposed_entry_into_force_date"),
        "title": record.get("title") or "",
        "description": record.get("description") or "",
        "productsFreeText": record.get("products") or "",
        "hsCodes": record.get("hs_codes") or [],
        "objectives": [{"name": o} for o in record.get("objectives") or []],
        "linkToNotification": record.get("source_url") or "",
    }


_DATES = ("distributionDate", "commentDeadlineDate", "proposedEntryIntoForceDate")


def moved_to(item: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """The item distributed on ``day``, its other dates moved with it."""
    if not item.get("distributionDate"):
        return item | {"distributionDate": day.isoformat()}
    delta = day - dt.date.fromisoformat(item["distributionDate"][:10])
    return item | {
        k: (dt.date.fromisoformat(item[k][:10]) + delta).isoformat() for k in _DATES if item.get(k)
    }


def year_items(count: int) -> list[dict[str, Any]]:
    """``count`` distinct notifications from the sample's real records (new
    symbols), distributed evenly over the year up to the benchmark's day."""
    base = recombination_base()
    today = dt.datetime.fromisoformat(NOW).date()
    items = []
    for n in range(count):
        record = base[n % len(base)]
        area, member = record["symbols"][0].split("/")[1], record["symbols"][0].split("/")[3]
        item = eping_item(record, f"G/{area}/N/{member}/{90000 + n}", 1_000_000 + n)
        items.append(moved_to(item, today - dt.timedelta(days=365 - (n * 365) // count)))
    return items


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup(folder: Path, count: int, eping_port: int, smtp_port: int, digest: str = "") -> None:
    items = folder / "items.jsonl"
    items.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in year_items(count)), "utf-8")
    (folder / "config.toml").write_text(
        'database_url = "sqlite+aiosqlite:///var/bench.db"\n'
        f'[[sources]]\nname = "year"\nkind = "eping"\n'
        f'url = "http://127.0.0.1:{eping_port}/eping/notifications/search"\n'
        "backfill_days = 3650\npage_size = 500\ninterval_minutes = 1\n"
        '[delivery]\ntransport = "smtp"\noutbox_dir = "var/outbox"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nrate_per_second = 0\n' + digest,
        encoding="utf-8",
    )


async def _daily(rt: Runtime, ctx: JobContext) -> str:
    """The daily digest job as the daemon runs it: composing, then delivery."""
    return f"{await daily_digest_job(rt, ctx)}; {await deliver_job(rt, ctx)}"


async def _timed(figures: dict[str, float], label: str, job: Callable[[], Awaitable[Any]]) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    step = os.environ.get("TBTWARN_BENCH_PROFILE_STEP", "daily")
    profile_to = os.environ.get("TBTWARN_BENCH_PROFILE") if label == step else None
    profiler = cProfile.Profile() if profile_to else None
    if profiler is not None:
        profiler.enable()
    await job()
    if profiler is not None and profile_to:
        profiler.disable()
        profiler.dump_stats(profile_to)
    figures[f"{label}_s"] = time.perf_counter() - started
    # This process's CPU time: the machine is shared, so wall time alone is noisy.
    figures[f"{label}_cpu_s"] = time.process_time() - cpu
    # The peak so far: which step sets the process's peak memory.
    figures[f"{label}_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _cycle(rt: Runtime, ctx: JobContext, figures: dict[str, float], label: str) -> None:
    """One collection as the daemon runs it (collect, then process and dispatch), timed."""
    started = time.perf_counter()
    await _timed(figures, f"{label}_collect", lambda: collect_job(rt, ctx, "year"))
    await _timed(figures, f"{label}_process", lambda: process_job(rt, ctx))
    await _timed(figures, f"{label}_dispatch", lambda: dispatch_job(rt, ctx))
    figures[f"{label}_s"] = time.perf_counter() - started


#: Markets every benchmark exporter sells to (a figure per HS code each).
MARKETS = ("USA", "EU", "JPN", "KOR", "KEN", "VNM", "BRA", "IND")


def exposure_rows(exporters: list[Exporter]) -> list[ExposureRow]:
    """Yearly export figures: each exporter's codes in a few of ``MARKETS``."""
    rows = []
    for n, exporter in enumerate(exporters):
        for k, code in enumerate(exporter.hs_codes):
            for m in range(3):
                market = MARKETS[(n + k + m * 3) % len(MARKETS)]
                value = 400_000.0 * (1 + (n * 7 + k * 3 + m) % 9)
                rows.append(ExposureRow(exporter.name, code, market, value, 2025))
    return rows


async def _register(rt: Runtime, count: int) -> None:
    rows, _ = read_exporters(exporters_csv(count), skip_bad=True)
    async with rt.db.begin() as conn:
        for exporter in rows:
            await save_exporter(conn, exporter, rt.now())
        await save_exposure(conn, exposure_rows(rows), rt.now())
        await sync_from_register(conn, await load_exporters(conn), rt.now())
        # Every tenth exporter's contact wants red alerts at once.
        tenth = subscriptions.c.exporter_id % 10 == 1  # ids from 1: exporters 0, 10, 20...
        await conn.execute(sa.update(subscriptions).where(tenth).values(frequency="immediate"))


async def _red_twin(rt: Runtime, folder: Path, number: int) -> None:
    """Append to the source a new notification like one that raised a red
    alert (new symbol, distributed today, same deadline) and make that
    exporter's contact immediate."""
    query = (
        sa.select(notifications.c.key, alerts.c.exporter_id)
        .join(alerts, alerts.c.notification_id == notifications.c.id)
        .where(alerts.c.level == "red")
        .order_by(alerts.c.id)
        .limit(1)
    )
    async with rt.db.begin() as conn:
        found = (await conn.execute(query)).one_or_none()
        if found is None:
            levels = sa.select(alerts.c.level, sa.func.count()).group_by(alerts.c.level)
            raise SystemExit(f"no red alert to copy; levels: {(await conn.execute(levels)).all()}")
        key, exporter_id = found
        theirs = subscriptions.c.exporter_id == exporter_id
        await conn.execute(sa.update(subscriptions).where(theirs).values(frequency="immediate"))
    path = folder / "items.jsonl"
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    item = dict(next(i for i in items if i["documentSymbol"] == key))
    area, member = key.split("/")[1], key.split("/")[3]
    item |= {"id": 2_000_000 + number, "documentSymbol": f"G/{area}/N/{member}/{80000 + number}"}
    # Distributed today, with the original's comment deadline: a short
    # comment period, as urgent measures have (a 60-day one is not red).
    item["distributionDate"] = rt.today().isoformat()
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(item, ensure_ascii=False) + "\n")


async def _sent_alerts(rt: Runtime) -> int:
    query = sa.select(sa.func.count()).where(outbox.c.kind == "alert", outbox.c.status == "sent")
    async with rt.db.begin() as conn:
        return int((await conn.execute(query)).scalar_one())


def _use_baseline() -> None:
    """Put the previous alerting and composing where the jobs call them."""
    import warning.service.jobs

    sys.path.insert(0, str(ROOT / "bench"))
    import pipeline_baseline

    warning.service.jobs.create_alerts = pipeline_baseline.create_alerts  # type: ignore[attr-defined]
    warning.service.jobs.compose_digests = pipeline_baseline.compose_digests  # type: ignore[attr-defined]


def _time_composing(figures: dict[str, float]) -> None:
    """Add the time the jobs spend composing (the rest of a digest job is delivery)."""
    import warning.service.jobs

    compose = warning.service.jobs.compose_digests

    async def timed(*args: Any, **kwargs: Any) -> int:
        started = time.perf_counter()
        try:
            return await compose(*args, **kwargs)
        finally:
            figures["composing_s"] = figures.get("composing_s", 0.0) + time.perf_counter() - started

    warning.service.jobs.compose_digests = timed  # type: ignore[assignment]


async def _child(variant: str, folder: Path, exporters: int) -> dict[str, float]:
    if variant == "baseline":
        _use_baseline()
    clock = FixedClock(dt.datetime.fromisoformat(NOW))
    rt = await Runtime.open(load_config(folder / "config.toml"), clock)
    figures: dict[str, float] = {}
    try:
        await _register(rt, exporters)
        ctx = JobContext()
        started = time.perf_counter()
        await _cycle(rt, ctx, figures, "year")
        composing: dict[str, float] = {}
        _time_composing(composing)
        await _timed(figures, "daily", lambda: _daily(rt, ctx))
        figures["daily_compose_s"] = composing.get("composing_s", 0.0)
        figures["year_s"] = time.perf_counter() - started
        async with rt.db.begin() as conn:
            status = sa.select(sa.func.count()).where(outbox.c.status == "sent")
            figures["emails"] = (await conn.execute(status)).scalar_one()
        for number, label in ((1, "same_day"), (2, "new_day")):
            if label == "new_day":
                clock.advance(dt.timedelta(days=1))
            else:
                clock.advance(dt.timedelta(minutes=1))
            await _red_twin(rt, folder, number)
            before = await _sent_alerts(rt)
            await _cycle(rt, ctx, figures, label)
            figures[f"{label}_red_sent"] = await _sent_alerts(rt) - before
    finally:
        await rt.close()
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _start(args: list[str]) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().split()[:1] == ["ready"]
    return process


def _run_variant(variant: str, count: int, exporters: int, digest: str = "") -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"tbtwarn-bench-{variant}-") as tmp:
        folder = Path(tmp)
        eping_port, smtp_port = _free_port(), _free_port()
        _setup(folder, count, eping_port, smtp_port, digest)
        servers = [
            _start([str(ROOT / "bench" / "eping_server.py"), str(eping_port), str(folder / "items.jsonl")]),
            _start([str(ROOT / "bench" / "smtp_sink.py"), str(smtp_port)]),
        ]
        try:
            child = [__file__, "--child", variant, "--folder", str(folder), "--exporters", str(exporters)]
            out = subprocess.run([sys.executable, *child], capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"{variant} failed:\n{out.stderr[-3000:]}")
            return dict(json.loads(out.stdout.strip().splitlines()[-1]))
        finally:
            for server in servers:
                server.terminate()
                server.wait()


def _report(args: argparse.Namespace, base: dict[str, float], ours: dict[str, float]) -> None:
    print(f"{args.notifications} notifications, {args.exporters} exporters (loopback ePing -> local SMTP)")
    print(f"{'':30}{'baseline (before)':>18}{'tbtwarn':>10}")
    rows = [
        ("year wall time (s)", "year_s", ".1f", "target < 60"),
        ("  collect (s)", "year_collect_s", ".1f", ""),
        ("  classify + alert (s)", "year_process_s", ".1f", ""),
        ("  immediate alerts (s)", "year_dispatch_s", ".1f", ""),
        ("  daily digests (s)", "daily_s", ".1f", ""),
        ("  daily digests CPU (s)", "daily_cpu_s", ".1f", "this process only"),
        ("    composing (s)", "daily_compose_s", ".1f", "the rest is delivery"),
        ("peak memory (MB)", "peak_mb", ".0f", "target < 500"),
        ("emails sent", "emails", ".0f", ""),
        ("cycle, same day (s)", "same_day_s", ".1f", ""),
        ("  classify + alert (s)", "same_day_process_s", ".1f", ""),
        ("cycle, new day (s)", "new_day_s", ".1f", ""),
        ("  classify + alert (s)", "new_day_process_s", ".1f", ""),
    ]
    for title, key, fmt, note in rows:
        print(f"{title:30}{base[key]:>18{fmt}}{ours[key]:>10{fmt}}   {note}")
    if args.baseline_scale == 1.0:
        print(f"ratio tbtwarn / baseline year wall time: {ours['year_s'] / base['year_s']:.2f}")
    for name, f in (("baseline", base), ("tbtwarn", ours)):
        worst = INTERVAL_S + max(f["same_day_s"], f["new_day_s"])
        mean = INTERVAL_S / 2 + f["same_day_s"]
        print(
            f"{name}: red alert emails sent by the timed cycles: same day {f['same_day_red_sent']:.0f}, "
            f"new day {f['new_day_red_sent']:.0f}; latency with a 1-minute interval: "
            f"worst {worst:.0f} s, typical mean {mean:.0f} s (target < 120 s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--notifications", type=int, default=4000)
    parser.add_argument("--exporters", type=int, default=5000)
    parser.add_argument("--child", choices=("baseline", "tbtwarn"))
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--only", choices=("baseline", "tbtwarn"), help="run one variant (no comparison)")
    parser.add_argument(
        "--all-in-full",
        action="store_true",
        help="with --only: every alert of a digest in full ([digest] full_items = 0), as before 2026-11-25",
    )
    parser.add_argument(
        "--baseline-scale",
        type=float,
        default=1.0,
        help="run the baseline on this fraction of the notifications and exporters "
        "(at full scale it takes most of an hour on a busy 2-core machine)",
    )
    parser.add_argument(
        "--instances",
        action="store_true",
        help="the year through daemons: 1 on SQLite, 1 and 2 on PostgreSQL ($TBTWARN_TEST_PG_URL)",
    )
    args = parser.parse_args()
    if args.instances:
        from bench.instances import compare

        pg_url = os.environ.get("TBTWARN_TEST_PG_URL", "")
        if not pg_url:
            raise SystemExit("bench/pipeline.py --instances: set TBTWARN_TEST_PG_URL (a role with CREATEDB)")
        compare(args.notifications, args.exporters, pg_url)
        return
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child, args.folder, args.exporters))))
        return
    if args.only:
        digest = "[digest]\nfull_items = 0\n" if args.all_in_full else ""
        print(json.dumps(_run_variant(args.only, args.notifications, args.exporters, digest), indent=1))
        return
    scale = args.baseline_scale
    base_n, base_e = round(args.notifications * scale), round(args.exporters * scale)
    base = _run_variant("baseline", base_n, base_e)
    ours = _run_variant("tbtwarn", args.notifications, args.exporters)
    if scale != 1.0:
        print(f"baseline on {base_n} notifications and {base_e} exporters (--baseline-scale {scale:g})")
    _report(args, base, ours)


if __name__ == "__main__":
    main()
