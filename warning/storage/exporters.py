"""The export register: exporters, their products and markets."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import exporter_products, exporters
from warning.types import Exporter

SaveOutcome = Literal["new", "updated", "unchanged"]


def _values(e: Exporter) -> dict[str, object]:
    return {
        "language": e.language,
        "emails": list(e.emails),
        "hs_codes": list(e.hs_codes),
        "markets": list(e.markets),
        "credit_code": e.credit_code,
    }


async def _product_names(
    conn: AsyncConnection, exporter_id: int | None = None
) -> dict[int, list[tuple[str, str]]]:
    query = sa.select(exporter_products).order_by(
        exporter_products.c.exporter_id, exporter_products.c.hs_code
    )
    if exporter_id is not None:
        query = query.where(exporter_products.c.exporter_id == exporter_id)
    out: dict[int, list[tuple[str, str]]] = {}
    for r in await conn.execute(query):
        out.setdefault(r.exporter_id, []).append((r.hs_code, r.name))
    return out


async def _replace_product_names(conn: AsyncConnection, exporter_id: int, e: Exporter) -> None:
    await conn.execute(sa.delete(exporter_products).where(exporter_products.c.exporter_id == exporter_id))
    if e.product_names:
        await conn.execute(
            sa.insert(exporter_products),
            [{"exporter_id": exporter_id, "hs_code": c, "name": n} for c, n in e.product_names],
        )


async def save_exporter(conn: AsyncConnection, e: Exporter, now: dt.datetime) -> SaveOutcome:
    """Insert or update an exporter by name; saving the same data is a no-op."""
    row = (await conn.execute(sa.select(exporters).where(exporters.c.name == e.name))).one_or_none()
    values = _values(e)
    if row is None:
        result = await conn.execute(
            sa.insert(exporters).values(name=e.name, updated_at=now, **values).returning(exporters.c.id)
        )
        await _replace_product_names(conn, int(result.scalar_one()), e)
        return "new"
    names = (await _product_names(conn, row.id)).get(row.id, [])
    if all(getattr(row, k) == v for k, v in values.items()) and sorted(names) == sorted(e.product_names):
        return "unchanged"
    await conn.execute(sa.update(exporters).where(exporters.c.id == row.id).values(updated_at=now, **values))
    await _replace_product_names(conn, row.id, e)
    return "updated"


async def load_exporters(conn: AsyncConnection) -> list[tuple[int, Exporter]]:
    """Every exporter with its id, by name."""
    rows = await conn.execute(sa.select(exporters).order_by(exporters.c.name))
    names = await _product_names(conn)
    return [
        (
            r.id,
            Exporter(
                name=r.name,
                emails=tuple(r.emails),
                language=r.language,
                hs_codes=tuple(r.hs_codes),
                markets=tuple(r.markets),
                product_names=tuple(names.get(r.id, ())),
                credit_code=r.credit_code,
            ),
        )
        for r in rows
    ]
