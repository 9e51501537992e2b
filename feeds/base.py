"""The Source protocol every collector implements, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from feeds.http import HttpClient
from warning.clock import Clock
from warning.exceptions import SourceError
from warning.types import Notification, RawRecord, RecordError

#: The position of a RecordError that refuses a whole payload (an HTML error
#: page, bad XML, wrong encoding): the collector records the source as failed.
DOCUMENT = "document"

#: What parsing one raw payload yields: notifications, and errors as values
#: for the records that could not be read (one bad record never stops a run).
ParseResult = list[Notification | RecordError]


@dataclass(frozen=True)
class FetchResult:
    """Payloads fetched in one run of a source, and where to resume next time."""

    raws: list[RawRecord]
    #: Source-specific resume point, stored and handed back to the next fetch.
    cursor: dict[str, Any] = field(default_factory=dict)
    #: Set when the fetch stopped part-way (a page failed): the payloads in
    #: ``raws`` are still stored and parsed, but the source is recorded as
    #: failed with this reason and ``cursor`` is not advanced.
    error: str | None = None


@dataclass(frozen=True)
class SourceContext:
    """What adapters share: the clock and, for HTTP sources, the one session."""

    clock: Clock
    #: The shared HTTP client (``None`` when no network source runs).
    http: HttpClient | None = None

    def require_http(self, source_name: str) -> HttpClient:
        """The HTTP client.

        Raises:
            SourceError: when the collector was started without one.
        """
        if self.http is None:
            raise SourceError(f"{source_name}: no HTTP client in this run")
        return self.http


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
