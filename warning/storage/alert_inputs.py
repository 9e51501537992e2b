"""What the stored warnings were computed from: fingerprints for incremental alerting.

``alert_inputs`` holds, per notification, its thread and a fingerprint of
its content and strong product matches; ``alert_exporter_inputs`` the same
per exporter (register row and export figures); ``alert_state`` the day and
the settings of the last computation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import (
    alert_exporter_inputs,
    alert_inputs,
    alert_state,
    notifications,
    product_matches,
)

#: Ids per ``IN (...)`` list: well under SQLite's and asyncpg's parameter limits.
CHUNK = 500


def digest(data: Any) -> str:
    """sha256 of ``data`` as canonical JSON (dates as ISO strings)."""
    return hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[list[int]]:
    """``ids`` in lists of at most ``size``."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


@dataclass(frozen=True)
class NotificationInputs:
    """What a notification's warning depends on, read cheaply (no text)."""

    fingerprint: str
    #: HS codes of its matches at or above the alert threshold.
    codes: tuple[str, ...]


async def current_inputs(conn: AsyncConnection, threshold: float) -> dict[int, NotificationInputs]:
    """Every notification's current fingerprint and strong match codes."""
    hashes = {
        r.id: r.content_hash
        for r in await conn.execute(sa.select(notifications.c.id, notifications.c.content_hash))
    }
    strong: dict[int, list[tuple[str, int, float, str, str]]] = {}
    query = (
        sa.select(
            product_matches.c.notification_id,
            product_matches.c.hs_code,
            product_matches.c.level,
            product_matches.c.score,
            product_matches.c.method,
            product_matches.c.evidence,
        )
        .where(product_matches.c.score >= threshold)
        .order_by(product_matches.c.notification_id, product_matches.c.hs_code, product_matches.c.method)
    )
    for r in await conn.execute(query):
        strong.setdefault(r.notification_id, []).append((r.hs_code, r.level, r.score, r.method, r.evidence))
    out: dict[int, NotificationInputs] = {}
    for notification_id, content_hash in hashes.items():
        found = strong.get(notification_id, [])
        out[notification_id] = NotificationInputs(
            digest([content_hash, found]), tuple(sorted({m[0] for m in found}))
        )
    return out


async def stored_inputs(conn: AsyncConnection) -> dict[int, tuple[str, str]]:
    """notification id -> (thread key, fingerprint) as of the last computation."""
    rows = await conn.execute(sa.select(alert_inputs))
    return {r.notification_id: (r.thread_key, r.fingerprint) for r in rows}


async def save_inputs(conn: AsyncConnection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Record (notification id, thread key, fingerprint) of recomputed notifications."""
    ids = [r[0] for r in rows]
    for chunk in chunks(ids):
        await conn.execute(sa.delete(alert_inputs).where(alert_inputs.c.notification_id.in_(chunk)))
    if rows:
        await conn.execute(
            sa.insert(alert_inputs),
            [{"notification_id": i, "thread_key": k, "fingerprint": f} for i, k, f in rows],
        )


async def stored_exporter_inputs(conn: AsyncConnection) -> dict[int, tuple[str, tuple[str, ...]]]:
    """exporter id -> (fingerprint, HS codes) as of the last computation."""
    rows = await conn.execute(sa.select(alert_exporter_inputs))
    return {r.exporter_id: (r.fingerprint, tuple(r.hs_codes)) for r in rows}


async def save_exporter_inputs(
    conn: AsyncConnection, current: dict[int, tuple[str, tuple[str, ...]]], gone: Iterable[int]
) -> None:
    """Replace the stored inputs of the exporters in ``current``; forget ``gone``."""
    forget = [*current, *gone]
    for chunk in chunks(forget):
        await conn.execute(
            sa.delete(alert_exporter_inputs).where(alert_exporter_inputs.c.exporter_id.in_(chunk))
        )
    if current:
        await conn.execute(
            sa.insert(alert_exporter_inputs),
            [{"exporter_id": i, "fingerprint": f, "hs_codes": list(c)} for i, (f, c) in current.items()],
        )


async def load_state(conn: AsyncConnection, name: str) -> tuple[dt.date, str] | None:
    """(day, settings fingerprint) of the last computation named ``name``."""
    row = (await conn.execute(sa.select(alert_state).where(alert_state.c.name == name))).one_or_none()
    return (row.day, row.fingerprint) if row is not None else None


async def save_state(
    conn: AsyncConnection, name: str, day: dt.date, fingerprint: str, now: dt.datetime
) -> None:
    """Record the day and settings of a computation."""
    await conn.execute(sa.delete(alert_state).where(alert_state.c.name == name))
    await conn.execute(
        sa.insert(alert_state).values(name=name, day=day, fingerprint=fingerprint, updated_at=now)
    )
