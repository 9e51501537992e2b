"""Feedback from email links: was an alert relevant to the contact?"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import feedback
from warning.types import Feedback


async def record_feedback(conn: AsyncConnection, item: Feedback) -> None:
    """Store a click; a contact's later click on the same alert replaces the earlier one."""
    found = (
        await conn.execute(
            sa.select(feedback.c.id).where(
                feedback.c.alert_id == item.alert_id, feedback.c.email == item.email
            )
        )
    ).scalar_one_or_none()
    values = {"relevant": item.relevant, "created_at": item.created_at}
    if found is not None:
        await conn.execute(sa.update(feedback).where(feedback.c.id == found).values(values))
        return
    await conn.execute(
        sa.insert(feedback).values(
            alert_id=item.alert_id,
            notification_id=item.notification_id,
            exporter_id=item.exporter_id,
            email=item.email,
            **values,
        )
    )


async def load_feedback(conn: AsyncConnection, since: dt.datetime | None = None) -> list[Feedback]:
    """Feedback, oldest first, optionally only what came after ``since``."""
    query = sa.select(feedback).order_by(feedback.c.created_at, feedback.c.id)
    if since is not None:
        query = query.where(feedback.c.created_at > since)
    return [
        Feedback(r.alert_id, r.notification_id, r.exporter_id, r.email, bool(r.relevant), r.created_at)
        for r in await conn.execute(query)
    ]
