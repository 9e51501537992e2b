"""Analysts' mapping editor: the ICS-to-HS mapping and the sectors, with a preview before saving.

The shipped mapping and the configured sectors are the base; a saved change is
an override stored in the database with its author and time
(:mod:`warning.storage.mappings`). The preview shows which stored notifications
gain or lose an HS match or a sector, and the evaluation figures on the
labelled set before and after (:mod:`warning.mapping.mapping_preview`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from classifiers.evaluate import METRIC_KEYS
from classifiers.ics import load_ics_mapping
from classifiers.nomenclature import load_nomenclature
from classifiers.sectors import configured_sectors, sectors_of
from warning.exceptions import MappingError
from warning.mapping.mapping_preview import (
    SECTOR_METRIC_KEYS,
    MappingPreview,
    apply_ics,
    preview_ics,
    preview_sectors,
)
from warning.mapping.mappings import effective_ics_mapping, ics_change, sector_change, split_prefixes
from warning.storage.mappings import (
    load_ics_overrides,
    load_sector_overrides,
    mapping_history,
    save_ics_row,
    save_sector,
)
from warning.types import IcsRow, MappingAction, Sector
from warning.web.analyst import active_rules, held_ensemble
from warning.web.keys import RUNTIME, SECTORS
from warning.web.security import current_user, require_role
from warning.web.templating import NavItem, render, see_other

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NAV = [NavItem("/analyst/mappings", "nav_mappings", ("analyst",))]


@dataclass(frozen=True)
class MappingForm:
    """A change as submitted (kept in the preview page's hidden fields)."""

    kind: str
    action: str
    key: str
    hs_prefixes: str
    name_en: str = ""
    name_zh: str = ""
    note: str = ""

    def ics_row(self) -> IcsRow:
        return IcsRow(self.key, split_prefixes(self.hs_prefixes), self.note.strip())

    def sector(self) -> Sector:
        return Sector(self.key, self.name_en.strip(), self.name_zh.strip(), split_prefixes(self.hs_prefixes))


async def _read(request: web.Request, kind: str) -> MappingForm:
    form = await request.post()

    def field(name: str) -> str:
        return str(form.get(name, "")).strip()

    return MappingForm(
        kind,
        field("action"),
        field("key"),
        field("hs_prefixes"),
        field("name_en"),
        field("name_zh"),
        field("note"),
    )


async def _page(request: web.Request, errors: list[str], status: int = 200) -> web.Response:
    """The editor: effective sectors and ICS rows (overridden ones marked), forms, history."""
    rt = request.app[RUNTIME]
    sectors = await request.app[SECTORS].get()
    async with rt.db.begin() as conn:
        mapping = await effective_ics_mapping(conn)
        ics_overridden = set(await load_ics_overrides(conn))
        sector_overridden = set(await load_sector_overrides(conn))
        history = await mapping_history(conn, limit=30)
    shipped = load_ics_mapping()
    ics_rows = [
        (
            code,
            prefixes,
            sorted({s.key for p in prefixes for s in sectors_of(p, sectors)}),
            code in ics_overridden,
        )
        for code, prefixes in sorted(mapping.items())
    ]
    removed = sorted(c for c in ics_overridden if c not in mapping and c in shipped)
    base_keys = {s.key for s in configured_sectors(rt.config.sectors)}
    edit_ics = request.query.get("ics", "")
    edit_sector = next((s for s in sectors if s.key == request.query.get("sector")), None)
    return render(
        request,
        "analyst_mappings.html",
        status=status,
        sectors=sectors,
        sector_overridden=sector_overridden,
        sector_removed=sorted(
            k for k in sector_overridden if k in base_keys and k not in {s.key for s in sectors}
        ),
        ics=ics_rows,
        ics_removed=removed,
        configured=bool(rt.config.sectors),
        edit_ics=(edit_ics, mapping[edit_ics]) if edit_ics in mapping else None,
        edit_sector=edit_sector,
        history=history,
        saved=request.query.get("saved"),
        errors=errors,
    )


@routes.get("/analyst/mappings")
@require_role("analyst")
async def mappings_page(request: web.Request) -> web.Response:
    return await _page(request, [])


def _preview_page(
    request: web.Request, change: MappingForm, checked: MappingAction, p: MappingPreview
) -> web.Response:
    return render(
        request,
        "analyst_mapping_preview.html",
        change=change,
        action=checked,
        p=p,
        metric_keys=(*METRIC_KEYS, *SECTOR_METRIC_KEYS),
    )


@routes.post("/analyst/mappings/ics/preview")
@require_role("analyst")
async def ics_preview(request: web.Request) -> web.Response:
    """Show what an ICS row change would do; nothing is stored."""
    change = await _read(request, "ics")
    rt = request.app[RUNTIME]
    sectors = await request.app[SECTORS].get()
    rules = await active_rules(request)
    async with held_ensemble(request) as ensemble:
        old = ensemble.ics.mapping
        try:
            action, new = ics_change(old, change.action, change.ics_row(), ensemble.nomenclature)
        except MappingError as exc:
            return await _page(request, [str(exc)], status=400)
        preview = await preview_ics(rt, ensemble, rules, old, new, sectors)
    return _preview_page(request, change, action, preview)


@routes.post("/analyst/mappings/ics/save")
@require_role("analyst")
async def ics_save(request: web.Request) -> web.Response:
    """Store the ICS row change (author: the analyst) and reclassify what it affects."""
    change = await _read(request, "ics")
    rt = request.app[RUNTIME]
    user = current_user(request)
    assert user is not None
    rules = await active_rules(request)
    async with held_ensemble(request) as ensemble:
        old = ensemble.ics.mapping
        try:
            action, new = ics_change(old, change.action, change.ics_row(), ensemble.nomenclature)
        except MappingError as exc:
            raise web.HTTPBadRequest(reason=str(exc)) from None
        row = change.ics_row() if action != "remove" else IcsRow(change.key, old[change.key], change.note)
        async with rt.db.begin() as conn:
            await save_ics_row(conn, row, action, user.email, rt.now())
        rewritten = await apply_ics(rt, ensemble, rules, old, new)
    log.info("ICS row %s %s by %s: %d notifications reclassified", change.key, action, user.email, rewritten)
    return see_other(f"/analyst/mappings?saved=ICS+{change.key}")


async def _sector_change(
    request: web.Request, change: MappingForm
) -> tuple[MappingAction, tuple[Sector, ...], tuple[Sector, ...]]:
    """The checked action, and the sectors before and after.

    Raises:
        MappingError: the change is malformed or refers to no sector.
    """
    old = await request.app[SECTORS].get()
    action, new = sector_change(old, change.action, change.sector(), load_nomenclature())
    return action, old, new


@routes.post("/analyst/mappings/sectors/preview")
@require_role("analyst")
async def sectors_preview(request: web.Request) -> web.Response:
    """Show what a sector change would do; nothing is stored."""
    change = await _read(request, "sector")
    try:
        action, old, new = await _sector_change(request, change)
    except MappingError as exc:
        return await _page(request, [str(exc)], status=400)
    rules = await active_rules(request)
    async with held_ensemble(request) as ensemble:
        preview = await preview_sectors(request.app[RUNTIME], ensemble, rules, old, new)
    return _preview_page(request, change, action, preview)


@routes.post("/analyst/mappings/sectors/save")
@require_role("analyst")
async def sectors_save(request: web.Request) -> web.Response:
    """Store the sector change (author: the analyst); lists, subscriptions and digests use it at once."""
    change = await _read(request, "sector")
    rt = request.app[RUNTIME]
    user = current_user(request)
    assert user is not None
    try:
        action, old, _ = await _sector_change(request, change)
    except MappingError as exc:
        raise web.HTTPBadRequest(reason=str(exc)) from None
    sector = change.sector() if action != "remove" else next(s for s in old if s.key == change.key)
    async with rt.db.begin() as conn:
        await save_sector(conn, sector, action, user.email, rt.now(), change.note)
    request.app[SECTORS].invalidate()
    log.info("sector %s %s by %s", change.key, action, user.email)
    return see_other(f"/analyst/mappings?saved={change.key}")
