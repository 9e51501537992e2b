"""Operations commands: health, backup."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from warning.cli.base import SubParsers
from warning.exceptions import BackupError
from warning.runtime import Runtime
from warning.service.backup import backup_database
from warning.service.health import check_health


async def health_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    report = await check_health(rt)
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        print(f"database: {'reachable' if report.database else 'UNREACHABLE'}")
        for s in report.sources:
            failures = f", {s.consecutive_failures} failures in a row" if s.consecutive_failures else ""
            print(f"source {s.name}: last success {s.last_success_at or 'never'}{failures}")
        print(f"outbox: {report.outbox_pending} pending, {report.outbox_failed} failed")
        holders = {lease.name: lease.holder for lease in report.leases}
        for j in report.jobs:
            error = f", last error: {j.last_error}" if j.last_error else ""
            held = holders.get(f"job:{j.job_id}")
            running = f", running now on {held}" if held else ""
            print(
                f"job {j.job_id}: {j.runs} runs, last started {j.last_started_at or 'never'}{error}{running}"
            )
        shared = holders.get("shared-state")
        if shared:
            print(f"shared-state steps: held by {shared}")
        for problem in report.problems:
            print(f"problem: {problem}")
        print("healthy" if report.healthy else "NOT healthy")
    return 0 if report.healthy else 1


async def backup_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    try:
        size = await backup_database(rt.config.database_url, args.path)
    except BackupError as exc:
        print(f"tbtwarn backup: {exc}", file=sys.stderr)
        return 1
    print(f"backup written to {args.path} ({size} bytes)")
    return 0


def register(sub: SubParsers) -> None:
    p = sub.add_parser("health", help="check the service (exit 0 healthy, 1 not)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (as /healthz)")
    p.set_defaults(handler=health_cmd)

    p = sub.add_parser("backup", help="a consistent copy of the SQLite database, also while running")
    p.add_argument("path", type=Path, help="file to write")
    p.set_defaults(handler=backup_cmd)
