"""Operations pages (admin): sources and their health, quarantine, outbox."""

from __future__ import annotations

from aiohttp import web

from warning.storage.overview import outbox_state
from warning.storage.raw import list_quarantine, list_source_states
from warning.web.keys import RUNTIME
from warning.web.security import require_role
from warning.web.templating import NavItem, render

routes = web.RouteTableDef()
NAV = [
    NavItem("/ops/sources", "nav_sources", ("admin",)),
    NavItem("/ops/quarantine", "nav_quarantine", ("admin",)),
    NavItem("/ops/outbox", "nav_outbox", ("admin",)),
]


@routes.get("/ops/sources")
@require_role("admin")
async def sources(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        states = {s.source_name: s for s in await list_source_states(conn)}
    configured = [(s.name, s.kind, states.pop(s.name, None)) for s in rt.config.sources]
    # Sources that ran once but are no longer configured still show their state.
    retired = [(name, "", state) for name, state in sorted(states.items())]
    return render(request, "ops_sources.html", sources=configured + retired)


@routes.get("/ops/quarantine")
@require_role("admin")
async def quarantine(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        items = await list_quarantine(conn, limit=200)
    return render(request, "ops_quarantine.html", items=items)


@routes.get("/ops/outbox")
@require_role("admin")
async def outbox(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        counts, latest = await outbox_state(conn)
    return render(request, "ops_outbox.html", counts=counts, messages=latest)
