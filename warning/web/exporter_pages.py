"""The exporter notification page and the contact's alerts page.

``/exporter/notifications/{id}`` opens for the contact an email was sent to,
without an account: the link's signed, expiring token (purpose
``notification-page``, see :mod:`notifications.links`) names the contact.
Without a token it serves a signed-in exporter contact.
Either way it shows only a notification that alerted one of the contact's
exporters (others: 404), in the contact's language (a language the person
chose with the switch wins). A forged, cut or expired link gets a page that
says so, in the language the link was made for.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Sequence
from urllib.parse import quote

from aiohttp import web

from classifiers.nomenclature import load_nomenclature
from notifications.links import NOTIFICATION_PAGE
from warning.review.surfaces import received_alerts
from warning.runtime import Runtime
from warning.storage.deliveries import load_alerts
from warning.storage.exporters import load_exporters
from warning.storage.feedback import feedback_of, record_feedback
from warning.storage.notifications import load_notifications
from warning.storage.overview import AlertView, notification_detail
from warning.storage.review_actions import ReviewState, load_state
from warning.storage.schema import notifications
from warning.storage.subscriptions import StoredSubscription, load_subscriptions
from warning.storage.translations import load_translations
from warning.tokens import TokenError
from warning.translation.display import shown_notification, titles_for
from warning.types import LEVELS, Feedback, Notification
from warning.web.exporter_view import (
    AlertRowView,
    alert_row,
    counted,
    days_text,
    market_options,
    notification_page,
)
from warning.web.i18n import LANG_COOKIE, LANGUAGES, translate
from warning.web.keys import RUNTIME, SIGNER
from warning.web.notification_pages import notification_id
from warning.web.params import page_number, path_id
from warning.web.respond_box import respond_box
from warning.web.security import LANG_KEY, current_exporter, exporter_login_url, require_exporter
from warning.web.templating import NavItem, render, see_other

routes = web.RouteTableDef()
NAV: list[NavItem] = []
#: Alerts on one page of a contact's alerts (a year's catch-up can be hundreds).
ALERTS_PER_PAGE = 100


def _use_language(request: web.Request, lang: str | None) -> str:
    """Show the page in the contact's language unless the person chose one."""
    if lang in LANGUAGES and LANG_COOKIE not in request.cookies:
        request[LANG_KEY] = lang
    chosen: str = request[LANG_KEY]
    return chosen


def _claimed_language(token: str) -> str | None:
    """The language a link says it was made for, read without trusting it:
    only to say in that language that the link is refused."""
    try:
        payload = token.partition(".")[0]
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        lang = body["d"]["l"]
    except (ValueError, KeyError, TypeError):
        return None
    return lang if lang in LANGUAGES else None


def _refused(request: web.Request, token: str, exc: TokenError) -> web.Response:
    _use_language(request, _claimed_language(token))
    key = "xp_link_expired" if "expired" in str(exc) else "xp_link_invalid"
    # Signing in instead brings the contact back to this page (without the refused token).
    sign_in = "/exporter/login?next=" + quote(request.path, safe="")
    return render(request, "exporter_link_refused.html", status=403, message_key=key, sign_in=sign_in)


async def _contact(rt: Runtime, email: str) -> list[StoredSubscription]:
    async with rt.db.begin() as conn:
        return await load_subscriptions(conn, active_only=False, email=email)


@routes.get("/exporter/notifications/{id}")
async def exporter_notification(request: web.Request) -> web.StreamResponse:
    rt = request.app[RUNTIME]
    wanted = notification_id(request)
    token = request.query.get("token")
    if token:
        try:
            data = request.app[SIGNER].verify(token, NOTIFICATION_PAGE, rt.now())
        except TokenError as exc:
            return _refused(request, token, exc)
        email, lang = data.get("e"), data.get("l")
        if not isinstance(email, str):
            return _refused(request, token, TokenError("malformed token"))
    else:
        email, lang = current_exporter(request), None
        if email is None:
            raise web.HTTPSeeOther(exporter_login_url(request))
    subs = await _contact(rt, email)
    lang = _use_language(
        request, lang if isinstance(lang, str) else (subs[0].subscription.language if subs else None)
    )
    exporter_ids = {s.exporter_id for s in subs}
    async with rt.db.begin() as conn:
        # As the contact receives them: held-back alerts are not theirs to see.
        state = await load_state(conn)
        mine = [
            a
            for a in await received_alerts(conn, state, notification_id=wanted, limit=10_000)
            if a.exporter_id in exporter_ids
        ]
        detail = await notification_detail(conn, wanted) if mine else None
        exporters = dict(await load_exporters(conn)) if mine else {}
        stored = (await load_translations(conn, [wanted])).get(wanted) if mine else None
        # What the contact can do: raise a concern, ask for the full text (issue 19).
        companies = {a.exporter_id for a in mine}
        box = await respond_box(conn, wanted, _keep_token(token), companies, lang) if mine else None
    if detail is None:
        raise web.HTTPNotFound(reason=translate(lang, "xp_not_yours"))
    shown = shown_notification(detail.id, detail.notification, lang, stored)
    page = notification_page(
        detail, mine, exporters, load_nomenclature(), rt.config, rt.today(), lang, shown=shown
    )
    note, note_office = _note(state, wanted, lang)
    return render(
        request,
        "exporter_notification.html",
        p=page,
        note=note,
        note_office=note_office,
        days=lambda left: days_text(lang, left),
        zone=rt.config.zone,
        signed_in=current_exporter(request) is not None,
        box=box,
    )


def _keep_token(token: str | None) -> Callable[[str], str]:
    """Links of the page that keep the emailed link's token (a visitor without an account)."""
    return lambda path: path + (f"?token={quote(token)}" if token else "")


def _note(state: ReviewState, notification_id: int, lang: str) -> tuple[str, str]:
    """The expert note in ``lang`` and its office, ("", "") if none."""
    note = state.notes.get(notification_id)
    return (note.note(lang), note.office or "") if note else ("", "")


async def _alert_rows(rt: Runtime, subs: Sequence[StoredSubscription], lang: str) -> list[AlertRowView]:
    """Every alert emailed to these subscriptions, most urgent first."""
    async with rt.db.begin() as conn:
        state = await load_state(conn)
        found: list[AlertView] = await received_alerts(
            conn, state, subscription_ids=[s.id for s in subs], limit=1_000_000
        )
        ids = sorted({a.notification_id for a in found})
        notes: dict[int, Notification] = {}
        for start in range(0, len(ids), 500):
            notes.update(await load_notifications(conn, notifications.c.id.in_(ids[start : start + 500])))
        # Titles in the contact's language where a translation is stored.
        translated = await titles_for(conn, {i: n.title for i, n in notes.items()}, lang)
    today = rt.today()
    rows = [
        alert_row(
            a,
            notes[a.notification_id],
            today,
            rt.config,
            lang,
            translated.get(a.notification_id, ("", ""))[0],
            note=_note(state, a.notification_id, lang),
            title_status=translated.get(a.notification_id, ("", ""))[1],
        )
        for a in found
    ]
    return sorted(rows, key=lambda r: (r.order, r.alert_id))


def _filters(
    request: web.Request, rows: Sequence[AlertRowView], lang: str
) -> tuple[dict[str, str], str | None]:
    """The filter values asked for, and an error naming a bad one."""
    values = {k: request.query.get(k, "") for k in ("status", "level", "market")}
    if values["status"] not in ("", "open", "closed"):
        return values, translate(
            lang, "xp_bad_filter", what=translate(lang, "xp_filter_status"), value=values["status"]
        )
    if values["level"] not in ("", *LEVELS):
        return values, translate(
            lang, "xp_bad_filter", what=translate(lang, "xp_filter_level"), value=values["level"]
        )
    if values["market"] and values["market"] not in {r.market for r in rows}:
        return values, translate(
            lang, "xp_bad_filter", what=translate(lang, "xp_filter_market"), value=values["market"]
        )
    return values, None


def _keep(row: AlertRowView, values: dict[str, str]) -> bool:
    if values["status"] and (values["status"] == "open") != row.dates.is_open:
        return False
    if values["level"] and row.level != values["level"]:
        return False
    return not values["market"] or row.market == values["market"]


def _page_link(values: dict[str, str], page: int) -> str:
    params = [f"{k}={v}" for k, v in values.items() if v] + ([f"page={page}"] if page > 1 else [])
    return "/exporter/alerts" + ("?" + "&".join(params) if params else "")


@routes.get("/exporter/alerts")
@require_exporter
async def alerts_page(request: web.Request) -> web.Response:
    """The alerts emailed to this contact, most urgent first, filtered and paged."""
    rt = request.app[RUNTIME]
    email = current_exporter(request)
    assert email is not None
    subs = await _contact(rt, email)
    lang = _use_language(request, subs[0].subscription.language if subs else None)
    page = page_number(request)
    rows = await _alert_rows(rt, subs, lang)
    values, error = _filters(request, rows, lang)
    shown = [r for r in rows if _keep(r, values)] if error is None else []
    pages = max(1, math.ceil(len(shown) / ALERTS_PER_PAGE))
    async with rt.db.begin() as conn:
        given = await feedback_of(conn, email)
    return render(
        request,
        "exporter_alerts.html",
        status=400 if error else 200,
        rows=shown[(page - 1) * ALERTS_PER_PAGE : page * ALERTS_PER_PAGE],
        count=counted(lang, "xp_alerts_count", len(shown)),
        page_of=translate(lang, "xp_page_of", page=page, pages=pages),
        values=values,
        error=error,
        levels=LEVELS,
        markets=market_options(rows, lang),
        days=lambda left: days_text(lang, left),
        given=given,
        timezone=rt.config.zone.timezone,
        previous_link=_page_link(values, page - 1) if page > 1 else None,
        next_link=_page_link(values, page + 1) if page < pages else None,
    )


@routes.post("/exporter/alerts/{id:\\d+}/feedback")
@require_exporter
async def alert_feedback(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    email = current_exporter(request)
    assert email is not None
    form = await request.post()
    flag = form.get("relevant")
    if flag not in ("0", "1"):
        raise web.HTTPBadRequest(reason="relevant must be 0 or 1")
    alert_id = path_id(request, "alert")
    exporter_ids = {s.exporter_id for s in await _contact(rt, email)}
    async with rt.db.begin() as conn:
        found = await load_alerts(conn, [alert_id])
        alert = found[0] if found else None
        if alert is None or alert.exporter_id not in exporter_ids:
            raise web.HTTPForbidden(reason="not an alert of yours")
        item = Feedback(alert.id, alert.notification_id, alert.exporter_id, email, flag == "1", rt.now())
        await record_feedback(conn, item)
    return see_other(f"/exporter/alerts#alert-{alert_id}")
