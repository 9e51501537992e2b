"""Storing translations: what needs translating, machine results, staff corrections."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import alerts, notifications
from warning.storage.translation_tables import translations
from warning.types import Translation, TranslationOrigin

#: Ids per ``IN (...)`` list (SQLite's bound-parameter limit is far above; memory is not).
_CHUNK = 500


def source_hash(text: str) -> str:
    """The SHA-256 of a source text, as stored beside its translations."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SourceText:
    """A notification's fields as stored, with what is known about their translations."""

    notification_id: int
    #: The notification's declared language.
    language: str
    #: ``(field, text)`` for each non-empty free-text field.
    fields: tuple[tuple[str, str], ...]
    #: Whether an exporter was alerted (translated first).
    alerted: bool
    #: ``(field, language) -> source hash`` of the translations stored.
    translated: dict[tuple[str, str], str]


def _to_translation(row: Any) -> Translation:
    return Translation(
        notification_id=row.notification_id,
        field=row.field,
        language=row.language,
        text=row.text,
        source_language=row.source_language,
        source_sha256=row.source_sha256,
        origin=row.origin,
        made_by=row.made_by,
        updated_at=row.updated_at,
    )


async def load_translations(
    conn: AsyncConnection, notification_ids: Iterable[int]
) -> dict[int, dict[tuple[str, str], Translation]]:
    """Stored translations by notification id, then ``(field, language)``."""
    ids = sorted(set(notification_ids))
    out: dict[int, dict[tuple[str, str], Translation]] = {}
    for start in range(0, len(ids), _CHUNK):
        query = sa.select(translations).where(translations.c.notification_id.in_(ids[start : start + _CHUNK]))
        for row in await conn.execute(query):
            out.setdefault(row.notification_id, {})[(row.field, row.language)] = _to_translation(row)
    return out


async def source_texts(conn: AsyncConnection, fields: Sequence[str]) -> list[SourceText]:
    """Every notification's free text and its translations' source hashes,
    alerted ones first, then the newest first."""
    columns = [notifications.c.id, notifications.c.language, *(notifications.c[f] for f in fields)]
    rows = (await conn.execute(sa.select(*columns).order_by(notifications.c.id.desc()))).all()
    alerted = set((await conn.execute(sa.select(alerts.c.notification_id).distinct())).scalars())
    known: dict[int, dict[tuple[str, str], str]] = {}
    t = translations.c
    query = sa.select(t.notification_id, t.field, t.language, t.source_sha256)
    for nid, field, language, sha in await conn.execute(query):
        known.setdefault(nid, {})[(field, language)] = sha
    out = [
        SourceText(
            row.id,
            row.language,
            tuple((f, getattr(row, f)) for f in fields if (getattr(row, f) or "").strip()),
            row.id in alerted,
            known.get(row.id, {}),
        )
        for row in rows
    ]
    out.sort(key=lambda s: not s.alerted)  # stable: newest first within each
    return out


async def known_translations(
    conn: AsyncConnection, hashes: Iterable[str], language: str
) -> dict[str, tuple[str, str, TranslationOrigin]]:
    """Translations into ``language`` already stored for these source hashes
    (for any notification): hash -> (text, made by, origin), a reviewed one first."""
    wanted = sorted(set(hashes))
    t = translations.c
    out: dict[str, tuple[str, str, TranslationOrigin]] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = (
            sa.select(t.source_sha256, t.text, t.made_by, t.origin)
            .where(translations.c.source_sha256.in_(wanted[start : start + _CHUNK]))
            .where(translations.c.language == language)
        )
        for sha, text, made_by, origin in await conn.execute(query):
            if sha not in out or origin == "reviewed":
                out[sha] = (text, made_by, origin)
    return out


async def save_translations(conn: AsyncConnection, rows: Sequence[Translation]) -> None:
    """Store translations, each replacing the one of its (notification, field, language)."""
    for start in range(0, len(rows), _CHUNK):
        batch = rows[start : start + _CHUNK]
        for t in batch:
            await conn.execute(
                sa.delete(translations)
                .where(translations.c.notification_id == t.notification_id)
                .where(translations.c.field == t.field)
                .where(translations.c.language == t.language)
            )
        await conn.execute(
            sa.insert(translations),
            [
                {
                    "notification_id": t.notification_id,
                    "field": t.field,
                    "language": t.language,
                    "text": t.text,
                    "source_language": t.source_language,
                    "source_sha256": t.source_sha256,
                    "origin": t.origin,
                    "made_by": t.made_by,
                    "updated_at": t.updated_at,
                }
                for t in batch
            ],
        )


async def review_translation(
    conn: AsyncConnection,
    notification_id: int,
    field: str,
    language: str,
    text: str,
    source: tuple[str, str],
    reviewer: str,
    now: dt.datetime,
) -> Translation:
    """Store a staff member's translation of a field (``source``: its text and language) as reviewed."""
    source_text, source_language = source
    row = Translation(
        notification_id,
        field,
        language,
        text.strip(),
        source_language,
        source_hash(source_text),
        "reviewed",
        reviewer,
        now,
    )
    await save_translations(conn, [row])
    return row
