"""Collection: fetch every source, keep the raw payloads, parse, store.

Each source runs on its own: one that fails is reported and the others go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from feeds.base import Source, SourceContext
from feeds.registry import build_source
from warning.exceptions import SourceError
from warning.runtime import Runtime
from warning.storage.notifications import upsert_notification
from warning.storage.raw import (
    get_source_state,
    load_raw,
    mark_parsed,
    quarantine_record,
    record_source_result,
    store_raw,
)
from warning.types import RawRecord, RecordError


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

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        """One line for the CLI."""
        if self.error:
            return f"{self.source_name}: error: {self.error}"
        return (
            f"{self.source_name}: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.quarantined} quarantined"
        )


async def _store_parsed(
    rt: Runtime, source: Source, raw_id: int, raw: RawRecord, outcome: SourceOutcome
) -> None:
    results = source.parse(raw)
    async with rt.db.begin() as conn:
        for item in results:
            if isinstance(item, RecordError):
                await quarantine_record(conn, item, raw_id, rt.now())
                outcome.quarantined += 1
                outcome.problems.append(f"{raw.locator} {item.position}: {item.reason}")
                continue
            _, result = await upsert_notification(conn, item, rt.now(), raw_id)
            setattr(outcome, result, getattr(outcome, result) + 1)
        await mark_parsed(conn, raw_id, rt.now())


async def collect_source(rt: Runtime, source: Source, *, reparse: bool = False) -> SourceOutcome:
    """Fetch one source (or re-parse its stored payloads) and store what it holds."""
    outcome = SourceOutcome(source.name)
    if reparse:
        async with rt.db.begin() as conn:
            stored = await load_raw(conn, source.name)
        for raw_id, raw in stored:
            await _store_parsed(rt, source, raw_id, raw, outcome)
        return outcome
    async with rt.db.begin() as conn:
        state = await get_source_state(conn, source.name)
    try:
        fetched = await source.fetch(state.cursor)
    except SourceError as exc:
        outcome.error = str(exc)
        async with rt.db.begin() as conn:
            await record_source_result(conn, source.name, rt.now(), error=outcome.error)
        return outcome
    # Payloads are committed before parsing, so nothing fetched is lost; a
    # byte-identical payload already stored is not parsed again.
    async with rt.db.begin() as conn:
        for raw in fetched.raws:
            await store_raw(conn, raw)
    async with rt.db.begin() as conn:
        pending = await load_raw(conn, source.name, unparsed_only=True)
    for raw_id, raw in pending:
        await _store_parsed(rt, source, raw_id, raw, outcome)
    async with rt.db.begin() as conn:
        await record_source_result(conn, source.name, rt.now(), cursor=fetched.cursor)
    return outcome


async def collect(
    rt: Runtime, names: Sequence[str] | None = None, *, reparse: bool = False
) -> list[SourceOutcome]:
    """Collect every enabled source (or only ``names``), one after the other."""
    context = SourceContext(clock=rt.clock)
    configs = [rt.config.source(n) for n in names] if names else [s for s in rt.config.sources if s.enabled]
    outcomes = []
    for config in configs:
        source = build_source(config, context)
        outcomes.append(await collect_source(rt, source, reparse=reparse))
    return outcomes
