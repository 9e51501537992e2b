"""The officials' report on the year bench's data: 4,000 notifications, 5,000 exporters.

Usage: .venv/bin/python bench/report.py [--notifications 4000] [--exporters 5000] [--folder DIR]

``bench/pipeline.py`` builds the data (its ``tbtwarn`` variant: a year from
a loopback ePing API through collection, classification, alerting and the
daily digests, with the exporters' export figures); then each report is
made in this process, timed: the tables (``make_report``), then the xlsx
workbook and the printable HTML page. The figure to hold is the slowest
report, tables and file together, under 10 s. ``--folder DIR`` keeps the
data there (and reuses it when ``DIR/var/bench.db`` exists).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pipeline import NOW, _free_port, _setup, _start  # noqa: E402
from warning.clock import FixedClock  # noqa: E402
from warning.config import load_config  # noqa: E402
from warning.reports.data import parse_period  # noqa: E402
from warning.reports.run import make_report, render_report  # noqa: E402
from warning.runtime import Runtime  # noqa: E402

PERIODS = ("2026-06", "2026-Q2", "2026", "2025")


def build(folder: Path, count: int, exporters: int) -> None:
    """The year bench's database in ``folder`` (bench/pipeline.py's tbtwarn variant)."""
    eping_port, smtp_port = _free_port(), _free_port()
    _setup(folder, count, eping_port, smtp_port)
    servers = [
        _start([str(ROOT / "bench" / "eping_server.py"), str(eping_port), str(folder / "items.jsonl")]),
        _start([str(ROOT / "bench" / "smtp_sink.py"), str(smtp_port)]),
    ]
    try:
        child = [str(ROOT / "bench" / "pipeline.py"), "--child", "tbtwarn", "--folder", str(folder)]
        out = subprocess.run(
            [sys.executable, *child, "--exporters", str(exporters)], capture_output=True, text=True
        )
        if out.returncode != 0:
            raise SystemExit(f"building the year failed:\n{out.stderr[-3000:]}")
    finally:
        for server in servers:
            server.terminate()
            server.wait()


async def measure(folder: Path) -> list[tuple[str, int, float, float, float, float]]:
    """(period, notifications, tables s, xlsx s, html s, CPU s of all three) for each period.
    The process's CPU time counts its threads too (the database works in one)."""
    rt = await Runtime.open(load_config(folder / "config.toml"), FixedClock(dt.datetime.fromisoformat(NOW)))
    out = []
    try:
        for text in PERIODS:
            cpu = time.process_time()
            started = time.perf_counter()
            report = await make_report(rt, parse_period(text))
            tables = time.perf_counter() - started
            started = time.perf_counter()
            render_report(report, "xlsx", "zh")
            xlsx = time.perf_counter() - started
            started = time.perf_counter()
            render_report(report, "html", "zh")
            html = time.perf_counter() - started
            out.append((text, report.total, tables, xlsx, html, time.process_time() - cpu))
    finally:
        await rt.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--notifications", type=int, default=4000)
    parser.add_argument("--exporters", type=int, default=5000)
    parser.add_argument("--folder", type=Path, help="keep (or reuse) the year's data here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tbtwarn-bench-report-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "var" / "bench.db").exists():
            started = time.perf_counter()
            build(folder, args.notifications, args.exporters)
            print(
                f"built the year ({args.notifications} notifications, {args.exporters} exporters) "
                f"in {time.perf_counter() - started:.1f} s"
            )
        rows = asyncio.run(measure(folder))
    print("period    notifications  tables_s  xlsx_s  html_s  total_s  cpu_s")
    for text, total, tables, xlsx, html, cpu in rows:
        wall = tables + xlsx + html
        print(f"{text:<9} {total:>13}  {tables:8.2f}  {xlsx:6.2f}  {html:6.2f}  {wall:7.2f}  {cpu:5.2f}")
    worst = max(t + x + h for _, _, t, x, h, _ in rows)
    worst_cpu = max(c for *_, c in rows)
    verdict = "under" if worst < 10 else "OVER"
    print(f"slowest report: {worst:.2f} s wall ({verdict} the 10 s target), {worst_cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
