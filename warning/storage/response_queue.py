"""Reads of the staff's response queue (issue 19): the files with concerns or
full-text requests, soonest enquiry-point date first, and what the reminders
need. The tables are :mod:`warning.storage.response_tables`'."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.database import json_loads
from warning.storage.response_tables import (
    full_text_requests,
    response_concerns,
    response_events,
    response_files,
)
from warning.storage.responses import add_event
from warning.storage.schema import exporters, notifications

#: Statuses in which the zone's comment has not yet gone.
NOT_SENT = ("open", "drafting", "approved")


@dataclass(frozen=True)
class QueueRow:
    """One measure in the queue."""

    response_id: int
    notification_id: int
    symbol: str
    member: str
    member_codes: tuple[str, ...]
    title: str
    status: str
    assigned_name: str
    assigned_email: str
    comment_deadline: dt.date | None
    enquiry_date: dt.date | None
    concerns: int
    full_text_requests: int
    companies: tuple[str, ...]
    #: The concerns' yearly exports at stake together (USD), None when none is known.
    at_stake: float | None

    def days_left(self, today: dt.date) -> int | None:
        return None if self.enquiry_date is None else (self.enquiry_date - today).days


async def queue_rows(conn: AsyncConnection, *, statuses: tuple[str, ...] | None = None) -> list[QueueRow]:
    """Response files with concerns or full-text requests, soonest enquiry-point
    date first (no date last), optionally of some statuses."""
    query = sa.select(
        response_files,
        notifications.c.key,
        notifications.c.member_name,
        notifications.c.member_codes,
        notifications.c.title,
        notifications.c.comment_deadline,
    ).join(notifications, notifications.c.id == response_files.c.notification_id)
    if statuses is not None:
        query = query.where(response_files.c.status.in_(statuses))
    files = (await conn.execute(query)).all()
    ids = [f.id for f in files]
    companies: dict[int, list[str]] = defaultdict(list)
    values: dict[int, list[float]] = defaultdict(list)
    concern_count: dict[int, int] = defaultdict(int)
    request_count: dict[int, int] = defaultdict(int)
    if ids:
        concerns = await conn.execute(
            sa.select(response_concerns.c.response_id, response_concerns.c.export_value_usd, exporters.c.name)
            .join(exporters, exporters.c.id == response_concerns.c.exporter_id)
            .where(response_concerns.c.response_id.in_(ids))
            .order_by(response_concerns.c.id)
        )
        for c in concerns:
            concern_count[c.response_id] += 1
            if c.name not in companies[c.response_id]:
                companies[c.response_id].append(c.name)
            if c.export_value_usd is not None:
                values[c.response_id].append(float(c.export_value_usd))
        requests = await conn.execute(
            sa.select(full_text_requests.c.response_id, exporters.c.name)
            .join(exporters, exporters.c.id == full_text_requests.c.exporter_id)
            .where(full_text_requests.c.response_id.in_(ids))
        )
        for r in requests:
            request_count[r.response_id] += 1
            if r.name not in companies[r.response_id]:
                companies[r.response_id].append(r.name)
    rows = [
        QueueRow(
            f.id,
            f.notification_id,
            f.key,
            f.member_name,
            codes(f.member_codes),
            f.title,
            f.status,
            f.assigned_name,
            f.assigned_email,
            f.comment_deadline,
            f.enquiry_date,
            concern_count[f.id],
            request_count[f.id],
            tuple(companies[f.id]),
            sum(values[f.id]) if values[f.id] else None,
        )
        for f in files
        if concern_count[f.id] or request_count[f.id]
    ]
    far = dt.date.max
    return sorted(rows, key=lambda r: (r.enquiry_date or far, r.symbol))


def codes(value: object) -> tuple[str, ...]:
    """A JSON list column (HS codes, markets) as a tuple of strings."""
    loaded = json_loads(value) if isinstance(value, str | bytes) else value
    return tuple(str(v) for v in loaded) if isinstance(loaded, list) else ()


#: The event recording the provisions concerned (the latest one counts): staff
#: write them with the draft; the history keeps every earlier wording.
PROVISIONS = "provisions"


async def provisions_of(conn: AsyncConnection, response_id: int) -> str:
    """The provisions concerned as last written for the file ("" when never)."""
    query = (
        sa.select(response_events.c.after)
        .where(response_events.c.response_id == response_id, response_events.c.action == PROVISIONS)
        .order_by(response_events.c.id.desc())
        .limit(1)
    )
    found = (await conn.execute(query)).scalar_one_or_none()
    return str(found) if found is not None else ""


async def set_provisions(
    conn: AsyncConnection, response_id: int, notification_id: int, text: str, *, actor: str, now: dt.datetime
) -> bool:
    """Record new wording of the provisions concerned (an event); False when unchanged."""
    before = await provisions_of(conn, response_id)
    if before == text:
        return False
    await add_event(
        conn,
        response_id=response_id,
        notification_id=notification_id,
        actor=actor,
        action=PROVISIONS,
        before=before,
        after=text,
        now=now,
    )
    return True
