"""The officials' dashboard of the week."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from aiohttp import web

from classifiers.sectors import sectors_of
from warning.storage.overview import upcoming_deadlines, week_overview
from warning.types import LEVELS
from warning.web.charts import bar_chart
from warning.web.i18n import LEVEL_NAMES, translate
from warning.web.keys import RUNTIME, SECTORS
from warning.web.security import require_role
from warning.web.templating import NavItem, language, render

routes = web.RouteTableDef()
NAV = [NavItem("/dashboard", "nav_dashboard", ("official",))]
DEADLINE_HORIZON = dt.timedelta(days=30)


def week_start(request: web.Request, today: dt.date) -> dt.date:
    """The Monday of the week asked for (``?week=YYYY-MM-DD``, any day of it), else this week.

    Raises:
        web.HTTPBadRequest: the date is malformed.
    """
    asked = request.query.get("week", "")
    try:
        day = dt.date.fromisoformat(asked) if asked else today
    except ValueError:
        raise web.HTTPBadRequest(reason=f"week: {asked!r} is not a date (YYYY-MM-DD)") from None
    if not 1900 <= day.year <= 2999:  # weeks around it are read: the calendar's ends overflow
        raise web.HTTPBadRequest(reason=f"week: {asked!r} is out of range (years 1900 to 2999)")
    return day - dt.timedelta(days=day.weekday())


@routes.get("/dashboard")
@require_role("official")
async def dashboard(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    lang = language(request)
    today = rt.today()
    start = week_start(request, today)
    async with rt.db.begin() as conn:
        week = await week_overview(conn, start)
        deadlines = await upcoming_deadlines(conn, today, today + DEADLINE_HORIZON, limit=50)
    sectors = await request.app[SECTORS].get()
    sector_counts: Counter[str] = Counter()
    for codes in week.hs_codes.values():
        keys = {s.key for code in codes for s in sectors_of(code, sectors)}
        sector_counts.update(keys)
    sector_names = {s.key: (s.name_zh if lang == "zh" else s.name_en) for s in sectors}
    level_items = [(LEVEL_NAMES[lang][lv], week.by_level[lv], f"bar-{lv}") for lv in LEVELS]
    level_items.append((translate(lang, "no_level"), week.by_level["none"], "bar-none"))
    return render(
        request,
        "dashboard.html",
        week=week,
        today=today,
        previous_week=(start - dt.timedelta(days=7)).isoformat(),
        next_week=(start + dt.timedelta(days=7)).isoformat(),
        level_chart=bar_chart(level_items),
        member_chart=bar_chart([(name, n, "bar-member") for name, n in week.by_member]),
        sector_rows=[(sector_names[k], n) for k, n in sector_counts.most_common()],
        deadlines=deadlines,
    )
