"""What command modules share."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from warning.runtime import Runtime

#: A command: takes the parsed arguments and the open runtime, returns the exit code.
Handler = Callable[[argparse.Namespace, Runtime], Awaitable[int]]
SubParsers = Any  # argparse's _SubParsersAction is private


def command_group(sub: SubParsers, name: str, help: str, metavar: str = "WHAT") -> SubParsers:
    """The sub-commands of ``tbtwarn NAME``, made on first use.

    Several command modules add to one group (``import``, ``export``) this way.
    """
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help)
        parser.set_defaults(_group=parser.add_subparsers(dest="what", required=True, metavar=metavar))
    return parser.get_default("_group")
