"""Feedback from email links: was an alert relevant to the contact?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.notifications import matches_by_notification
from warning.storage.schema import alerts, exporters, feedback, notifications
from warning.types import Feedback, ProductMatch


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


async def feedback_of(conn: AsyncConnection, email: str) -> dict[int, bool]:
    """A contact's feedback: alert id -> relevant."""
    rows = await conn.execute(
        sa.select(feedback.c.alert_id, feedback.c.relevant).where(feedback.c.email == email)
    )
    return {r.alert_id: bool(r.relevant) for r in rows}


@dataclass(frozen=True)
class FeedbackView:
    """Feedback as analysts see it: on which notification, for which exporter, with the matches."""

    notification_id: int
    notification_key: str
    title: str
    exporter_name: str
    email: str
    relevant: bool
    created_at: dt.datetime
    #: The matched HS codes the alert carried.
    hs_codes: tuple[str, ...]
    #: Their scores and evidence, best first (what an analyst drafts a fix from).
    matches: tuple[ProductMatch, ...] = ()
    #: The exporter's HS codes.
    exporter_codes: tuple[str, ...] = ()
    #: The notification's product matches as classified now, best first: a "relevant"
    #: answer whose products now score below the alert threshold needs a rule.
    current: tuple[ProductMatch, ...] = ()


def _matches(data: Any) -> tuple[ProductMatch, ...]:
    fields = {"hs_code", "level", "score", "method", "evidence"}
    out = [
        ProductMatch(**{k: v for k, v in m.items() if k in fields})
        for m in data or []
        if isinstance(m, dict) and fields <= set(m)
    ]
    return tuple(sorted(out, key=lambda m: -m.score))


async def feedback_overview(conn: AsyncConnection, limit: int = 500) -> list[FeedbackView]:
    """Feedback, "not relevant" first, newest first within each."""
    query = (
        sa.select(
            feedback,
            notifications.c.key,
            notifications.c.title,
            exporters.c.name.label("exporter_name"),
            exporters.c.hs_codes.label("exporter_codes"),
            alerts.c.matches,
        )
        .join(notifications, notifications.c.id == feedback.c.notification_id)
        .join(exporters, exporters.c.id == feedback.c.exporter_id)
        .join(alerts, alerts.c.id == feedback.c.alert_id, isouter=True)
        .order_by(feedback.c.relevant, feedback.c.created_at.desc(), feedback.c.id.desc())
        .limit(limit)
    )

    def codes(matches: Any) -> tuple[str, ...]:
        return tuple(str(m.get("hs_code", "")) for m in matches or [] if isinstance(m, dict))

    rows = list(await conn.execute(query))
    current = await matches_by_notification(conn, sorted({r.notification_id for r in rows})) if rows else {}
    return [
        FeedbackView(
            r.notification_id,
            r.key,
            r.title,
            r.exporter_name,
            r.email,
            bool(r.relevant),
            r.created_at,
            codes(r.matches),
            _matches(r.matches),
            tuple(str(c) for c in r.exporter_codes or ()),
            tuple(current.get(r.notification_id, ())),
        )
        for r in rows
    ]
