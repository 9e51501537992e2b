"""What command modules share."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warning.exceptions import ImportFileError

if TYPE_CHECKING:
    from warning.runtime import Runtime

#: A command: takes the parsed arguments and the open runtime, returns the exit code.
Handler = Callable[[argparse.Namespace, "Runtime"], Awaitable[int]]
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


def read_import_file(path: Path) -> str:
    """The text of a CSV file to import (UTF-8, a BOM allowed).

    Raises:
        ImportFileError: the file cannot be read or is not UTF-8; the message
            does not repeat the path (the caller names the file once).
    """
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFileError(f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ImportFileError("not UTF-8 text") from None
