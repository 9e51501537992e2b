"""The ``file`` source: notifications from a local file (JSONL of the sample schema)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from feeds.base import FetchResult, ParseResult, SourceContext
from feeds.sample_record import notification_from_sample
from warning.config import FileSourceConfig
from warning.exceptions import RecordError as RecordProblem
from warning.exceptions import SourceError
from warning.types import RawRecord, RecordError

_CONTENT_TYPES = {".jsonl": "application/jsonl", ".json": "application/json"}


class FileSource:
    """Reads a whole file per fetch; an unchanged file is recognised by its hash upstream."""

    def __init__(self, config: FileSourceConfig, context: SourceContext) -> None:
        self.name = config.name
        self.path = Path(config.path)
        self.format = config.format
        self.context = context

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        try:
            # In a thread: a file on a hung mount (or a FIFO) must not block
            # the daemon's event loop; the caller applies a timeout.
            payload = await asyncio.to_thread(self.path.read_bytes)
        except OSError as exc:
            raise SourceError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        content_type = _CONTENT_TYPES.get(self.path.suffix.lower(), "application/octet-stream")
        if self.format == "jsonl":
            content_type = "application/jsonl"
        raw = RawRecord(self.name, str(self.path), payload, content_type, self.context.clock.now())
        return FetchResult([raw], cursor)

    def parse(self, raw: RawRecord) -> ParseResult:
        if raw.content_type != "application/jsonl":
            return [
                RecordError(
                    self.name,
                    "file",
                    f"unsupported file type {raw.content_type!r} for {raw.locator}",
                    raw.payload[:2000].decode("utf-8", "replace"),
                )
            ]
        return parse_jsonl(raw.payload, self.name)


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
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            results.append(
                RecordError(source_name, position, f"not JSON: {exc.msg} at column {exc.colno}", line)
            )
            continue
        try:
            results.append(notification_from_sample(record, source_name))
        except RecordProblem as exc:
            results.append(RecordError(source_name, position, str(exc), line))
    return results
