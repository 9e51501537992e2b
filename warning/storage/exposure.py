"""Export values per HS code and market: what the zone has at stake where."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.exceptions import ImportFileError
from warning.storage.schema import exporters, exposure
from warning.types import ExposureRow

SaveOutcome = Literal["new", "updated", "unchanged"]


async def exporter_names(conn: AsyncConnection) -> set[str]:
    """The names of every exporter in the register."""
    return {r.name for r in await conn.execute(sa.select(exporters.c.name))}


async def save_exposure(
    conn: AsyncConnection, rows: Sequence[ExposureRow], now: dt.datetime
) -> dict[SaveOutcome, int]:
    """Insert or update each (exporter, hs_code, market, year) figure.

    Call inside one transaction: either every row is saved or none.

    Raises:
        ImportFileError: a row names an exporter not in the register.
    """
    ids = {r.name: r.id for r in await conn.execute(sa.select(exporters.c.id, exporters.c.name))}
    counts: dict[SaveOutcome, int] = {"new": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        if row.exporter is not None and row.exporter not in ids:
            raise ImportFileError(f"no exporter named {row.exporter!r} in the register")
        exporter_id = ids[row.exporter] if row.exporter is not None else None
        owner = (
            exposure.c.exporter_id.is_(None) if exporter_id is None else exposure.c.exporter_id == exporter_id
        )
        where = sa.and_(
            owner,
            exposure.c.hs_code == row.hs_code,
            exposure.c.market == row.market,
            exposure.c.year == row.year,
        )
        found = (
            await conn.execute(sa.select(exposure.c.id, exposure.c.value_usd).where(where))
        ).one_or_none()
        if found is None:
            await conn.execute(
                sa.insert(exposure).values(
                    exporter_id=exporter_id,
                    hs_code=row.hs_code,
                    market=row.market,
                    value_usd=row.value_usd,
                    year=row.year,
                    updated_at=now,
                )
            )
            counts["new"] += 1
        elif found.value_usd == row.value_usd:
            counts["unchanged"] += 1
        else:
            await conn.execute(
                sa.update(exposure)
                .where(exposure.c.id == found.id)
                .values(value_usd=row.value_usd, updated_at=now)
            )
            counts["updated"] += 1
    return counts


async def load_exposure(conn: AsyncConnection) -> list[ExposureRow]:
    """Every export figure, zone-wide ones with exporter ``None``."""
    query = sa.select(exposure, exporters.c.name).select_from(
        exposure.outerjoin(exporters, exposure.c.exporter_id == exporters.c.id)
    )
    return [
        ExposureRow(r.name, r.hs_code, r.market, r.value_usd, r.year)
        for r in await conn.execute(query.order_by(exposure.c.id))
    ]
