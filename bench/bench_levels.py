"""How long the alerting step takes with warning levels, against matching alone.

Loads the bundled sample copied ``--copies`` times (new symbols for each copy)
with the demo register and exposure into a temporary SQLite file, then times,
in the same run, the matching-only pass (the baseline: what alerting did
before levels) and ``create_alerts`` (levels, threads, warnings, alert
upserts). Prints medians of ``--repeat`` runs.

    .venv/bin/python bench/bench_levels.py --copies 20 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from feeds.sample_record import notification_from_sample
from warning.classify import classify_pending
from warning.clock import FixedClock
from warning.config import parse_config
from warning.levels.alerting import _ExporterIndex, create_alerts
from warning.levels.matching import matching_products
from warning.register import read_exporters, read_exposure
from warning.runtime import Runtime
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.exposure import save_exposure
from warning.storage.notifications import load_notifications, matches_by_notification, upsert_notification
from warning.symbols import parse_symbols
from warning.types import Notification

ROOT = Path(__file__).resolve().parent.parent


def _copy(n: Notification, k: int) -> Notification:
    if not n.symbols:
        return replace(n, key=f"{n.key}#{k}")
    texts = [s.text.replace(f"/{s.number}", f"/{s.number + 10000 * k}", 1) for s in n.symbols]
    symbols = parse_symbols(texts)
    return replace(n, key=symbols[0].text, symbols=symbols)


async def _load(rt: Runtime, copies: int) -> int:
    lines = (ROOT / "feeds/data/wto_sample.jsonl").read_text(encoding="utf-8").splitlines()
    base = [notification_from_sample(json.loads(line), "bench") for line in lines if line.strip()]
    data = ROOT / "warning/data"
    exporters, _ = read_exporters((data / "demo_exporters.csv").read_text(encoding="utf-8"))
    rows, _ = read_exposure(
        (data / "demo_exposure.csv").read_text(encoding="utf-8"), {e.name for e in exporters}
    )
    async with rt.db.begin() as conn:
        for e in exporters:
            await save_exporter(conn, e, rt.now())
        await save_exposure(conn, rows, rt.now())
        for k in range(copies):
            for n in base:
                await upsert_notification(conn, _copy(n, k), rt.now())
    await classify_pending(rt)
    return len(base) * copies


async def _matching_only(rt: Runtime) -> int:
    async with rt.db.begin() as conn:
        exporters = await load_exporters(conn)
        by_id = dict(exporters)
        index = _ExporterIndex(exporters)
        matches = await matches_by_notification(conn)
        pairs = 0
        for notification_id, n in await load_notifications(conn):
            product_matches = [m for m in matches.get(notification_id, []) if m.score >= 0.5]
            candidates: set[int] = set()
            for m in product_matches:
                candidates |= index.candidates(m.hs_code)
            pairs += sum(bool(matching_products(n, product_matches, by_id[i])) for i in candidates)
    return pairs


async def main(copies: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = parse_config('database_url = "sqlite+aiosqlite:///bench.db"\n', Path(tmp) / "config.toml")
        rt = await Runtime.open(config, FixedClock(dt.datetime(2026, 7, 1, tzinfo=dt.UTC)))
        try:
            count = await _load(rt, copies)
            base_times, level_times = [], []
            for _ in range(repeat):
                start = time.perf_counter()
                pairs = await _matching_only(rt)
                base_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                await create_alerts(rt)
                level_times.append(time.perf_counter() - start)
        finally:
            await rt.close()
    base, levels = statistics.median(base_times), statistics.median(level_times)
    print(f"{count} notifications, {pairs} matching pairs, median of {repeat}")
    print(f"baseline (matching only):        {base * 1000:8.1f} ms")
    print(f"create_alerts (levels, threads): {levels * 1000:8.1f} ms  ({levels / base:.1f}x baseline)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.copies, args.repeat))
