"""Sign-up applications, their events and the sign-up rate-limit counters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.signup_tables import application_events, applications
from warning.types import (
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
    ExposureRow,
    StoredApplication,
)


def _values(a: Application) -> dict[str, Any]:
    return {
        "company_zh": a.company_zh,
        "company_en": a.company_en,
        "credit_code": a.credit_code,
        "contact_name": a.contact_name,
        "email": a.email,
        "language": a.language,
        "hs_codes": list(a.hs_codes),
        "markets": list(a.markets),
        "figures": [
            {"hs": f.hs_code, "market": f.market, "value_usd": f.value_usd, "year": f.year} for f in a.figures
        ],
    }


def _stored(r: Any) -> StoredApplication:
    figures = tuple(
        ExposureRow(None, f["hs"], f["market"], float(f["value_usd"]), int(f["year"])) for f in r.figures
    )
    return StoredApplication(
        id=r.id,
        application=Application(
            company_zh=r.company_zh,
            company_en=r.company_en,
            credit_code=r.credit_code,
            contact_name=r.contact_name,
            email=r.email,
            language=r.language,
            hs_codes=tuple(r.hs_codes),
            markets=tuple(r.markets),
            figures=figures,
        ),
        status=r.status,
        created_at=r.created_at,
        updated_at=r.updated_at,
        expires_at=r.expires_at,
        verified_at=r.verified_at,
        exporter_id=r.exporter_id,
        link_nonce=r.link_nonce,
    )


async def insert_application(
    conn: AsyncConnection, a: Application, nonce: str, now: dt.datetime, expires_at: dt.datetime
) -> int:
    """Store a new, unverified application; returns its id."""
    result = await conn.execute(
        sa.insert(applications)
        .values(
            status="unverified",
            link_nonce=nonce,
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
            **_values(a),
        )
        .returning(applications.c.id)
    )
    return int(result.scalar_one())


async def get_application(conn: AsyncConnection, application_id: int) -> StoredApplication | None:
    row = (
        await conn.execute(sa.select(applications).where(applications.c.id == application_id))
    ).one_or_none()
    return _stored(row) if row is not None else None


async def list_applications(
    conn: AsyncConnection, statuses: Sequence[ApplicationStatus] | None = None
) -> list[StoredApplication]:
    """Applications in these states (every one when ``None``), oldest first."""
    query = sa.select(applications).order_by(applications.c.created_at, applications.c.id)
    if statuses is not None:
        query = query.where(applications.c.status.in_(list(statuses)))
    return [_stored(r) for r in await conn.execute(query)]


async def update_application(
    conn: AsyncConnection,
    application_id: int,
    now: dt.datetime,
    *,
    status: ApplicationStatus | None = None,
    application: Application | None = None,
    **values: Any,
) -> None:
    """Change an application's state, content or link (``link_nonce``, ``verified_at``, ``exporter_id``)."""
    changes = dict(values, updated_at=now)
    if status is not None:
        changes["status"] = status
    if application is not None:
        changes |= _values(application)
    await conn.execute(sa.update(applications).where(applications.c.id == application_id).values(**changes))


async def add_event(
    conn: AsyncConnection,
    application_id: int,
    action: ApplicationAction,
    actor: str,
    note: str,
    now: dt.datetime,
) -> None:
    await conn.execute(
        sa.insert(application_events).values(
            application_id=application_id, action=action, actor=actor, note=note, created_at=now
        )
    )


async def events_of(conn: AsyncConnection, application_id: int) -> list[ApplicationEvent]:
    """An application's history, oldest first."""
    rows = await conn.execute(
        sa.select(application_events)
        .where(application_events.c.application_id == application_id)
        .order_by(application_events.c.id)
    )
    return [ApplicationEvent(r.action, r.actor, r.note, r.created_at) for r in rows]
