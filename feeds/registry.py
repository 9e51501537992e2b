"""Source adapters registered by the ``kind`` used in config.toml."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from feeds.base import Source, SourceContext
from feeds.eping import EpingSource
from feeds.federal_register import FederalRegisterSource
from feeds.file_source import FileSource
from feeds.rss import RssSource
from warning.config import SourceConfig

SourceFactory = Callable[[Any, SourceContext], Source]

#: kind -> factory taking the source's config and the shared context.
SOURCE_KINDS: dict[str, SourceFactory] = {
    "file": FileSource,
    "eping": EpingSource,
    "rss": RssSource,
    "federal_register": FederalRegisterSource,
}

#: Kinds that need the shared HTTP client.
NETWORK_KINDS = frozenset({"eping", "rss", "federal_register"})


def build_source(config: SourceConfig, context: SourceContext) -> Source:
    """The adapter for a configured source."""
    return SOURCE_KINDS[config.kind](config, context)
