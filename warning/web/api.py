"""The JSON API under /api/ (staff session or bearer token; see /api/openapi.json).

Alerts and levels are given as exporters receive them (the officials' review
applied through :mod:`warning.review.surfaces`): held-back alerts are left
out unless ``?held=1`` asks for them (then marked ``held_back``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from aiohttp import web

from warning.review.shaping import shape_views
from warning.review.surfaces import (
    note_json,
    received_alerts,
    received_summaries,
    staff_alerts,
    with_review_levels,
)
from warning.storage.overview import AlertView, list_alerts, notification_detail
from warning.storage.review_actions import ReviewChange, ReviewState, load_state
from warning.storage.search import NotificationSummary, count_notifications, search_notifications
from warning.web.filters import parse_filter
from warning.web.keys import RUNTIME, SECTORS
from warning.web.notification_pages import notification_id
from warning.web.openapi import openapi_document
from warning.web.params import page_number, query_id
from warning.web.security import STAFF, require_role
from warning.web.templating import NavItem

routes = web.RouteTableDef()
NAV: list[NavItem] = []


def _json_default(value: object) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_response(data: object, status: int = 200) -> web.Response:
    text = json.dumps(data, default=_json_default, ensure_ascii=False)
    return web.json_response(text=text, status=status)


def summary_json(s: NotificationSummary) -> dict[str, Any]:
    return dataclasses.asdict(s) | {"member_codes": list(s.member_codes), "url": f"/notifications/{s.id}"}


def alert_json(a: AlertView, state: ReviewState, held: ReviewChange | None = None) -> dict[str, Any]:
    """An alert as exporters receive it: ``level`` as an official set it, with the
    official's reason in ``level_review`` (and first in ``reasons``), the expert note;
    ``held_back`` (only with ``?held=1``) says who held it back and why."""
    review = next((r for r in a.reasons if r.code == "review"), None)
    return {
        "id": a.id,
        "notification_id": a.notification_id,
        "notification_key": a.notification_key,
        "exporter_id": a.exporter_id,
        "exporter": a.exporter_name,
        "level": a.level,
        "reasons": [dataclasses.asdict(r) for r in a.reasons],
        "matches": [dataclasses.asdict(m) for m in a.matches],
        "created_at": a.created_at,
        "delivery": a.delivery,
        "level_review": dataclasses.asdict(review) if review else None,
        "expert_note": note_json(state.notes.get(a.notification_id)),
        "held_back": {"reason": held.reason, "by": held.by_email, "at": held.created_at} if held else None,
    }


def _with_held(request: web.Request) -> bool:
    """``?held=1``: held-back alerts listed too (marked); left out by default."""
    return request.query.get("held") == "1"


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    """The API description; public, as it holds no data."""
    return json_response(openapi_document())


@routes.get("/api/notifications")
@require_role(*STAFF)
async def api_notifications(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    sectors = await request.app[SECTORS].get()
    parsed = parse_filter(request.query, sectors, rt.today())
    if parsed.errors:
        raise web.HTTPBadRequest(reason="; ".join(parsed.errors))
    page = page_number(request)
    size = rt.config.web.page_size
    async with rt.db.begin() as conn:
        wanted = await with_review_levels(conn, parsed.filter)
        rows = await search_notifications(conn, wanted, limit=size, offset=(page - 1) * size)
        rows = await received_summaries(conn, rows)
        # Counting scans every match: only when asked for.
        total = await count_notifications(conn, wanted) if request.query.get("count") == "1" else None
    return json_response(
        {"items": [summary_json(r) for r in rows], "page": page, "page_size": size, "total": total}
    )


@routes.get("/api/notifications/{id}")
@require_role(*STAFF)
async def api_notification(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        d = await notification_detail(conn, notification_id(request))
        if d is None:
            raise web.HTTPNotFound(reason="no such notification")
        review = await staff_alerts(conn, d)
        state = await load_state(conn, [d.id])
    n = d.notification
    shown = [a for a in review.alerts if _with_held(request) or a.id not in review.held]
    body = dataclasses.asdict(n) | {
        "id": d.id,
        "symbols": [s.text for s in n.symbols],
        "base_symbol": d.base_symbol,
        "first_seen_at": d.first_seen_at,
        "sources": list(d.sources),
        "level": review.level,
        "expert_note": note_json(review.note),
        "thread": [summary_json(s) for s in review.thread],
        "matches": [dataclasses.asdict(m) for m in d.matches],
        "alerts": [alert_json(a, state, review.held.get(a.id)) for a in shown],
    }
    for unused in ("source_name", "source_id"):
        body.pop(unused, None)
    return json_response(body)


@routes.get("/api/alerts")
@require_role(*STAFF)
async def api_alerts(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    since_text = request.query.get("since", "")
    try:
        since = dt.datetime.fromisoformat(since_text) if since_text else None
        if since is not None:
            # Naive means UTC; an offset at the calendar's ends overflows here, not in the database.
            since = since.replace(tzinfo=dt.UTC) if since.tzinfo is None else since.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise web.HTTPBadRequest(reason=f"since: {since_text[:40]!r} is not an ISO date-time") from None
    page = page_number(request)
    size = rt.config.web.page_size
    filters: dict[str, Any] = {
        "exporter_id": query_id(request, "exporter_id"),
        "notification_id": query_id(request, "notification_id"),
        "since": since,
        "limit": size,
        "offset": (page - 1) * size,
    }
    async with rt.db.begin() as conn:
        state = await load_state(conn)
        if _with_held(request):
            found = shape_views(await list_alerts(conn, **filters), state, keep_held=True)
        else:
            found = await received_alerts(conn, state, **filters)
    items = [alert_json(a, state, state.suppressed(a.notification_id, a.exporter_id)) for a in found]
    return json_response({"items": items, "page": page, "page_size": size})
