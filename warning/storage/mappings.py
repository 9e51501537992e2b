"""Storing analysts' overrides of the ICS mapping and of the sectors, versioned.

The shipped mapping (``classifiers/data/ics_hs.csv``) and the configured
sectors (``[[sectors]]`` or the HS sections) are the base; a row here replaces
the base row of the same ICS code or sector key, adds one, or (``removed``)
hides it. Every change is also logged in ``mapping_versions``: who, when, what.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.mapping_tables import ics_overrides, mapping_versions, sector_overrides
from warning.types import IcsRow, MappingAction, MappingKind, MappingVersion, Sector


async def load_ics_overrides(conn: AsyncConnection) -> dict[str, IcsRow | None]:
    """The analysts' ICS rows by code; ``None`` for a removed row."""
    rows = await conn.execute(sa.select(ics_overrides).order_by(ics_overrides.c.ics))
    return {r.ics: None if r.removed else IcsRow(r.ics, tuple(r.hs_prefixes), r.note) for r in rows}


async def load_sector_overrides(conn: AsyncConnection) -> dict[str, Sector | None]:
    """The analysts' sectors by key; ``None`` for a removed sector."""
    rows = await conn.execute(sa.select(sector_overrides).order_by(sector_overrides.c.key))
    return {
        r.key: None if r.removed else Sector(r.key, r.name_en, r.name_zh, tuple(r.hs_prefixes)) for r in rows
    }


async def _next_version(conn: AsyncConnection, kind: MappingKind, key: str) -> int:
    latest = await conn.scalar(
        sa.select(sa.func.max(mapping_versions.c.version)).where(
            mapping_versions.c.kind == kind, mapping_versions.c.key == key
        )
    )
    return int(latest or 0) + 1


async def _upsert(conn: AsyncConnection, table: sa.Table, key_column: str, values: dict[str, Any]) -> None:
    """Replace the override row of one key (portable: update, else insert)."""
    key = values[key_column]
    updated = await conn.execute(sa.update(table).where(table.c[key_column] == key).values(values))
    if updated.rowcount == 0:
        await conn.execute(sa.insert(table).values(values))


async def _log(conn: AsyncConnection, entry: MappingVersion) -> None:
    await conn.execute(
        sa.insert(mapping_versions).values(
            kind=entry.kind,
            key=entry.key,
            version=entry.version,
            action=entry.action,
            hs_prefixes=list(entry.hs_prefixes),
            name_en=entry.name_en,
            name_zh=entry.name_zh,
            note=entry.note,
            author=entry.author,
            changed_at=entry.changed_at,
        )
    )


async def save_ics_row(
    conn: AsyncConnection, row: IcsRow, action: MappingAction, author: str, at: dt.datetime
) -> MappingVersion:
    """Store an ICS row (``add``, ``change``) or hide it (``remove``: ``row`` is the row removed).

    Checking the row against the nomenclature and the current mapping is the caller's
    (:mod:`warning.mapping.mappings`).
    """
    version = await _next_version(conn, "ics", row.ics)
    values = {
        "ics": row.ics,
        "hs_prefixes": list(row.hs_prefixes),
        "note": row.note,
        "removed": action == "remove",
        "version": version,
        "author": author,
        "updated_at": at,
    }
    await _upsert(conn, ics_overrides, "ics", values)
    entry = MappingVersion("ics", row.ics, version, action, row.hs_prefixes, "", "", row.note, author, at)
    await _log(conn, entry)
    return entry


async def save_sector(
    conn: AsyncConnection,
    sector: Sector,
    action: MappingAction,
    author: str,
    at: dt.datetime,
    note: str = "",
) -> MappingVersion:
    """Store a sector (``add``, ``change``) or hide it (``remove``: ``sector`` is the one removed)."""
    version = await _next_version(conn, "sector", sector.key)
    values = {
        "key": sector.key,
        "name_en": sector.name_en,
        "name_zh": sector.name_zh,
        "hs_prefixes": list(sector.hs_prefixes),
        "removed": action == "remove",
        "version": version,
        "author": author,
        "updated_at": at,
    }
    await _upsert(conn, sector_overrides, "key", values)
    entry = MappingVersion(
        "sector",
        sector.key,
        version,
        action,
        sector.hs_prefixes,
        sector.name_en,
        sector.name_zh,
        note,
        author,
        at,
    )
    await _log(conn, entry)
    return entry


async def mapping_history(
    conn: AsyncConnection, kind: MappingKind | None = None, limit: int | None = None
) -> list[MappingVersion]:
    """The latest changes (of one kind, or both), newest first."""
    query = sa.select(mapping_versions).order_by(mapping_versions.c.id.desc())
    if kind is not None:
        query = query.where(mapping_versions.c.kind == kind)
    if limit is not None:
        query = query.limit(limit)
    return [
        MappingVersion(
            r.kind,
            r.key,
            r.version,
            r.action,
            tuple(r.hs_prefixes),
            r.name_en,
            r.name_zh,
            r.note,
            r.author,
            r.changed_at,
        )
        for r in await conn.execute(query)
    ]


async def mappings_revision(conn: AsyncConnection) -> int:
    """A number that grows with every stored change (0: none), for caches of the effective mappings."""
    return int(await conn.scalar(sa.select(sa.func.max(mapping_versions.c.id))) or 0)
