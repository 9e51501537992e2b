"""The export register: exporters, their products and markets."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import exporters
from warning.types import Exporter

SaveOutcome = Literal["new", "updated", "unchanged"]


def _values(e: Exporter) -> dict[str, object]:
    return {
        "language": e.language,
        "emails": list(e.emails),
        "hs_codes": list(e.hs_codes),
        "markets": list(e.markets),
    }


async def save_exporter(conn: AsyncConnection, e: Exporter, now: dt.datetime) -> SaveOutcome:
    """Insert or update an exporter by name; saving the same data is a no-op."""
    row = (await conn.execute(sa.select(exporters).where(exporters.c.name == e.name))).one_or_none()
    values = _values(e)
    if row is None:
        await conn.execute(sa.insert(exporters).values(name=e.name, updated_at=now, **values))
        return "new"
    if all(getattr(row, k) == v for k, v in values.items()):
        return "unchanged"
    await conn.execute(sa.update(exporters).where(exporters.c.id == row.id).values(updated_at=now, **values))
    return "updated"


async def load_exporters(conn: AsyncConnection) -> list[tuple[int, Exporter]]:
    """Every exporter with its id, by name."""
    rows = await conn.execute(sa.select(exporters).order_by(exporters.c.name))
    return [
        (
            r.id,
            Exporter(
                name=r.name,
                emails=tuple(r.emails),
                language=r.language,
                hs_codes=tuple(r.hs_codes),
                markets=tuple(r.markets),
            ),
        )
        for r in rows
    ]
