"""The cyclic garbage collector around long computations over loaded data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block, no automatic cyclic garbage collection
    (``gc.disable``); as it was after.

    Why: a recompute of warning levels loads hundreds of thousands of
    long-lived objects (exporters and their figures, every notification and
    match) and makes millions of short-lived ones; each full collection
    rescanned the former, which cost up to a third of a new day's recompute.
    Reference counting still frees everything at once; only objects in
    reference cycles would wait for the block's end, and the recompute makes
    none (``bench/process_equivalence.py`` prints what a collection finds
    after each step: 0 objects for a year's data).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
