"""SIGTERM before the service is ready: noted, then a clean exit 0.

``tbtwarn run`` (and ``serve``) spends its first seconds importing, reading the config and
migrating the database before the daemon installs its own handlers; a SIGTERM
then (systemd stopping a unit that just started) killed it with 143. The
console script (:mod:`warning.cli.entry`) installs :func:`install` before any
slow import; the service commands ask :func:`requested` once their own
handlers are in place, and every other command :func:`release`-s the signal
to its default action (a noted SIGTERM then ends it as before).
"""

from __future__ import annotations

import signal
from types import FrameType

_noted: list[int] = []


def _note(signum: int, _frame: FrameType | None) -> None:
    _noted.append(signum)


def install() -> None:
    """Note SIGTERM instead of dying of it (until :func:`release`)."""
    signal.signal(signal.SIGTERM, _note)


def requested() -> bool:
    """Whether a SIGTERM arrived while noted."""
    return bool(_noted)


def release() -> None:
    """SIGTERM's default action again; one noted meanwhile is delivered now."""
    if signal.getsignal(signal.SIGTERM) is _note:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if _noted:
            signal.raise_signal(signal.SIGTERM)
