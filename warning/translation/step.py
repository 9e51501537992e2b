"""The translation step: each notification's free text into the other language.

It runs after classification, from what is stored: every (notification,
field, language) without a translation of the field's current text is due,
the alerted notifications first. A text already translated for another
notification is copied, never fetched again; the rest go to the engine in
batches of ``[translation] batch_size``, ``concurrency`` requests at a
time. Each batch's results are stored as it returns, so a crash loses at
most the batches in flight.

The engine never stops the pipeline: an engine that is down (unreachable,
timing out, refusing) is not asked again in this run, one whose answer is
garbage has only that batch or text refused, and what was not translated is
due again on the next run. The step returns what happened; it raises only
when the database fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import aiohttp

from warning.exceptions import ConfigError, TranslationError
from warning.runtime import Runtime
from warning.storage.translations import (
    SourceText,
    known_translations,
    save_translations,
    source_hash,
    source_texts,
)
from warning.translation.base import FIELDS, Translator
from warning.translation.glossary import check_translation, text_language
from warning.translation.registry import build_translator
from warning.types import Translation

log = logging.getLogger("tbtwarn.translation")


@dataclass(frozen=True)
class Due:
    """One field of one notification wanted in one language."""

    notification_id: int
    field: str
    text: str
    source_language: str
    target: str
    sha: str


@dataclass
class TranslateOutcome:
    """What one run of the step did."""

    engine: str
    #: Texts the engine translated (each stored for every field that holds it).
    translated: int = 0
    #: Fields given a stored translation of the same text (no request).
    reused: int = 0
    #: Texts left untranslated for a later run (engine down, garbage answer).
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the run's summary."""
        if self.engine == "none":
            return 'translation: none (engine "none": text stays in its language)'
        text = (
            f"translation ({self.engine}): {self.translated} translated, "
            f"{self.reused} reused, {self.failed} left"
        )
        return text + (f" ({self.errors[0]})" if self.errors else "")


def due_fields(texts: Sequence[SourceText], languages: Sequence[str]) -> list[Due]:
    """What needs translating: fields without a translation of their current text."""
    out = []
    for source in texts:
        for name, text in source.fields:
            language = text_language(text, source.language)
            sha = source_hash(text)
            for target in languages:
                if target != language and source.translated.get((name, target)) != sha:
                    out.append(Due(source.notification_id, name, text, language, target, sha))
    return out


async def translate_pending(rt: Runtime) -> TranslateOutcome:
    """Translate what is due with the configured engine (see the module's docstring)."""
    config = rt.config.translation
    outcome = TranslateOutcome(config.engine)
    if config.engine == "none":
        return outcome
    async with rt.db.begin() as conn:
        due = due_fields(await source_texts(conn, FIELDS), config.languages)
    if not due:
        return outcome
    due = await _reuse(rt, due, outcome)
    async with aiohttp.ClientSession() as session:
        try:
            translator = build_translator(config, session)
        except ConfigError as exc:
            outcome.errors.append(str(exc))
            outcome.failed = len({(d.text, d.target) for d in due})
            return outcome
        await _fetch(rt, translator, due, outcome)
    return outcome


async def _reuse(rt: Runtime, due: list[Due], outcome: TranslateOutcome) -> list[Due]:
    """Store copies of translations of the same text; the rest, cut to ``max_per_run`` texts."""
    copies: list[Translation] = []
    rest: list[Due] = []
    async with rt.db.begin() as conn:
        for target in sorted({d.target for d in due}):
            known = await known_translations(conn, [d.sha for d in due if d.target == target], target)
            for d in (d for d in due if d.target == target):
                found = known.get(d.sha)
                if found is None:
                    rest.append(d)
                else:
                    text, made_by, origin = found
                    copies.append(_row(d, text, made_by, rt, origin))
        await save_translations(conn, copies)
    outcome.reused = len(copies)
    wanted = list(dict.fromkeys((d.text, d.source_language, d.target) for d in rest))
    allowed = set(wanted[: rt.config.translation.max_per_run])
    return [d for d in rest if (d.text, d.source_language, d.target) in allowed]


def _row(d: Due, text: str, made_by: str, rt: Runtime, origin: str = "machine") -> Translation:
    return Translation(
        d.notification_id,
        d.field,
        d.target,
        text,
        d.source_language,
        d.sha,
        "reviewed" if origin == "reviewed" else "machine",
        made_by,
        rt.now(),
    )


async def _fetch(rt: Runtime, translator: Translator, due: list[Due], outcome: TranslateOutcome) -> None:
    """Send the due texts in bounded, concurrent batches; store each batch's results."""
    config = rt.config.translation
    by_text: dict[tuple[str, str, str], list[Due]] = defaultdict(list)
    for d in due:
        by_text[(d.source_language, d.target, d.text)].append(d)
    batches: list[list[tuple[str, str, str]]] = []
    by_pair: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for key in by_text:
        by_pair[key[:2]].append(key)
    for keys in by_pair.values():
        batches += [keys[i : i + config.batch_size] for i in range(0, len(keys), config.batch_size)]
    gate = asyncio.Semaphore(config.concurrency)
    down = asyncio.Event()
    # One writer at a time: SQLite has one, and the batches' rows are few.
    writing = asyncio.Lock()

    async def one(batch: list[tuple[str, str, str]]) -> None:
        async with gate:
            if down.is_set():
                outcome.failed += len(batch)
                return
            rows = await _translate_batch(rt, translator, batch, by_text, outcome, down)
        if rows:
            async with writing, rt.db.begin() as conn:
                await save_translations(conn, rows)

    await asyncio.gather(*(one(b) for b in batches))


async def _translate_batch(
    rt: Runtime,
    translator: Translator,
    batch: list[tuple[str, str, str]],
    by_text: dict[tuple[str, str, str], list[Due]],
    outcome: TranslateOutcome,
    down: asyncio.Event,
) -> list[Translation]:
    source, target = batch[0][0], batch[0][1]
    texts = [key[2] for key in batch]
    try:
        answers = await translator.translate(texts, source, target)
    except TranslationError as exc:
        outcome.failed += len(batch)
        if not down.is_set() or exc.garbage:
            outcome.errors.append(str(exc))
            log.warning("translation: %s", exc, extra={"event": "translation_failed", "garbage": exc.garbage})
        if not exc.garbage:
            down.set()  # down or refusing: not asked again in this run
        return []
    rows: list[Translation] = []
    for key, answer in zip(batch, answers, strict=True):
        try:
            text = check_translation(key[2], answer, target)
        except TranslationError as exc:
            outcome.failed += 1
            outcome.errors.append(str(exc))
            log.warning("translation: %s", exc, extra={"event": "translation_failed", "garbage": True})
            continue
        outcome.translated += 1
        rows += [_row(d, text, translator.origin, rt) for d in by_text[key]]
    return rows
