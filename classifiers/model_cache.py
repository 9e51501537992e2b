"""A build-once cache for the classifier's derived data (indexes, dictionaries).

Building the TF-IDF indexes over the nomenclature and parsing CC-CEDICT take
seconds; loading their pickled result takes a fraction of that. Each cached
object is keyed by a hash of everything it is derived from (the data files and
the source of the code that derives it), so a change to either rebuilds it.
The folder is ``$TBTWARN_CACHE_DIR``, else ``$XDG_CACHE_HOME/tbtwarn``, else
``~/.cache/tbtwarn``; when it cannot be written the object is simply rebuilt
on every load.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Bumped when the pickled layout changes in a way the source hash would miss.
CACHE_FORMAT = "1"


def cache_dir() -> Path:
    """The folder cached classifier data lives in."""
    explicit = os.environ.get("TBTWARN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tbtwarn"


def fingerprint(parts: Iterable[bytes]) -> str:
    """A short hash of the inputs an object is derived from."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()[:20]


def cached(name: str, inputs: Iterable[bytes], build: Callable[[], T]) -> T:
    """``build()``'s result, loaded from the cache when its inputs have not changed.

    A missing, unreadable or corrupt cache file is rebuilt and rewritten
    (atomically, so a concurrent reader never sees half a file).
    """
    path = cache_dir() / f"{name}-{fingerprint(inputs)}.pkl"
    try:
        with path.open("rb") as handle:
            value: T = pickle.load(handle)
        return value
    except FileNotFoundError:
        pass
    except Exception as exc:
        log.warning("classifier cache %s unreadable (%s): rebuilding", path, exc)
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for stale in path.parent.glob(f"{name}-*.pkl"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot write classifier cache %s (%s): it will be rebuilt next time", path, exc)
    return value


def source_of(*modules: str) -> list[bytes]:
    """The source bytes of the named modules of this package (part of a cache key)."""
    here = Path(__file__).resolve().parent
    return [(here / f"{m}.py").read_bytes() for m in modules]
