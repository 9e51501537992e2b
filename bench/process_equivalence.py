"""Whether two code trees classify and alert alike: the year benchmark's data
through the classify + alert step, with the results dumped and compared.

Usage: .venv/bin/python bench/process_equivalence.py --before DIR [--after DIR]
       [--notifications 1000] [--exporters 1250]

Without ``--before`` only ``--after`` runs (timing or profiling it).

``DIR`` is a checkout (e.g. ``git archive a5f35a7 | tar -x -C /tmp/before``);
``--after`` defaults to this tree. Each tree runs in its own child process
(its ``warning`` package first on ``sys.path``) on a fresh SQLite file: the
register with its default subscriptions, a collection of the year from a
loopback ePing API (``bench/eping_server.py``), the process job (classify
pending, create alerts), then the first process job of the next day (a full
recompute of every level). After each process job the ``product_matches``,
``alerts`` and ``notification_warnings`` tables (and ``subscriptions``) are
dumped with their JSON columns decoded; the script prints the row counts
and exits 1 at the first difference between the trees.
``TBTWARN_BENCH_PROFILE=FILE`` writes a cProfile of each tree's year process
job to FILE (the last tree's stays).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Tables compared, with the columns that order their rows.
TABLES = {
    "product_matches": ("notification_id", "hs_code"),
    "alerts": ("id",),
    "notification_warnings": ("notification_id",),
    "subscriptions": ("id",),
}


def _plain(value: Any) -> Any:
    """A column value as comparable JSON: JSON text decoded, dates as text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


async def _dump(rt: Any) -> dict[str, list[dict[str, Any]]]:
    import sqlalchemy as sa

    from warning.storage import schema

    out: dict[str, list[dict[str, Any]]] = {}
    async with rt.db.begin() as conn:
        for name, order in TABLES.items():
            table = schema.metadata.tables[name]
            query = sa.select(table).order_by(*(table.c[c] for c in order))
            out[name] = [{k: _plain(v) for k, v in row._mapping.items()} for row in await conn.execute(query)]
    return out


class _GcTimer:
    """Time spent in the garbage collector (its callbacks mark each pass)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._started


async def _child(folder: Path, exporters: int) -> dict[str, Any]:
    import bench.pipeline as pipeline
    from warning.clock import FixedClock
    from warning.config import load_config
    from warning.runtime import Runtime
    from warning.service.jobs import JobContext, collect_job, process_job

    clock = FixedClock(dt.datetime.fromisoformat(pipeline.NOW))
    rt = await Runtime.open(load_config(folder / "config.toml"), clock)
    result: dict[str, Any] = {"warning_package": str(Path(sys.modules["warning"].__file__ or "").parent)}
    try:
        await pipeline._register(rt, exporters)
        ctx = JobContext()
        await collect_job(rt, ctx, "year")
        gc.collect()  # what the collection step left is not the process step's
        gc_timer = _GcTimer()
        started = time.perf_counter()
        profile_to = os.environ.get("TBTWARN_BENCH_PROFILE")
        profiler = cProfile.Profile() if profile_to else None
        if profiler is not None:
            profiler.enable()
        await process_job(rt, ctx)
        if profiler is not None and profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to)
        result["year_process_s"] = time.perf_counter() - started
        result["year_process_gc_s"] = gc_timer.total
        # Cyclic garbage the step left (what only the collector frees).
        result["year_process_unreachable"] = gc.collect()
        # Kept as text: the decoded rows would make the next step's heap,
        # and so its garbage collections, larger than the service's.
        result["year"] = json.dumps(await _dump(rt))
        clock.advance(dt.timedelta(days=1))
        gc.collect()
        gc_timer.total = 0.0  # the dump's collections are not the step's
        started = time.perf_counter()
        await process_job(rt, ctx)
        result["new_day_process_s"] = time.perf_counter() - started
        result["new_day_process_gc_s"] = gc_timer.total
        result["new_day_process_unreachable"] = gc.collect()
        result["new_day"] = json.dumps(await _dump(rt))
    finally:
        await rt.close()
    return result


def _run_tree(tree: Path, notifications: int, exporters: int, out: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import bench.pipeline as pipeline

    with tempfile.TemporaryDirectory(prefix="tbtwarn-equivalence-") as tmp:
        folder = Path(tmp)
        eping_port, smtp_port = pipeline._free_port(), pipeline._free_port()
        pipeline._setup(folder, notifications, eping_port, smtp_port)
        server = pipeline._start(
            [str(ROOT / "bench" / "eping_server.py"), str(eping_port), str(folder / "items.jsonl")]
        )
        try:
            args = [__file__, "--child", "--tree", str(tree), "--folder", str(folder)]
            args += ["--exporters", str(exporters), "--out", str(out)]
            done = subprocess.run([sys.executable, *args], cwd=folder, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{tree} failed:\n{done.stderr[-3000:]}")
        finally:
            server.terminate()
            server.wait()
    return dict(json.loads(out.read_text("utf-8")))


def _compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems = []
    for step in ("year", "new_day"):
        dumps = json.loads(before[step]), json.loads(after[step])
        for table in TABLES:
            old, new = dumps[0][table], dumps[1][table]
            print(f"{step:8} {table:22} {len(old):>8} rows before, {len(new):>8} after")
            if len(old) != len(new):
                problems.append(f"{step} {table}: {len(old)} rows before, {len(new)} after")
                continue
            for a, b in zip(old, new, strict=True):
                if a != b:
                    problems.append(f"{step} {table}: first difference\n  before {a}\n  after  {b}")
                    break
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", type=Path)
    parser.add_argument("--after", type=Path, default=ROOT)
    parser.add_argument("--notifications", type=int, default=1000)
    parser.add_argument("--exporters", type=int, default=1250)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        # The tree's own packages first (before the editable install's finder).
        sys.path.insert(0, str(args.tree.resolve()))
        os.chdir(args.folder)
        result = asyncio.run(_child(args.folder, args.exporters))
        args.out.write_text(json.dumps(result), "utf-8")
        return
    with tempfile.TemporaryDirectory(prefix="tbtwarn-equivalence-out-") as tmp:
        results = []
        for tree in (args.before, args.after) if args.before else (args.after,):
            result = _run_tree(tree.resolve(), args.notifications, args.exporters, Path(tmp) / "out.json")
            print(
                f"{result['warning_package']}: year process {result['year_process_s']:.1f} s "
                f"(garbage collector {result['year_process_gc_s']:.1f} s, "
                f"{result['year_process_unreachable']} unreachable objects after), "
                f"new day {result['new_day_process_s']:.1f} s ({result['new_day_process_gc_s']:.1f} s, "
                f"{result['new_day_process_unreachable']})"
            )
            results.append(result)
    if len(results) == 1:
        return
    problems = _compare(*results)
    for problem in problems:
        print(problem)
    print("identical" if not problems else f"{len(problems)} differences")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
