"""Source adapters registered by the ``kind`` used in config.toml."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from feeds.base import Source, SourceContext
from feeds.file_source import FileSource
from warning.config import SourceConfig

SourceFactory = Callable[[Any, SourceContext], Source]

#: kind -> factory taking the source's config and the shared context.
SOURCE_KINDS: dict[str, SourceFactory] = {
    "file": FileSource,
}


def build_source(config: SourceConfig, context: SourceContext) -> Source:
    """The adapter for a configured source."""
    return SOURCE_KINDS[config.kind](config, context)
