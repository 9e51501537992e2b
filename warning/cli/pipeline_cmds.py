"""Commands that run the pipeline or its steps: init, run (once or as a daemon), collect
(classify and send: their own modules)."""

from __future__ import annotations

import argparse
import logging
import os
from typing import TYPE_CHECKING

from warning.cli.base import SubParsers
from warning.clock import demo_clock_note, time_scale_from_env

if TYPE_CHECKING:
    from warning.runtime import Runtime


async def init(args: argparse.Namespace, rt: Runtime) -> int:
    # Runtime.open has applied the migrations.
    print(f"database ready: {rt.config.database_url}")
    return 0


async def run(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.pipeline import run_once
    from warning.service.daemon import Daemon

    if not args.once:
        note = demo_clock_note(rt.config.demo.now, rt.config.zone.timezone)
        if note:
            print(note, flush=True)
        daemon = Daemon(rt, time_scale=time_scale_from_env())
        code = await daemon.run(args.host, args.port)
        if daemon.ctx.has_hung_work:
            # A source read hangs in a thread that cannot be interrupted, and
            # Python would wait for it at exit: everything is committed and
            # closed, so leave without waiting (the stop must take < 10 s).
            logging.getLogger("tbtwarn.daemon").warning("exiting with a source read still hanging")
            await rt.close()
            logging.shutdown()
            os._exit(code)
        return code
    summary = await run_once(rt)
    note = demo_clock_note(rt.config.demo.now, rt.config.zone.timezone)
    for line in ([note] if note else []) + summary.lines():
        print(line)
    print(f"emails written to {rt.config.delivery.outbox_dir}")
    return 0 if summary.ok else 1


async def collect_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.collect import collect

    outcomes = await collect(rt, args.source, reparse=args.reparse)
    for outcome in outcomes:
        print(outcome.line())
    return 0 if all(o.ok for o in outcomes) else 1


def register(sub: SubParsers) -> None:
    p = sub.add_parser("init", help="create or upgrade the database")
    p.set_defaults(handler=init)

    p = sub.add_parser("run", help="run the pipeline")
    p.add_argument("--once", action="store_true", help="collect, classify, match and send once")
    p.add_argument("--host", default="127.0.0.1", help="address of the web server (daemon)")
    p.add_argument("--port", type=int, default=8080, help="port of the web server (0: any free port)")
    # Without --once: a SIGTERM during start-up is a clean stop (warning.service.early_stop).
    p.set_defaults(handler=run, graceful_stop=True)

    p = sub.add_parser("collect", help="collect notifications from the sources")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    p.add_argument("--reparse", action="store_true", help="re-parse stored payloads instead of fetching")
    p.set_defaults(handler=collect_cmd)
