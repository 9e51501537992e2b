"""Alerts: one per (notification, exporter), never created twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import alerts
from warning.storage.sql import insert_ignore
from warning.types import ProductMatch


async def add_alert(
    conn: AsyncConnection,
    notification_id: int,
    exporter_id: int,
    matches: Sequence[ProductMatch],
    now: dt.datetime,
) -> None:
    """Record that a notification concerns an exporter (ignored if already known)."""
    await insert_ignore(
        conn,
        alerts,
        [
            {
                "notification_id": notification_id,
                "exporter_id": exporter_id,
                "matches": [asdict(m) for m in matches],
                "reasons": [],
                "created_at": now,
            }
        ],
    )


def matches_from_json(data: Sequence[dict[str, Any]]) -> tuple[ProductMatch, ...]:
    return tuple(ProductMatch(**m) for m in data)
