"""Storing notifications: upsert by symbol, lookups, product matches."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import (
    notification_sources,
    notification_symbols,
    notifications,
    product_matches,
)
from warning.storage.sql import insert_ignore, insert_returning_id
from warning.symbols import parse_symbol
from warning.types import Notification, ProductMatch

UpsertOutcome = Literal["new", "updated", "unchanged"]

# Fields that identify where a record came from rather than what it says.
_PROVENANCE = {"key", "source_name", "source_id"}
_TUPLE_FIELDS = ("member_codes", "hs_codes", "ics_codes", "objectives", "links")


def content_hash(n: Notification) -> str:
    """A hash of what the notification says (not where it came from)."""
    data = {f.name: getattr(n, f.name) for f in fields(n) if f.name not in _PROVENANCE}
    data["symbols"] = [s.text for s in n.symbols]
    return hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()


def _merge(old: Notification, new: Notification) -> Notification:
    """Fill ``old`` with what ``new`` adds; a non-empty new value wins."""
    updates: dict[str, Any] = {}
    for f in fields(new):
        if f.name in _PROVENANCE:
            continue
        value = getattr(new, f.name)
        if f.name == "symbols" or f.name in _TUPLE_FIELDS:
            merged = tuple(dict.fromkeys((*getattr(old, f.name), *value)))
            updates[f.name] = merged
        elif value not in (None, ""):
            updates[f.name] = value
    return replace(old, **updates)


def _row_values(n: Notification) -> dict[str, Any]:
    base = n.base_symbol
    return {
        "key": n.key,
        "base_symbol": base.text if base else None,
        "area": n.area,
        "member_codes": list(n.member_codes),
        "member_name": n.member_name,
        "notification_type": n.notification_type,
        "title": n.title,
        "description": n.description,
        "products": n.products,
        "distribution_date": n.distribution_date,
        "comment_deadline": n.comment_deadline,
        "proposed_adoption_date": n.proposed_adoption_date,
        "proposed_entry_into_force_date": n.proposed_entry_into_force_date,
        "hs_codes": list(n.hs_codes),
        "ics_codes": list(n.ics_codes),
        "objectives": list(n.objectives),
        "links": list(n.links),
        "language": n.language,
        "content_hash": content_hash(n),
    }


async def _symbols_of(conn: AsyncConnection, notification_id: int) -> list[str]:
    rows = await conn.execute(
        sa.select(notification_symbols.c.symbol).where(
            notification_symbols.c.notification_id == notification_id
        )
    )
    return [r.symbol for r in rows]


def to_notification(row: sa.Row[Any], symbols: Sequence[str]) -> Notification:
    """Build the domain object from a ``notifications`` row and its symbols."""
    parsed = []
    for text in symbols:
        if text.startswith("G/"):
            parsed.append(parse_symbol(text))
    parsed.sort(key=lambda s: s.text != row.key)  # the key's symbol first
    return Notification(
        key=row.key,
        symbols=tuple(parsed),
        area=row.area,
        member_codes=tuple(row.member_codes),
        member_name=row.member_name,
        notification_type=row.notification_type,
        title=row.title,
        description=row.description,
        products=row.products,
        distribution_date=row.distribution_date,
        comment_deadline=row.comment_deadline,
        proposed_adoption_date=row.proposed_adoption_date,
        proposed_entry_into_force_date=row.proposed_entry_into_force_date,
        hs_codes=tuple(row.hs_codes),
        ics_codes=tuple(row.ics_codes),
        objectives=tuple(row.objectives),
        links=tuple(row.links),
        language=row.language,
    )


async def upsert_notification(
    conn: AsyncConnection, n: Notification, now: dt.datetime, raw_id: int | None = None
) -> tuple[int, UpsertOutcome]:
    """Store a notification, merging it with any row that shares a symbol.

    The same notification arriving twice, or from two sources (possibly with
    only one of a joint notification's symbols), is one row; every source
    that reported it is recorded.
    """
    idents = [s.text for s in n.symbols] or [n.key]
    found = await conn.execute(
        sa.select(notification_symbols.c.notification_id)
        .where(notification_symbols.c.symbol.in_(idents))
        .order_by(notification_symbols.c.notification_id)
        .limit(1)
    )
    existing_id = found.scalar_one_or_none()
    outcome: UpsertOutcome
    if existing_id is None:
        values = _row_values(n) | {"first_seen_at": now, "updated_at": now}
        notification_id = await insert_returning_id(conn, notifications, values)
        outcome = "new"
    else:
        notification_id = existing_id
        row = (await conn.execute(sa.select(notifications).where(notifications.c.id == existing_id))).one()
        old = to_notification(row, await _symbols_of(conn, existing_id))
        merged = _merge(old, n)
        values = _row_values(merged)
        values.pop("key")  # identity never changes
        if values["content_hash"] == row.content_hash:
            outcome = "unchanged"
        else:
            values["updated_at"] = now
            await conn.execute(
                sa.update(notifications).where(notifications.c.id == existing_id).values(values)
            )
            outcome = "updated"
    await insert_ignore(
        conn,
        notification_symbols,
        [{"symbol": s, "notification_id": notification_id} for s in idents],
    )
    if n.source_name:
        await insert_ignore(
            conn,
            notification_sources,
            [
                {
                    "notification_id": notification_id,
                    "source_name": n.source_name,
                    "source_id": n.source_id or n.key,
                    "raw_id": raw_id,
                    "seen_at": now,
                }
            ],
        )
    return notification_id, outcome


async def load_notifications(
    conn: AsyncConnection, where: sa.ColumnElement[bool] | None = None
) -> list[tuple[int, Notification]]:
    """Notifications (with their ids) matching ``where``, oldest first."""
    query = sa.select(notifications).order_by(notifications.c.id)
    if where is not None:
        query = query.where(where)
    rows = (await conn.execute(query)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    symbols: dict[int, list[str]] = {i: [] for i in ids}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for sym in await conn.execute(
            sa.select(notification_symbols).where(notification_symbols.c.notification_id.in_(chunk))
        ):
            symbols[sym.notification_id].append(sym.symbol)
    return [(r.id, to_notification(r, symbols[r.id])) for r in rows]


async def count_notifications(conn: AsyncConnection) -> int:
    """How many notifications are stored."""
    return int((await conn.execute(sa.select(sa.func.count()).select_from(notifications))).scalar_one())


async def sources_of(conn: AsyncConnection, notification_id: int) -> list[str]:
    """Names of every source that reported the notification."""
    rows = await conn.execute(
        sa.select(notification_sources.c.source_name)
        .where(notification_sources.c.notification_id == notification_id)
        .distinct()
        .order_by(notification_sources.c.source_name)
    )
    return [r.source_name for r in rows]


async def replace_matches(
    conn: AsyncConnection, notification_id: int, matches: Sequence[ProductMatch]
) -> None:
    """Replace a notification's product matches and mark it classified."""
    await replace_many_matches(conn, [(notification_id, matches)])


async def replace_many_matches(
    conn: AsyncConnection, classified: Sequence[tuple[int, Sequence[ProductMatch]]]
) -> None:
    """Replace the product matches of several notifications and mark them
    classified: what :func:`replace_matches` does for each, in three statements
    (the new rows in the order given)."""
    if not classified:
        return
    ids = [notification_id for notification_id, _ in classified]
    rows = [
        {
            "notification_id": notification_id,
            "hs_code": m.hs_code,
            "level": m.level,
            "score": m.score,
            "method": m.method,
            "evidence": m.evidence,
        }
        for notification_id, matches in classified
        for m in matches
    ]
    await conn.execute(sa.delete(product_matches).where(product_matches.c.notification_id.in_(ids)))
    if rows:
        await conn.execute(sa.insert(product_matches), rows)
    await conn.execute(
        sa.update(notifications)
        .where(notifications.c.id.in_(ids))
        .values(classified_hash=notifications.c.content_hash)
    )


async def notification_ids(conn: AsyncConnection, where: sa.ColumnElement[bool] | None = None) -> list[int]:
    """Ids of the notifications matching ``where``, oldest first."""
    query = sa.select(notifications.c.id).order_by(notifications.c.id)
    if where is not None:
        query = query.where(where)
    return list((await conn.execute(query)).scalars())


async def matches_by_notification(
    conn: AsyncConnection, notification_ids: Sequence[int] | None = None, *, strong_only: float | None = None
) -> dict[int, list[ProductMatch]]:
    """Product matches grouped by notification id, best first (only those
    scoring at least ``strong_only`` when given)."""
    query = sa.select(product_matches).order_by(
        product_matches.c.notification_id, product_matches.c.score.desc(), product_matches.c.hs_code
    )
    if notification_ids is not None:
        query = query.where(product_matches.c.notification_id.in_(list(notification_ids)))
    if strong_only is not None:
        query = query.where(product_matches.c.score >= strong_only)
    out: dict[int, list[ProductMatch]] = {}
    for r in await conn.execute(query):
        out.setdefault(r.notification_id, []).append(
            ProductMatch(r.hs_code, r.level, r.score, r.method, r.evidence)
        )
    return out


def needs_classification() -> sa.ColumnElement[bool]:
    """Filter: notifications whose matches are missing or stale."""
    return sa.or_(
        notifications.c.classified_hash.is_(None),
        notifications.c.classified_hash != notifications.c.content_hash,
    )
