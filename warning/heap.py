"""The cyclic garbage collector around long computations over loaded data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_skips_loaded() -> Iterator[None]:
    """Within the block, the cyclic garbage collector leaves alone every object
    that exists when it starts (``gc.freeze``); they are its again after.

    Why: a full recompute of warning levels holds hundreds of thousands of
    long-lived objects (exporters and their figures, every notification and
    match, the classifier's caches) while it makes millions of short-lived
    ones; each full collection rescanned all of the former, which cost as
    much as a third of the step. Reference counting still frees everything
    as before; only cycles among the frozen objects wait for the block's end.
    When something else has frozen objects already, nothing is changed.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
