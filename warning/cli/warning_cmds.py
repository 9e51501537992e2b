"""Commands of the warning levels: import exposure, export deadlines."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warning.cli.base import SubParsers, command_group, read_import_file
from warning.exceptions import ImportFileError

if TYPE_CHECKING:
    from warning.runtime import Runtime


async def import_exposure(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.register import read_exposure
    from warning.storage.exposure import exporter_names, save_exposure

    async with rt.db.begin() as conn:
        names = await exporter_names(conn)
    try:
        rows, skipped = read_exposure(read_import_file(args.file), names, skip_bad=args.skip_bad)
    except ImportFileError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    # One transaction: a failure half-way leaves the register as it was.
    async with rt.db.begin() as conn:
        counts = await save_exposure(conn, rows, rt.now())
    for problem in skipped:
        print(f"{args.file}: skipped {problem}", file=sys.stderr)
    print(
        f"exposure: {counts['new']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {len(skipped)} bad row problems skipped"
    )
    return 0


async def export_deadlines(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.levels.deadlines import deadlines_calendar
    from warning.review.surfaces import warning_shaper

    # An exporter's calendar shows its alerts as it receives them (the officials' review).
    async with rt.db.begin() as conn:
        shape = await warning_shaper(conn)
    data = await deadlines_calendar(rt, args.exporter, shape)
    if args.output:
        await asyncio.to_thread(args.output.write_bytes, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def register(sub: SubParsers) -> None:
    what = command_group(sub, "import", "import the export register from CSV")
    e = what.add_parser("exposure", help="export values: hs_code,market,value_usd,year[,exporter]")
    e.add_argument("file", type=Path)
    e.add_argument("--skip-bad", action="store_true", help="import the good rows of a file with bad rows")
    e.set_defaults(handler=import_exposure)

    what = command_group(sub, "export", "export data")
    d = what.add_parser("deadlines", help="comment deadlines of warned notifications as a calendar")
    d.add_argument("--format", choices=("ics",), default="ics")
    d.add_argument("--exporter", metavar="NAME", help="only this exporter's warnings, in its language")
    d.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    d.set_defaults(handler=export_deadlines)
