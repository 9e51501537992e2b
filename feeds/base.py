"""The Source protocol every collector implements, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from warning.clock import Clock
from warning.types import Notification, RawRecord, RecordError

#: What parsing one raw payload yields: notifications, and errors as values
#: for the records that could not be read (one bad record never stops a run).
ParseResult = list[Notification | RecordError]


@dataclass(frozen=True)
class FetchResult:
    """Payloads fetched in one run of a source, and where to resume next time."""

    raws: list[RawRecord]
    #: Source-specific resume point, stored and handed back to the next fetch.
    cursor: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceContext:
    """What adapters share: the clock (and, for HTTP sources, the session)."""

    clock: Clock


class Source(Protocol):
    """A place notifications come from."""

    #: The configured source name.
    name: str

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        """Fetch new payloads since ``cursor``.

        Raises:
            SourceError: the source could not be reached or read.
        """
        ...

    def parse(self, raw: RawRecord) -> ParseResult:
        """Turn one stored payload into notifications and per-record errors."""
        ...
