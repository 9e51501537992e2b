"""The ``file`` source: notifications from a local file.

Formats: JSONL in the sample schema (``shared/data/notifications/``), JSON in
the ePing API's shape (an envelope with ``items`` or a bare list), and ePing
"Export Search Results" spreadsheets (xlsx, csv).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from feeds.base import FetchResult, ParseResult, SourceContext
from feeds.eping import parse_page
from feeds.export_file import parse_export
from feeds.json_depth import loads_bounded, too_deep, too_deep_reason
from feeds.sample_record import notification_from_sample
from warning.config import FileSourceConfig
from warning.exceptions import RecordError as RecordProblem
from warning.exceptions import SourceError
from warning.types import RawRecord, RecordError

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "jsonl": "application/jsonl",
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": XLSX_TYPE,
}
_FORMAT_BY_TYPE = {v: k for k, v in CONTENT_TYPES.items()}


class FileSource:
    """Reads a whole file per fetch; a byte-identical file is not parsed again."""

    def __init__(self, config: FileSourceConfig, context: SourceContext) -> None:
        self.name = config.name
        self.path = Path(config.path)
        self.format = config.format
        self.max_bytes = config.max_bytes
        self.max_unpacked_bytes = config.max_unpacked_bytes
        self.context = context

    def _format(self) -> str:
        if self.format != "auto":
            return self.format
        suffix = self.path.suffix.lower().lstrip(".")
        if suffix not in CONTENT_TYPES:
            raise SourceError(
                f"{self.path}: cannot tell the format from the suffix; set format = jsonl|json|csv|xlsx"
            )
        return suffix

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        """Read the file.

        Raises:
            SourceError: the file cannot be read, is larger than ``max_bytes``,
                or its format is unknown.
        """
        fmt = self._format()
        try:
            # In a thread: a file on a hung mount (or a FIFO) must not block
            # the daemon's event loop; the caller applies a timeout.
            payload = await asyncio.to_thread(_read_at_most, self.path, self.max_bytes + 1)
        except OSError as exc:
            raise SourceError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        if len(payload) > self.max_bytes:
            raise SourceError(
                f"{self.path}: refused: larger than {self.max_bytes:,} bytes "
                "(raise max_bytes in the source's config to read it)"
            )
        raw = RawRecord(self.name, str(self.path), payload, CONTENT_TYPES[fmt], self.context.clock.now())
        return FetchResult([raw], cursor)

    def parse(self, raw: RawRecord) -> ParseResult:
        fmt = _FORMAT_BY_TYPE.get(raw.content_type)
        if fmt == "jsonl":
            return parse_jsonl(raw.payload, self.name)
        if fmt == "json":
            return parse_page(raw.payload, raw.content_type, self.name, "file")
        if fmt in ("csv", "xlsx"):
            return parse_export(raw.payload, fmt, self.name, self.max_unpacked_bytes)
        reason = f"unsupported file type {raw.content_type!r} for {raw.locator}"
        return [RecordError(self.name, "file", reason, raw.payload[:2000].decode("utf-8", "replace"))]


def _read_at_most(path: Path, size: int) -> bytes:
    """The file's first ``size`` bytes (all of it when shorter): a huge file
    is never read whole to find out that it is too large."""
    with path.open("rb") as fh:
        return fh.read(size)


def parse_jsonl(payload: bytes, source_name: str) -> ParseResult:
    """Parse JSONL in the sample schema; each bad line is an error value naming its line."""
    results: ParseResult = []
    for number, line_bytes in enumerate(payload.splitlines(), start=1):
        position = f"line {number}"
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            results.append(
                RecordError(
                    source_name,
                    position,
                    f"not UTF-8: {exc.reason} at byte {exc.start}",
                    line_bytes.decode("utf-8", "replace"),
                )
            )
            continue
        if not line.strip():
            continue
        try:
            record = loads_bounded(line)
        except json.JSONDecodeError as exc:
            results.append(
                RecordError(source_name, position, f"not JSON: {exc.msg} at column {exc.colno}", line)
            )
            continue
        except RecordProblem as exc:
            results.append(RecordError(source_name, position, str(exc), line))
            continue
        try:
            if too_deep(record):
                raise RecordProblem(too_deep_reason())
            results.append(notification_from_sample(record, source_name))
        except RecordProblem as exc:
            results.append(RecordError(source_name, position, str(exc), line))
    return results
