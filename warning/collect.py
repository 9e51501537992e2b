"""Collection: fetch every source, keep the raw payloads, parse, store.

Sources run concurrently, each on its own: one that is down, slow or returns
garbage is recorded as failed with its reason and the others finish. Network
sources share one HTTP client (``feeds/http.py``). Database writes go one at
a time through a lock: fetching is what runs in parallel.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from feeds.base import DOCUMENT, ParseResult, Source, SourceContext
from feeds.http import HttpClient, Jitter, Sleep
from feeds.registry import NETWORK_KINDS, build_source
from warning.config import SourceConfig
from warning.exceptions import SourceError
from warning.runtime import Runtime
from warning.storage.batch import store_notifications
from warning.storage.links import link_related
from warning.storage.raw import (
    get_source_state,
    list_source_states,
    load_raw,
    mark_parsed,
    quarantine_record,
    record_source_result,
    store_raw,
)
from warning.types import RawRecord, RecordError

#: Payloads parsed and stored per transaction (a commit is an fsync on SQLite).
_PAYLOADS_PER_TRANSACTION = 50


@dataclass
class SourceOutcome:
    """What one source's collection did."""

    source_name: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    error: str | None = None
    #: Quarantine reasons of this run, for the summary.
    problems: list[str] = field(default_factory=list)
    #: Links made to other notifications of the same measure.
    linked: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def counts(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.quarantined} quarantined"
        )

    def line(self) -> str:
        """One line for the CLI."""
        if self.error:
            return f"{self.source_name}: error: {self.error} ({self.counts()})"
        return f"{self.source_name}: {self.counts()}"


class _Collector:
    """One collection run: the runtime and the lock that serialises writes."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.write_lock = asyncio.Lock()

    async def store_parsed(
        self,
        source: Source,
        pending: list[tuple[int, RawRecord]],
        outcome: SourceOutcome,
        finish: Callable[[AsyncConnection], Awaitable[None]] | None = None,
    ) -> None:
        """Parse stored payloads and store what they hold, a chunk per transaction.

        ``finish`` runs in the last transaction (the source's result), so a
        run commits once per chunk rather than once per payload.
        """
        chunks = [
            pending[i : i + _PAYLOADS_PER_TRANSACTION]
            for i in range(0, len(pending), _PAYLOADS_PER_TRANSACTION)
        ]
        chunks = chunks or [[]]

        def parse(chunk: list[tuple[int, RawRecord]]) -> list[tuple[int, RawRecord, ParseResult]]:
            return [(raw_id, raw, source.parse(raw)) for raw_id, raw in chunk]

        for number, chunk in enumerate(chunks, start=1):
            # Parsing is CPU work: off the event loop, so other sources keep fetching.
            parsed = await asyncio.to_thread(parse, chunk)
            async with self.write_lock, self.rt.db.begin() as conn:
                for raw_id, raw, results in parsed:
                    await self._store_results(conn, raw_id, raw, results, outcome)
                if finish is not None and number == len(chunks):
                    await finish(conn)

    async def _store_results(
        self, conn: AsyncConnection, raw_id: int, raw: RawRecord, results: ParseResult, outcome: SourceOutcome
    ) -> None:
        errors = [r for r in results if isinstance(r, RecordError)]
        found = [r for r in results if not isinstance(r, RecordError)]
        for error in errors:
            await quarantine_record(conn, error, raw_id, self.rt.now())
            outcome.quarantined += 1
            outcome.problems.append(f"{raw.locator} {error.position}: {error.reason}")
            if error.position == DOCUMENT and outcome.error is None:
                outcome.error = f"{raw.locator}: {error.reason}"
        stored = await store_notifications(conn, found, self.rt.now(), raw_id)
        for notification, (notification_id, result) in zip(found, stored, strict=True):
            setattr(outcome, result, getattr(outcome, result) + 1)
            if result != "unchanged":
                outcome.linked += await link_related(conn, notification_id, notification)
        await mark_parsed(conn, raw_id, self.rt.now())

    async def reparse(self, source: Source) -> SourceOutcome:
        outcome = SourceOutcome(source.name)
        async with self.rt.db.begin() as conn:
            stored = await load_raw(conn, source.name)
        await self.store_parsed(source, stored, outcome)
        outcome.error = None  # re-parsing reports quarantine, not source health
        return outcome

    async def run(self, source: Source, cursor: dict[str, Any] | None = None) -> SourceOutcome:
        """Fetch, keep the payloads, parse, store; ``cursor`` is read from the database if not given."""
        outcome = SourceOutcome(source.name)
        if cursor is None:
            async with self.rt.db.begin() as conn:
                cursor = (await get_source_state(conn, source.name)).cursor
        try:
            fetched = await source.fetch(cursor)
        except SourceError as exc:
            outcome.error = str(exc)
            async with self.write_lock, self.rt.db.begin() as conn:
                await record_source_result(conn, source.name, self.rt.now(), error=outcome.error)
            return outcome
        # Payloads are committed before parsing, so nothing fetched is lost; a
        # byte-identical payload already stored is not parsed again, and one
        # left unparsed by a crash is parsed now.
        async with self.write_lock, self.rt.db.begin() as conn:
            for raw in fetched.raws:
                await store_raw(conn, raw)
            pending = await load_raw(conn, source.name, unparsed_only=True)

        async def finish(conn: AsyncConnection) -> None:
            outcome.error = fetched.error or outcome.error
            # A failed run keeps the old cursor: the next run asks again.
            await record_source_result(
                conn, source.name, self.rt.now(), error=outcome.error, cursor=fetched.cursor
            )

        await self.store_parsed(source, pending, outcome, finish)
        return outcome


async def collect_source(rt: Runtime, source: Source, *, reparse: bool = False) -> SourceOutcome:
    """Fetch one source (or re-parse its stored payloads) and store what it holds."""
    collector = _Collector(rt)
    return await (collector.reparse(source) if reparse else collector.run(source))


async def _guarded(
    collector: _Collector, source: Source, reparse: bool, cursor: dict[str, Any] | None = None
) -> SourceOutcome:
    try:
        return await (collector.reparse(source) if reparse else collector.run(source, cursor))
    except Exception as exc:
        # A bug in one adapter must not stop the other sources: report it as
        # that source's failure, with its type so it can be found.
        outcome = SourceOutcome(source.name, error=f"internal error: {exc.__class__.__name__}: {exc}")
        async with collector.write_lock, collector.rt.db.begin() as conn:
            await record_source_result(conn, source.name, collector.rt.now(), error=outcome.error)
        return outcome


async def collect(
    rt: Runtime,
    names: Sequence[str] | None = None,
    *,
    reparse: bool = False,
    sleep: Sleep = asyncio.sleep,
    jitter: Jitter = random.random,
) -> list[SourceOutcome]:
    """Collect every enabled source (or only ``names``) concurrently.

    ``sleep`` and ``jitter`` are the retry backoff's, injectable so tests never wait.

    Raises:
        ConfigError: a name in ``names`` is not a configured source.
    """
    configs: list[SourceConfig] = (
        [rt.config.source(n) for n in names] if names else [s for s in rt.config.sources if s.enabled]
    )
    collector = _Collector(rt)
    # One query for every cursor, rather than one connection per source at once.
    async with rt.db.begin() as conn:
        cursors = {s.source_name: s.cursor for s in await list_source_states(conn)}

    async def run_all(context: SourceContext) -> list[SourceOutcome]:
        runs = (
            _guarded(collector, build_source(c, context), reparse, cursors.get(c.name, {})) for c in configs
        )
        return list(await asyncio.gather(*runs))

    if reparse or not any(c.kind in NETWORK_KINDS for c in configs):
        return await run_all(SourceContext(clock=rt.clock))
    async with HttpClient(rt.config.collect, rt.clock, sleep=sleep, jitter=jitter) as http:
        return await run_all(SourceContext(clock=rt.clock, http=http))
