"""What command modules share."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from warning.runtime import Runtime

#: A command: takes the parsed arguments and the open runtime, returns the exit code.
Handler = Callable[[argparse.Namespace, Runtime], Awaitable[int]]
SubParsers = Any  # argparse's _SubParsersAction is private
