"""The notification list with filters, and the notification page."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup, escape

from warning.members import members
from warning.review.surfaces import received_summaries, with_review_levels
from warning.storage.search import search_notifications
from warning.types import LEVELS
from warning.web.filters import parse_filter
from warning.web.keys import RUNTIME, SECTORS
from warning.web.params import path_id
from warning.web.reads import read_connection, single_read
from warning.web.security import require_role
from warning.web.templating import NavItem, language, render
from warning.web.translation_forms import in_language, page_context, saved_message, store_correction

routes = web.RouteTableDef()
NAV = [NavItem("/notifications", "nav_notifications", ("official", "analyst"))]


@cache
def _member_options_html(lang: str) -> str:
    by_name = sorted(
        ((m.code, m.name_zh if lang == "zh" else m.name_en) for m in members().values()), key=lambda x: x[1]
    )
    return "".join(
        f'<option value="{escape(code)}">{escape(name)} ({escape(code)})</option>' for code, name in by_name
    )


def member_options(lang: str, selected: str) -> Markup:
    """The member <option>s, built once per language (the list page's largest part)."""
    html = _member_options_html(lang)
    if selected.isalpha():  # a validated code: no markup can enter the replacement
        html = html.replace(f'<option value="{selected}">', f'<option value="{selected}" selected>', 1)
    return Markup(html)


def page_link(values: dict[str, str], page: int) -> str:
    """The list URL with the same filters on another page."""
    params = {k: v for k, v in values.items() if v} | ({"page": str(page)} if page > 1 else {})
    return "/notifications" + ("?" + urlencode(params) if params else "")


@routes.get("/notifications")
@require_role("official", "analyst")
@single_read
async def notification_list(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    today = rt.today()
    size = rt.config.web.page_size
    async with read_connection(request, rt) as conn:
        sectors = await request.app[SECTORS].get(conn)
        parsed = parse_filter(request.query, sectors, today)
        wanted = await with_review_levels(conn, parsed.filter)
        rows = await search_notifications(conn, wanted, limit=size + 1, offset=(parsed.page - 1) * size)
        lang = language(request)
        # Level badges as exporters receive them (the officials' review applied).
        rows = await in_language(conn, await received_summaries(conn, rows), lang)
    return render(
        request,
        "notifications.html",
        status=400 if parsed.errors else 200,
        rows=rows[:size],
        errors=parsed.errors,
        values=parsed.values,
        first=(parsed.page - 1) * size + 1,
        last=(parsed.page - 1) * size + min(len(rows), size),
        more=len(rows) > size,
        today=today,
        previous_link=page_link(parsed.values, parsed.page - 1) if parsed.page > 1 else None,
        next_link=page_link(parsed.values, parsed.page + 1) if len(rows) > size else None,
        member_options=member_options(lang, parsed.filter.member),
        sector_options=[(s.key, s.name_zh if lang == "zh" else s.name_en) for s in sectors],
        levels=LEVELS,
    )


def notification_id(request: web.Request) -> int:
    """The id in the path.

    Raises:
        web.HTTPNotFound: not a row id.
    """
    return path_id(request, "notification")


@routes.get("/notifications/{id}")
@require_role("official", "analyst")
async def notification_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    lang = language(request)
    async with rt.db.begin() as conn:
        context = await page_context(rt, conn, notification_id(request), lang)
    context["saved"] = saved_message(request.query.get("saved", ""), lang)
    return render(request, "notification.html", **context)


@routes.post("/notifications/{id}/translations")
@require_role("official", "analyst")
async def correct_translation(request: web.Request) -> web.Response:
    """A staff correction of one field's translation, stored as reviewed."""
    return await store_correction(request, notification_id(request))
