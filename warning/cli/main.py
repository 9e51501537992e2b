"""Entry point of ``tbtwarn``: parses arguments, loads config, runs a command.

Exit codes: 0 success, 1 the command ran but something failed (a source, a
delivery, a bad import file), 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from warning import __version__
from warning.cli import (
    application_cmds,
    classify_cmds,
    data_cmds,
    delivery_cmds,
    mapping_cmds,
    ops_cmds,
    pipeline_cmds,
    report_cmds,
    warning_cmds,
    web_cmds,
)
from warning.cli.base import Handler
from warning.exceptions import ConfigError, TbtError
from warning.service import early_stop

# The command modules import what their commands need inside the handlers: `tbtwarn --help`
# and the commands that do not classify start without scikit-learn, jieba, matplotlib or
# the web app (tests/warning/test_cli_imports.py checks it).

#: Modules that add sub-commands; each has ``register(subparsers)``.
COMMAND_MODULES = (
    pipeline_cmds,
    classify_cmds,
    mapping_cmds,
    data_cmds,
    warning_cmds,
    delivery_cmds,
    web_cmds,
    ops_cmds,
    application_cmds,
    report_cmds,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tbtwarn", description="TBT early-warning service")
    parser.add_argument("--version", action="version", version=f"tbtwarn {__version__}")
    parser.add_argument(
        "--config", type=Path, default=Path("config.toml"), help="config file (default ./config.toml)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


async def _run(handler: Handler, args: argparse.Namespace, config_path: Path) -> int:
    from warning.config import load_config
    from warning.logs import configure_logging
    from warning.runtime import Runtime

    config = load_config(config_path)
    configure_logging(config.logging)
    rt = await Runtime.open(config)
    try:
        return await handler(args, rt)
    finally:
        await rt.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from sqlalchemy.exc import SQLAlchemyError

    from warning.clock import clock_from_env, time_scale_from_env
    from warning.config import load_config

    if not getattr(args, "graceful_stop", False) or getattr(args, "once", False):
        early_stop.release()  # not a service: SIGTERM ends it as usual
    try:
        load_config(args.config)  # validate before touching anything
        clock_from_env()  # and the environment's settings
        time_scale_from_env()
        return asyncio.run(_run(args.handler, args, args.config))
    except ConfigError as exc:
        print(f"tbtwarn: config error: {exc}", file=sys.stderr)
        return 2
    except TbtError as exc:
        print(f"tbtwarn: error: {exc}", file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as exc:
        # The database is unreachable or the disk refuses: say so, no traceback.
        print(f"tbtwarn: database or file error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
