"""The officials' dashboard of the week (counted by :mod:`warning.review.numbers`)."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from warning.review.numbers import NO_LEVEL, members_label, sector_counts, week_numbers
from warning.review.surfaces import received_summaries
from warning.storage.overview import upcoming_deadlines
from warning.storage.response_queue import NOT_SENT, queue_rows
from warning.types import LEVELS, RESPONSE_STATUSES
from warning.web.charts import bar_chart
from warning.web.i18n import LEVEL_NAMES, translate
from warning.web.keys import RUNTIME, SECTORS
from warning.web.responses_staff import status_names
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
        week = await week_numbers(conn, start, rt.config.zone.timezone)
        deadlines = await upcoming_deadlines(conn, today, today + DEADLINE_HORIZON, limit=50)
        responses = await queue_rows(conn)
        deadlines = await received_summaries(conn, deadlines)  # level badges as received
    sectors = await request.app[SECTORS].get()
    sector_names = {s.key: (s.name_zh if lang == "zh" else s.name_en) for s in sectors}
    by_level = week.by_level
    level_items = [(LEVEL_NAMES[lang][lv], by_level[lv], f"bar-{lv}") for lv in LEVELS]
    level_items.append((translate(lang, "no_level"), by_level[NO_LEVEL], "bar-none"))
    members = [(members_label(codes, lang), n) for codes, n in week.by_member.most_common(10)]
    return render(
        request,
        "dashboard.html",
        week=week,
        today=today,
        previous_week=(start - dt.timedelta(days=7)).isoformat(),
        next_week=(start + dt.timedelta(days=7)).isoformat(),
        level_chart=bar_chart(level_items),
        member_chart=bar_chart([(name, n, "bar-member") for name, n in members]),
        sector_rows=[(sector_names[k], n) for k, n in sector_counts(week.measures, sectors).most_common()],
        deadlines=deadlines,
        status_names=status_names(lang),
        response_counts={s: sum(1 for r in responses if r.status == s) for s in RESPONSE_STATUSES},
        # Comments still to send, soonest enquiry-point date first (late ones included: they need a call).
        response_next=[r for r in responses if r.status in NOT_SENT and r.enquiry_date is not None][:10],
    )
