"""The audit of staff account and API token changes (``staff_audit``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.staff_tables import staff_audit


@dataclass(frozen=True)
class AuditEntry:
    subject: str
    action: str
    detail: str
    by_email: str
    created_at: dt.datetime


async def audit(
    conn: AsyncConnection, subject: str, action: str, detail: str, by: str, now: dt.datetime
) -> None:
    """Record one change (in the caller's transaction: kept only if the change is)."""
    await conn.execute(
        sa.insert(staff_audit).values(
            subject=subject, action=action, detail=detail, by_email=by, created_at=now
        )
    )


async def audit_log(conn: AsyncConnection, limit: int = 200) -> list[AuditEntry]:
    """The latest changes, newest first."""
    query = sa.select(staff_audit).order_by(staff_audit.c.id.desc()).limit(limit)
    return [
        AuditEntry(r.subject, r.action, r.detail, r.by_email, r.created_at) for r in await conn.execute(query)
    ]
