"""Officials' reviews of weekly digests (``digest_reviews``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import digest_reviews
from warning.storage.sql import insert_ignore


@dataclass(frozen=True)
class DigestReview:
    period: str
    #: ``pending`` or ``approved``.
    status: str
    approved_by: str | None
    approved_at: dt.datetime | None


async def open_review(conn: AsyncConnection, period: str, now: dt.datetime) -> None:
    """Record that a week's digest awaits review (no-op if already known)."""
    await insert_ignore(conn, digest_reviews, [{"period": period, "status": "pending", "created_at": now}])


async def get_review(conn: AsyncConnection, period: str) -> DigestReview | None:
    row = (
        await conn.execute(sa.select(digest_reviews).where(digest_reviews.c.period == period))
    ).one_or_none()
    if row is None:
        return None
    return DigestReview(row.period, row.status, row.approved_by, row.approved_at)


async def approve(conn: AsyncConnection, period: str, by: str, now: dt.datetime) -> DigestReview:
    """Approve a week's digest (opening the review if needed); approving twice keeps the first."""
    await open_review(conn, period, now)
    await conn.execute(
        sa.update(digest_reviews)
        .where(digest_reviews.c.period == period, digest_reviews.c.status != "approved")
        .values(status="approved", approved_by=by, approved_at=now)
    )
    review = await get_review(conn, period)
    assert review is not None
    return review
