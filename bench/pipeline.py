"""A year through the whole pipeline: 4,000 notifications, 5,000 exporters.

Usage: .venv/bin/python bench/pipeline.py [--notifications 4000] [--exporters 5000]

Each variant runs in its own child process on a fresh SQLite file, so peak
memory (ru_maxrss) is its own:
- baseline: ``run_once`` (the one-shot pipeline);
- daemon jobs: the daemon's jobs in the order the scheduler runs them
  (collect, then its chained classify/alert/dispatch), then one more
  notification appearing at the source and the next cycle carrying its
  alert to the outbox.

Alert latency with a 1-minute collection interval is simulated rather than
waited for: a notification appears at the source at worst just after a
collection, so it waits up to one interval (60 s) for the next, plus the
measured wall time of that cycle (collect, classify, alert, compose,
deliver). Waiting real minutes would measure the timer, not the service.

The source is a local ``file`` source (a loopback HTTP source comes with the
collectors); mail goes to the .eml outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.nomenclature import load_nomenclature  # noqa: E402
from tests.reliability.harness import recombination_base, recombined  # noqa: E402
from warning.clock import FixedClock  # noqa: E402
from warning.config import load_config  # noqa: E402
from warning.jobs import JobContext, collect_job, dispatch_job, process_job  # noqa: E402
from warning.pipeline import run_once  # noqa: E402
from warning.register import read_exporters  # noqa: E402
from warning.runtime import Runtime  # noqa: E402
from warning.storage.exporters import save_exporter  # noqa: E402

NOW = "2026-07-01T00:00:00+00:00"
INTERVAL_S = 60.0


def exporters_csv(count: int) -> str:
    """``count`` exporters, each with three HS headings spread over the whole
    nomenclature (a zone's register covers many trades) and every market."""
    headings = sorted(code for code in load_nomenclature().entries if len(code) == 4 and code < "97")
    rows = ["name,email,language,hs_codes,markets"]
    for n in range(count):
        picked = ";".join(headings[(n * 37 + k * 101) % len(headings)] for k in range(3))
        rows.append(f"Exporter {n:05d},e{n:05d}@exporter.example.com,{'zh' if n % 2 else 'en'},{picked},*")
    return "\n".join(rows) + "\n"


def _setup(folder: Path, notifications: int) -> Path:
    source = folder / "year.jsonl"
    source.write_text("\n".join(recombined(notifications)) + "\n", encoding="utf-8")
    config = folder / "config.toml"
    config.write_text(
        'database_url = "sqlite+aiosqlite:///var/bench.db"\n'
        f'[[sources]]\nname = "year"\nkind = "file"\npath = "{source}"\ninterval_minutes = 1\n'
        '[delivery]\noutbox_dir = "var/outbox"\n',
        encoding="utf-8",
    )
    return config


async def _alerting_twin(rt: Runtime) -> int:
    """A new notification's index whose record is like one that alerted someone."""
    import sqlalchemy as sa

    from warning.storage.schema import alerts, notifications

    query = (
        sa.select(notifications.c.key).join(alerts, alerts.c.notification_id == notifications.c.id).limit(1)
    )
    async with rt.db.begin() as conn:
        key = (await conn.execute(query)).scalar_one()
    return int(key.rsplit("/", 1)[1]) - 90_000 + 1000 * len(recombination_base())


async def _cycle(rt: Runtime, ctx: JobContext, figures: dict[str, float], label: str) -> None:
    """One collection cycle as the daemon runs it, timing each job."""
    for name, job in (("collect", collect_job), ("process", process_job), ("dispatch", dispatch_job)):
        started = time.perf_counter()
        await (job(rt, ctx, "year") if name == "collect" else job(rt, ctx))  # type: ignore[call-arg]
        figures[f"{label}_{name}_s"] = time.perf_counter() - started


async def _child(variant: str, folder: Path, exporters: int) -> dict[str, float]:
    import datetime as dt

    rt = await Runtime.open(load_config(folder / "config.toml"), FixedClock(dt.datetime.fromisoformat(NOW)))
    try:
        rows, _ = read_exporters(exporters_csv(exporters), skip_bad=True)
        async with rt.db.begin() as conn:
            for exporter in rows:
                await save_exporter(conn, exporter, rt.now())
        figures: dict[str, float] = {}
        started = time.perf_counter()
        if variant == "baseline":
            await run_once(rt)
        else:
            ctx = JobContext()
            await _cycle(rt, ctx, figures, "year")
        figures["year_s"] = time.perf_counter() - started
        figures["emails"] = len(list((folder / "var" / "outbox").glob("*.eml")))
        if variant != "baseline":
            source = folder / "year.jsonl"
            extra = recombined(1, start=await _alerting_twin(rt))[0]
            with source.open("a", encoding="utf-8") as fh:
                fh.write(extra + "\n")
            before = len(list((folder / "var" / "outbox").glob("*.eml")))
            cycle = time.perf_counter()
            await _cycle(rt, ctx, figures, "cycle")
            figures["cycle_s"] = time.perf_counter() - cycle
            figures["new_emails"] = len(list((folder / "var" / "outbox").glob("*.eml"))) - before
    finally:
        await rt.close()
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=4000)
    parser.add_argument("--exporters", type=int, default=5000)
    parser.add_argument("--child", choices=("baseline", "jobs"))
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child, args.folder, args.exporters))))
        return
    results = {}
    for variant in ("baseline", "jobs"):
        with tempfile.TemporaryDirectory(prefix=f"tbtwarn-bench-{variant}-") as tmp:
            folder = Path(tmp)
            _setup(folder, args.notifications)
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    variant,
                    "--folder",
                    str(folder),
                    "--exporters",
                    str(args.exporters),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            results[variant] = json.loads(out.stdout.strip().splitlines()[-1])
    base, jobs = results["baseline"], results["jobs"]
    print(f"{args.notifications} notifications, {args.exporters} exporters (file source -> .eml outbox)")
    print(f"{'':24}{'baseline run_once':>20}{'daemon jobs':>16}")
    print(f"{'year wall time (s)':24}{base['year_s']:>20.1f}{jobs['year_s']:>16.1f}   target < 60")
    print(f"{'peak memory (MB)':24}{base['peak_mb']:>20.0f}{jobs['peak_mb']:>16.0f}   target < 500")
    print(f"{'emails written':24}{base['emails']:>20.0f}{jobs['emails']:>16.0f}")
    print(f"ratio daemon jobs / baseline wall time: {jobs['year_s'] / base['year_s']:.2f}")
    for label in ("year", "cycle"):
        steps = ", ".join(f"{n} {jobs[f'{label}_{n}_s']:.1f} s" for n in ("collect", "process", "dispatch"))
        print(f"daemon jobs, {'the year' if label == 'year' else 'the next cycle'}: {steps}")
    worst, mean = INTERVAL_S + jobs["cycle_s"], INTERVAL_S / 2 + jobs["cycle_s"]
    print(
        f"one new notification: next cycle {jobs['cycle_s']:.1f} s, {jobs['new_emails']:.0f} alert emails; "
        f"latency with a 1-minute interval: worst {worst:.0f} s, mean {mean:.0f} s "
        "(target < 120 s)"
    )


if __name__ == "__main__":
    main()
