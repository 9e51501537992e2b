"""Commands that run the pipeline or its steps: init, run, collect (classify and send: their own modules)."""

from __future__ import annotations

import argparse

from warning.cli.base import SubParsers
from warning.collect import collect
from warning.pipeline import run_once
from warning.runtime import Runtime


async def init(args: argparse.Namespace, rt: Runtime) -> int:
    # Runtime.open has applied the migrations.
    print(f"database ready: {rt.config.database_url}")
    return 0


async def run(args: argparse.Namespace, rt: Runtime) -> int:
    if not args.once:
        print("tbtwarn run: only --once is available; the scheduler daemon is not built yet")
        return 2
    summary = await run_once(rt)
    for line in summary.lines():
        print(line)
    print(f"emails written to {rt.config.delivery.outbox_dir}")
    return 0 if summary.ok else 1


async def collect_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    outcomes = await collect(rt, args.source, reparse=args.reparse)
    for outcome in outcomes:
        print(outcome.line())
    return 0 if all(o.ok for o in outcomes) else 1


def register(sub: SubParsers) -> None:
    p = sub.add_parser("init", help="create or upgrade the database")
    p.set_defaults(handler=init)

    p = sub.add_parser("run", help="run the pipeline")
    p.add_argument("--once", action="store_true", help="collect, classify, match and send once")
    p.set_defaults(handler=run)

    p = sub.add_parser("collect", help="collect notifications from the sources")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    p.add_argument("--reparse", action="store_true", help="re-parse stored payloads instead of fetching")
    p.set_defaults(handler=collect_cmd)
