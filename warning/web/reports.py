"""``/reports``: the report of a month, quarter or year, as a printable page
or an xlsx download (headers in the official's language)."""

from __future__ import annotations

from aiohttp import web

from warning.reports.data import parse_period
from warning.reports.run import XLSX_TYPE, make_report, render_report
from warning.web.keys import RUNTIME
from warning.web.security import require_role
from warning.web.templating import NavItem, language, render

routes = web.RouteTableDef()
NAV = [NavItem("/reports", "nav_reports", ("official",))]


@routes.get("/reports")
@require_role("official")
async def reports(request: web.Request) -> web.StreamResponse:
    rt = request.app[RUNTIME]
    asked = request.query.get("period", "")
    lang = language(request)
    if not asked:
        today = rt.today()
        return render(request, "reports.html", month=f"{today.year}-{today.month:02d}", year=str(today.year))
    try:
        period = parse_period(asked)
    except ValueError as exc:
        raise web.HTTPBadRequest(reason=str(exc)) from None
    fmt = request.query.get("format", "html")
    if fmt not in ("html", "xlsx"):
        raise web.HTTPBadRequest(reason=f"format {fmt!r}: html or xlsx")
    made = await make_report(rt, period)
    body = render_report(made, fmt, lang, standalone=False)
    if fmt == "html":
        return web.Response(body=body, content_type="text/html", charset="utf-8")
    return web.Response(
        body=body,
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="tbt-report-{period.label}.xlsx"'},
    )
