"""Sliding-window counters shared by every process (table ``rate_limit_hits``).

A counted attempt is one row per bucket it counts in; a bucket's count is its
rows within the window. The web app's limiter
(:meth:`warning.web.limits.SignInLimits.attempt`) writes the rows first (in a
transaction of their own, committed) and counts after, so two processes racing
at the limit both see each other's rows: the limit is never overshot, at worst
both are refused. It takes back an attempt that should not count
(:func:`take_back`: refused ones, successful sign-ins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.session_tables import rate_limit_hits
from warning.storage.sql import insert_returning_id


async def record_hits(
    conn: AsyncConnection, buckets: Sequence[str], now: dt.datetime, window: dt.timedelta
) -> list[int]:
    """Count one attempt in each bucket; returns the rows' ids (for :func:`take_back`).

    Rows older than ``window`` (in any bucket) are deleted on the way, so the
    table holds at most one window of attempts.
    """
    await conn.execute(sa.delete(rate_limit_hits).where(rate_limit_hits.c.at <= now - window))
    return [await insert_returning_id(conn, rate_limit_hits, {"bucket": b, "at": now}) for b in buckets]


async def hit_counts(
    conn: AsyncConnection, buckets: Sequence[str], now: dt.datetime, window: dt.timedelta
) -> Mapping[str, int]:
    """How many attempts each bucket holds within the window ending ``now`` (0 when none)."""
    query = (
        sa.select(rate_limit_hits.c.bucket, sa.func.count())
        .where(rate_limit_hits.c.bucket.in_(list(buckets)), rate_limit_hits.c.at > now - window)
        .group_by(rate_limit_hits.c.bucket)
    )
    found = {str(row[0]): int(row[1]) for row in await conn.execute(query)}
    return {bucket: found.get(bucket, 0) for bucket in buckets}


async def take_back(conn: AsyncConnection, hit_ids: Sequence[int]) -> None:
    """Uncount attempts recorded by :func:`record_hits`."""
    if hit_ids:
        await conn.execute(sa.delete(rate_limit_hits).where(rate_limit_hits.c.id.in_(list(hit_ids))))


async def clear_bucket(conn: AsyncConnection, bucket: str) -> None:
    """Forget every attempt in a bucket (an account's failures once it signs in)."""
    await conn.execute(sa.delete(rate_limit_hits).where(rate_limit_hits.c.bucket == bucket))
