"""What companies submit about a measure: concerns, their attachments, full-text requests.

Rows here are inserted, never updated (``response_concerns`` has a trigger
refusing UPDATE): staff write the zone's comment (:mod:`warning.storage.responses`),
never a company's concern. Each insert writes its ``response_events`` line.
Pages of an exporter ask with ``exporter_ids`` (the contact's companies): the
one way they read concerns, so a contact never sees another company's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.response_tables import concern_attachments, full_text_requests, response_concerns
from warning.storage.responses import add_event
from warning.storage.schema import exposure
from warning.storage.sql import insert_returning_id
from warning.types import (
    ConcernAttachment,
    ConcernInput,
    ExposureRow,
    FullTextRequest,
    ResponseConcern,
    ResponseFile,
)


async def insert_concern(conn: AsyncConnection, response_id: int, c: ConcernInput, now: dt.datetime) -> int:
    """Store a submitted concern and its event; its id."""
    concern_id = await insert_returning_id(
        conn,
        response_concerns,
        {
            "response_id": response_id,
            "notification_id": c.notification_id,
            "exporter_id": c.exporter_id,
            "contact_email": c.contact_email,
            "hs_codes": list(c.hs_codes),
            "markets": list(c.markets),
            "cost_usd": c.cost_usd,
            "lost_sales_usd": c.lost_sales_usd,
            "months_to_comply": c.months_to_comply,
            "export_value_usd": c.export_value_usd,
            "requested_change": c.requested_change,
            "effect_note": c.effect_note,
            "language": c.language,
            "created_at": now,
        },
    )
    await add_event(
        conn,
        response_id=response_id,
        notification_id=c.notification_id,
        actor=c.contact_email,
        action="concern",
        after=f"concern {concern_id}",
        now=now,
    )
    return concern_id


async def insert_attachment(
    conn: AsyncConnection,
    concern_id: int,
    *,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    now: dt.datetime,
) -> int:
    """Record a file (already written under the attachments folder) of a concern; its id."""
    new_id = await insert_returning_id(
        conn,
        concern_attachments,
        {
            "concern_id": concern_id,
            "filename": filename,
            "content_type": content_type,
            "size": size,
            "sha256": sha256,
            "created_at": now,
        },
    )
    return new_id


def _attachment(r: Any) -> ConcernAttachment:
    return ConcernAttachment(r.id, r.concern_id, r.filename, r.content_type, r.size, r.sha256, r.created_at)


async def get_attachment(conn: AsyncConnection, attachment_id: int) -> ConcernAttachment | None:
    query = sa.select(concern_attachments).where(concern_attachments.c.id == attachment_id)
    row = (await conn.execute(query)).first()
    return _attachment(row) if row is not None else None


async def load_concerns(
    conn: AsyncConnection,
    *,
    response_id: int | None = None,
    notification_id: int | None = None,
    exporter_ids: Iterable[int] | None = None,
) -> list[ResponseConcern]:
    """Concerns with their attachments, oldest first, narrowed by file, notification or companies.

    ``exporter_ids`` is how an exporter's pages ask: only those companies' concerns.
    """
    query = sa.select(response_concerns).order_by(response_concerns.c.id)
    if response_id is not None:
        query = query.where(response_concerns.c.response_id == response_id)
    if notification_id is not None:
        query = query.where(response_concerns.c.notification_id == notification_id)
    if exporter_ids is not None:
        query = query.where(response_concerns.c.exporter_id.in_(list(exporter_ids)))
    rows = list(await conn.execute(query))
    files: dict[int, list[ConcernAttachment]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        found = await conn.execute(
            sa.select(concern_attachments)
            .where(concern_attachments.c.concern_id.in_(ids[start : start + 500]))
            .order_by(concern_attachments.c.id)
        )
        for a in found:
            files.setdefault(a.concern_id, []).append(_attachment(a))
    return [
        ResponseConcern(
            id=r.id,
            response_id=r.response_id,
            concern=ConcernInput(
                notification_id=r.notification_id,
                exporter_id=r.exporter_id,
                contact_email=r.contact_email,
                hs_codes=tuple(r.hs_codes),
                markets=tuple(r.markets),
                cost_usd=r.cost_usd,
                lost_sales_usd=r.lost_sales_usd,
                months_to_comply=r.months_to_comply,
                export_value_usd=r.export_value_usd,
                requested_change=r.requested_change,
                language=r.language,
                effect_note=r.effect_note,
            ),
            created_at=r.created_at,
            attachments=tuple(files.get(r.id, ())),
        )
        for r in rows
    ]


def _full_text(r: Any) -> FullTextRequest:
    return FullTextRequest(
        r.id,
        r.response_id,
        r.notification_id,
        r.exporter_id,
        r.contact_email,
        r.language,
        r.created_at,
        r.sent_at,
    )


async def add_full_text_request(
    conn: AsyncConnection,
    file: ResponseFile,
    *,
    exporter_id: int,
    contact_email: str,
    language: str,
    now: dt.datetime,
) -> tuple[FullTextRequest, bool]:
    """The company's request for the measure's full text, stored once: ``(request, created)``."""
    query = sa.select(full_text_requests).where(
        full_text_requests.c.response_id == file.id, full_text_requests.c.exporter_id == exporter_id
    )
    row = (await conn.execute(query)).first()
    if row is not None:
        return _full_text(row), False
    await conn.execute(
        sa.insert(full_text_requests).values(
            response_id=file.id,
            notification_id=file.notification_id,
            exporter_id=exporter_id,
            contact_email=contact_email,
            language=language,
            created_at=now,
            sent_at=None,
        )
    )
    await add_event(
        conn,
        response_id=file.id,
        notification_id=file.notification_id,
        actor=contact_email,
        action="full_text",
        after=f"exporter {exporter_id}",
        now=now,
    )
    row = (await conn.execute(query)).first()
    assert row is not None
    return _full_text(row), True


async def load_full_text_requests(
    conn: AsyncConnection, *, response_id: int | None = None, exporter_ids: Iterable[int] | None = None
) -> list[FullTextRequest]:
    """Full-text requests, oldest first, narrowed by file or companies."""
    query = sa.select(full_text_requests).order_by(full_text_requests.c.id)
    if response_id is not None:
        query = query.where(full_text_requests.c.response_id == response_id)
    if exporter_ids is not None:
        query = query.where(full_text_requests.c.exporter_id.in_(list(exporter_ids)))
    return [_full_text(r) for r in await conn.execute(query)]


async def mark_full_text_sent(conn: AsyncConnection, request_ids: Sequence[int], now: dt.datetime) -> None:
    """Record that these requests went to the enquiry point (those not yet marked)."""
    if request_ids:
        await conn.execute(
            sa.update(full_text_requests)
            .where(full_text_requests.c.id.in_(list(request_ids)), full_text_requests.c.sent_at.is_(None))
            .values(sent_at=now)
        )


async def company_figures(conn: AsyncConnection, exporter_id: int) -> list[ExposureRow]:
    """One company's export figures (every year), as the register holds them."""
    query = sa.select(exposure).where(exposure.c.exporter_id == exporter_id).order_by(exposure.c.id)
    return [ExposureRow(None, r.hs_code, r.market, r.value_usd, r.year) for r in await conn.execute(query)]
