"""Commands that move data in and out: import, export, quarantine, sources."""

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


async def import_exporters(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.register import read_exporters
    from warning.storage.exporters import load_exporters, save_exporter
    from warning.storage.subscriptions import sync_from_register

    try:
        exporters, skipped = read_exporters(read_import_file(args.file), skip_bad=args.skip_bad)
    except ImportFileError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    async with rt.db.begin() as conn:
        for exporter in exporters:
            counts[await save_exporter(conn, exporter, rt.now())] += 1
        # Each contact gets a default subscription; their own choices are kept.
        await sync_from_register(conn, await load_exporters(conn), rt.now())
    for problem in skipped:
        print(f"{args.file}: skipped {problem}", file=sys.stderr)
    print(
        f"exporters: {counts['new']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {len(skipped)} bad row problems skipped"
    )
    return 0


async def export_notifications(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.export import notification_records, to_csv, to_jsonl

    records = await notification_records(rt)
    text = to_csv(records) if args.format == "csv" else "".join(to_jsonl(records))
    if args.output:
        await asyncio.to_thread(args.output.write_text, text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)
    return 0


async def quarantine_list(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.raw import list_quarantine

    async with rt.db.begin() as conn:
        items = await list_quarantine(conn, args.limit)
    for item in items:
        print(f"#{item.id} {item.source_name} {item.position}: {item.reason}")
        if args.raw:
            print(f"    {item.raw_text[:500]}")
    print(f"{len(items)} quarantined")
    return 0


async def sources_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.raw import list_source_states

    async with rt.db.begin() as conn:
        states = {s.source_name: s for s in await list_source_states(conn)}
    for source in rt.config.sources:
        state = states.get(source.name)
        if state is None:
            print(f"{source.name} ({source.kind}): never run")
            continue
        success = state.last_success_at.isoformat() if state.last_success_at else "never"
        line = f"{source.name} ({source.kind}): last success {success}"
        if state.consecutive_failures:
            line += f", {state.consecutive_failures} failures in a row, last: {state.last_error}"
        print(line)
    return 0


def register(sub: SubParsers) -> None:
    what = command_group(sub, "import", "import the export register from CSV")
    e = what.add_parser("exporters", help="exporters: name,email,language,hs_codes,markets[,product_names]")
    e.add_argument("file", type=Path)
    e.add_argument("--skip-bad", action="store_true", help="import the good rows of a file with bad rows")
    e.set_defaults(handler=import_exporters)

    what = command_group(sub, "export", "export data")
    n = what.add_parser("notifications", help="one normalised record per notification")
    n.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    n.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    n.set_defaults(handler=export_notifications)

    p = sub.add_parser("quarantine", help="malformed records set aside")
    what = p.add_subparsers(dest="what", required=True, metavar="ACTION")
    q = what.add_parser("list", help="list quarantined records with their reasons")
    q.add_argument("--limit", type=int, default=100)
    q.add_argument("--raw", action="store_true", help="show the raw text")
    q.set_defaults(handler=quarantine_list)

    p = sub.add_parser("sources", help="sources and their health")
    p.set_defaults(handler=sources_cmd)
