"""Subscriptions: what each contact of an exporter wants, and how often.

Rows are created from the export register; once a contact changes anything
(``customised``), register updates no longer touch that row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.exceptions import SubscriptionError
from warning.storage.schema import exporters as exporters_table
from warning.storage.schema import subscriptions
from warning.types import Exporter, Subscription


@dataclass(frozen=True)
class StoredSubscription:
    """A subscription with its identity and state."""

    id: int
    exporter_id: int
    subscription: Subscription
    active: bool
    customised: bool


def _defaults(exporter: Exporter, email: str) -> Subscription:
    return Subscription(
        exporter=exporter.name,
        email=email,
        language=exporter.language,
        hs_prefixes=tuple(exporter.hs_codes),
        markets=tuple(exporter.markets),
    )


def _values(s: Subscription) -> dict[str, Any]:
    return {
        "email": s.email,
        "language": s.language,
        "sectors": list(s.sectors),
        "hs_prefixes": list(s.hs_prefixes),
        "markets": list(s.markets),
        "min_level": s.min_level,
        "frequency": s.frequency,
    }


#: The register's own fields of a subscription: what a sync may refresh.
_REGISTER_FIELDS = ("language", "hs_prefixes", "markets")


async def sync_from_register(
    conn: AsyncConnection, exporters: Sequence[tuple[int, Exporter]], now: dt.datetime
) -> int:
    """Create or refresh the register's default subscriptions; returns rows changed.

    A contact who changed their subscription keeps it as it is. A register
    row that dropped an email deactivates that contact's default subscription.
    The changes are written in three statements (inserts, refreshes,
    deactivations), new rows in register order.
    """
    rows = {(r.exporter_id, r.email): r for r in await conn.execute(sa.select(subscriptions))}
    inserts: list[dict[str, Any]] = []
    refreshes: list[dict[str, Any]] = []
    for exporter_id, exporter in exporters:
        for email in exporter.emails:
            values = _values(_defaults(exporter, email))
            row = rows.pop((exporter_id, email), None)
            if row is None:
                state = {"active": True, "customised": False, "created_at": now, "updated_at": now}
                inserts.append({"exporter_id": exporter_id} | state | values)
                continue
            # Only the register's own fields; a contact's choices are never overwritten.
            register_fields = {k: values[k] for k in _REGISTER_FIELDS}
            if not row.customised and (
                not row.active or any(getattr(row, k) != v for k, v in register_fields.items())
            ):
                refreshes.append({"row_id": row.id} | register_fields)
    synced = {i for i, _ in exporters}
    gone = [r.id for r in rows.values() if r.exporter_id in synced and r.active and not r.customised]
    if inserts:
        await conn.execute(sa.insert(subscriptions), inserts)
    if refreshes:
        await conn.execute(
            sa.update(subscriptions)
            .where(subscriptions.c.id == sa.bindparam("row_id"))
            .values(active=True, updated_at=now, **{k: sa.bindparam(k) for k in _REGISTER_FIELDS}),
            refreshes,
        )
    if gone:
        await conn.execute(
            sa.update(subscriptions).where(subscriptions.c.id.in_(gone)).values(active=False, updated_at=now)
        )
    return len(inserts) + len(refreshes) + len(gone)


def _stored(r: Any) -> StoredSubscription:
    return StoredSubscription(
        id=r.id,
        exporter_id=r.exporter_id,
        subscription=Subscription(
            exporter=r.exporter_name,
            email=r.email,
            language=r.language,
            hs_prefixes=tuple(r.hs_prefixes),
            markets=tuple(r.markets),
            sectors=tuple(r.sectors),
            min_level=r.min_level,
            frequency=r.frequency,
        ),
        active=bool(r.active),
        customised=bool(r.customised),
    )


def _select() -> sa.Select[Any]:
    return (
        sa.select(subscriptions, exporters_table.c.name.label("exporter_name"))
        .join(exporters_table, exporters_table.c.id == subscriptions.c.exporter_id)
        .order_by(subscriptions.c.email, exporters_table.c.name)
    )


async def load_subscriptions(
    conn: AsyncConnection, *, active_only: bool = True, email: str | None = None
) -> list[StoredSubscription]:
    """Subscriptions by email, then exporter name."""
    query = _select()
    if active_only:
        query = query.where(subscriptions.c.active.is_(True))
    if email is not None:
        query = query.where(subscriptions.c.email == email)
    return [_stored(r) for r in await conn.execute(query)]


async def contact_language(conn: AsyncConnection, email: str) -> str | None:
    """The language a contact's emails are written in (their first
    subscription's); ``None`` for an address with no subscription."""
    query = (
        sa.select(subscriptions.c.language)
        .where(subscriptions.c.email == email)
        .order_by(subscriptions.c.active.desc(), subscriptions.c.id)
        .limit(1)
    )
    language: str | None = (await conn.execute(query)).scalar()
    return language


async def get_subscription(conn: AsyncConnection, subscription_id: int) -> StoredSubscription:
    """One subscription by id.

    Raises:
        SubscriptionError: no such subscription.
    """
    row = (await conn.execute(_select().where(subscriptions.c.id == subscription_id))).one_or_none()
    if row is None:
        raise SubscriptionError(f"no subscription #{subscription_id}")
    return _stored(row)


async def save_choices(
    conn: AsyncConnection, stored: StoredSubscription, new: Subscription, now: dt.datetime, *, active: bool
) -> StoredSubscription:
    """Store a contact's own choices; the register will not overwrite them."""
    await conn.execute(
        sa.update(subscriptions)
        .where(subscriptions.c.id == stored.id)
        .values(active=active, customised=True, updated_at=now, **_values(new))
    )
    return replace(stored, subscription=new, active=active, customised=True)
