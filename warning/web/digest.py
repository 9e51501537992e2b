"""The officials' week in the browser: the review of its measures, the
digest's counts, approval and sending.

The same functions as ``tbtwarn digest weekly`` / ``digest approve``. The
page lists the week's measures by level with the exporters each alerts
(review forms post to :mod:`warning.web.review`), then the report's data in a
page template (not the email's HTML), with the email's chart served as a PNG
by its own route. With ``[digest] review_required`` approving queues and
delivers the exporters' weekly digests as the review shaped them; without
it the approval controls are hidden and edits apply to the next emails.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from aiohttp import web

from notifications.compose import compose_weekly_digests, iso_week
from notifications.deliver import deliver_pending
from notifications.officials import compose_officials_digest, report_chart, week_bounds, weekly_report
from warning.exceptions import ReviewError
from warning.review.week import week_review
from warning.runtime import Runtime
from warning.storage.reviews import approve, get_review
from warning.types import LEVELS
from warning.web.i18n import CATALOGUE
from warning.web.keys import RUNTIME
from warning.web.security import current_user, require_role
from warning.web.templating import NavItem, language, render, see_other

routes = web.RouteTableDef()
NAV = [NavItem("/digest", "nav_digest", ("official",))]


def _week(rt: Runtime, value: str | None) -> str:
    """The ISO week asked for (default: this week).

    Raises:
        HTTPBadRequest: not a week of the form YYYY-Www.
    """
    week = value or iso_week(rt.today())
    try:
        week_bounds(week)
    except ReviewError as exc:
        raise web.HTTPBadRequest(reason=str(exc)) from None
    return week


async def _approved(rt: Runtime, week: str) -> bool:
    if not rt.config.digest.review_required:
        return True
    async with rt.db.begin() as conn:
        review = await get_review(conn, week)
    return review is not None and review.status == "approved"


def _error_key(value: str | None) -> str | None:
    """A review error's message key from the redirect (unknown ones are dropped)."""
    return value if value and value.startswith("review_") and value in CATALOGUE["en"] else None


@routes.get("/digest")
@require_role("official")
async def preview(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    week = _week(rt, request.query.get("week"))
    report = await weekly_report(rt, week, language(request))
    monday, _ = week_bounds(week)
    async with rt.db.begin() as conn:
        review = await get_review(conn, week)
        measures = await week_review(conn, monday, rt.config.zone.timezone)
    return render(
        request,
        "digest.html",
        r=report,
        review=review,
        review_required=rt.config.digest.review_required,
        officials=rt.config.digest.officials,
        previous_week=iso_week(monday.fromordinal(monday.toordinal() - 7)),
        next_week=iso_week(monday.fromordinal(monday.toordinal() + 7)),
        done=request.query.get("done"),
        error=_error_key(request.query.get("error")),
        week_review=measures,
        levels=LEVELS,
        office=rt.config.zone.name_zh if language(request) == "zh" else rt.config.zone.name,
    )


@routes.get("/digest/chart.png")
@require_role("official")
async def chart(request: web.Request) -> web.Response:
    """The digest's chart (the same PNG the email carries inline)."""
    rt = request.app[RUNTIME]
    week = _week(rt, request.query.get("week"))
    report = await weekly_report(rt, week)
    # matplotlib is CPU work: keep it off the event loop.
    png = await asyncio.to_thread(report_chart, report)
    return web.Response(body=png, content_type="image/png")


async def _form_week(request: web.Request) -> str:
    form = await request.post()
    return _week(request.app[RUNTIME], str(form.get("week", "")) or None)


@routes.post("/digest/approve")
@require_role("official")
async def approve_week(request: web.Request) -> web.Response:
    """Approve the week's digest (as ``tbtwarn digest approve --by <the official>``):
    the exporters' weekly digests, shaped by the review, are queued and delivered.
    Without ``[digest] review_required`` there is nothing to approve (400)."""
    rt = request.app[RUNTIME]
    if not rt.config.digest.review_required:
        raise web.HTTPBadRequest(reason="no approval needed: [digest] review_required is off")
    week = await _form_week(request)
    user = current_user(request)
    assert user is not None
    async with rt.db.begin() as conn:
        await approve(conn, week, user.email, rt.now())
    exporters = await compose_weekly_digests(rt)
    outcome = await deliver_pending(rt)
    done = f"approved:{exporters}:{outcome.sent}:{outcome.failed}"
    return see_other(f"/digest?week={quote(week)}&done={quote(done)}")


@routes.post("/digest/send")
@require_role("official")
async def send_week(request: web.Request) -> web.Response:
    """Queue the officials' digest, the exporters' weekly digests once approved, and deliver."""
    rt = request.app[RUNTIME]
    week = await _form_week(request)
    officials = await compose_officials_digest(rt, week)
    exporters = await compose_weekly_digests(rt) if await _approved(rt, week) else 0
    outcome = await deliver_pending(rt)
    done = f"sent:{officials}:{exporters}:{outcome.sent}:{outcome.failed}"
    return see_other(f"/digest?week={quote(week)}&done={quote(done)}")
