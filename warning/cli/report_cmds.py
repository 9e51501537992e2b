"""``tbtwarn report --period 2026-11|2026-Q4|2026 --format xlsx|html``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warning.cli.base import SubParsers

if TYPE_CHECKING:
    from warning.runtime import Runtime

#: ``warning.reports.run.FORMATS``, written out: importing that module loads the
#: report writers, which ``tbtwarn --help`` must not (test_cli_imports checks both).
FORMATS = ("xlsx", "html")


async def report(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.reports.data import parse_period

    try:
        period = parse_period(args.period)
    except ValueError as exc:
        print(f"tbtwarn: {exc}", file=sys.stderr)
        return 2
    from warning.reports.run import make_report, render_report

    made = await make_report(rt, period)
    body = render_report(made, args.format, args.language)
    target = args.output or Path(f"tbt-report-{period.label}.{args.format}")
    target.write_bytes(body)
    print(f"{target}: {made.total} notifications in {period.label}, {len(made.covered)} market-sector rows")
    return 0


def register(sub: SubParsers) -> None:
    p = sub.add_parser("report", help="the report of a month, quarter or year (xlsx or printable HTML)")
    p.add_argument("--period", required=True, help="2026-11 (month), 2026-Q4 (quarter) or 2026 (year)")
    p.add_argument("--format", choices=FORMATS, default="xlsx")
    p.add_argument("--language", choices=("zh", "en"), default="zh", help="headers' language (default zh)")
    p.add_argument("-o", "--output", type=Path, help="file to write (default tbt-report-PERIOD.FORMAT)")
    p.set_defaults(handler=report)
