"""Feeds: an exporter's alerts as Atom (signed token in the URL), deadlines as iCalendar."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from urllib.parse import quote

import sqlalchemy as sa
from aiohttp import web
from icalendar import Calendar, Event
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.review.surfaces import received_alerts
from warning.safe_text import strip_controls
from warning.storage.overview import AlertView, exporter_language, exporter_name, upcoming_deadlines
from warning.storage.response_queue import NOT_SENT, QueueRow, queue_rows
from warning.storage.review_actions import ReviewChange, load_state
from warning.storage.schema import notifications
from warning.storage.search import NotificationSummary
from warning.symbols import reference
from warning.tokens import Signer, TokenError
from warning.translation.display import titles_for
from warning.types import LEVEL_NAMES_ZH
from warning.web.keys import RUNTIME, SIGNER
from warning.web.security import STAFF, require_role
from warning.web.templating import NavItem

routes = web.RouteTableDef()
NAV: list[NavItem] = []
FEED_PURPOSE = "exporter-feed"
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: The calendar covers deadlines from this long ago to this far ahead.
CALENDAR_PAST = dt.timedelta(days=90)
CALENDAR_AHEAD = dt.timedelta(days=365)
WTO_SEARCH = "https://docs.wto.org/dol2fe/Pages/FE_Search/FE_S_S006.aspx?MetaCollection=WTO&SymbolList="


def exporter_feed_token(signer: Signer, exporter_id: int, now: dt.datetime, days: int) -> str:
    """The token of an exporter's Atom feed URL, valid for ``days``."""
    return signer.sign(FEED_PURPOSE, {"exporter": exporter_id}, now + dt.timedelta(days=days))


def exporter_feed_path(token: str) -> str:
    return f"/feeds/exporter/{token}.atom"


#: The label of a machine-translated title, in the feed's language.
MACHINE_LABEL = {"zh": "（机器翻译）", "en": " (machine translation)"}


def _entry_text(
    a: AlertView, language: str, note: ReviewChange | None = None, title: str = ""
) -> tuple[str, str]:
    level = ""
    if a.level:
        level = f"[{LEVEL_NAMES_ZH[a.level]}] " if language == "zh" else f"[{a.level.upper()}] "
    reasons = "\n".join(r.text(language) for r in a.reasons)
    products = ", ".join(f"{m.hs_code} ({m.evidence})" for m in a.matches)
    expert = ""
    if note is not None:
        office = note.office or ""
        head = f"专家解读（{office}）" if language == "zh" else f"Expert reading ({office})"
        expert = f"{head}{'：' if language == 'zh' else ': '}{note.note(language)}"
    heading = level + reference(a.notification_key) + (f" · {title}" if title else "")
    summary = "\n".join(part for part in (reasons, expert, products) if part)
    # XML 1.0 has no control characters: one in a feed's title would make the document unreadable.
    return strip_controls(heading), strip_controls(summary)


def _entry_link(a: AlertView, base_url: str) -> str:
    """The WTO's page of a notified measure; our own page of one the WTO has no symbol for."""
    if a.notification_key.startswith("G/"):
        return WTO_SEARCH + quote(a.notification_key, safe="")
    return f"{base_url.rstrip('/')}/exporter/notifications/{a.notification_id}"


def atom_feed(
    name: str,
    alerts: list[AlertView],
    base_url: str,
    updated: dt.datetime,
    notes: Mapping[int, ReviewChange] | None = None,
    language: str = "en",
    titles: Mapping[int, str] | None = None,
) -> bytes:
    """An Atom document of alerts in ``language`` (as the officials' review shaped
    them, with ``notes``: expert notes by notification id, and ``titles``: the
    measures' titles as the reader sees them); text is escaped by the XML serialiser."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: "zh-CN" if language == "zh" else "en"})
    heading = f"TBT预警：{name}" if language == "zh" else f"TBT alerts: {name}"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = heading
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:tbtwarn:exporter-feed:{name}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = (alerts[0].created_at if alerts else updated).isoformat()
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "tbtwarn"
    for a in alerts:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        title, summary = _entry_text(
            a, language, (notes or {}).get(a.notification_id), (titles or {}).get(a.notification_id, "")
        )
        ET.SubElement(entry, f"{{{ATOM}}}title").text = title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:tbtwarn:alert:{a.id}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = a.created_at.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
        ET.SubElement(entry, f"{{{ATOM}}}link", href=_entry_link(a, base_url))
    xml: bytes = ET.tostring(feed, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + xml


@routes.get("/feeds/exporter/{token}.atom")
async def exporter_feed(request: web.Request) -> web.Response:
    """An exporter's latest alerts in the exporter's language (``?lang=zh|en`` to
    choose another); the signed token is the only credential."""
    rt = request.app[RUNTIME]
    try:
        data = request.app[SIGNER].verify(request.match_info["token"], FEED_PURPOSE, rt.now())
    except TokenError as exc:
        raise web.HTTPForbidden(reason=f"feed link refused: {exc}") from None
    exporter_id = data.get("exporter")
    if not isinstance(exporter_id, int):
        raise web.HTTPForbidden(reason="feed link refused: malformed token")
    async with rt.db.begin() as conn:
        name = await exporter_name(conn, exporter_id)
        language = await exporter_language(conn, exporter_id)
        if name is None:
            raise web.HTTPNotFound(reason="this exporter is no longer registered")
        # The officials' review: held-back alerts are not shown, levels they set are, with their notes.
        state = await load_state(conn)
        found = await received_alerts(conn, state, exporter_id=exporter_id, limit=100)
        asked = request.query.get("lang", "")
        chosen = asked if asked in ("zh", "en") else language
        titles = await _titles(conn, {a.notification_id for a in found}, chosen)
    body = atom_feed(name, found, rt.config.zone.base_url, rt.now(), state.notes, chosen, titles)
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")


async def _titles(conn: AsyncConnection, ids: set[int], language: str) -> dict[int, str]:
    """The measures' titles as a reader of ``language`` sees them: the stored
    translation where there is one (a machine translation labelled), else the original."""
    if not ids:
        return {}
    query = sa.select(notifications.c.id, notifications.c.title).where(notifications.c.id.in_(sorted(ids)))
    stored = {int(r.id): str(r.title or "") for r in await conn.execute(query)}
    out = dict(stored)
    for nid, (text, status) in (await titles_for(conn, stored, language)).items():
        out[nid] = text + (MACHINE_LABEL["zh" if language == "zh" else "en"] if status == "machine" else "")
    return out


def add_response_deadlines(cal: Calendar, rows: list[QueueRow], base_url: str, now: dt.datetime) -> None:
    """One all-day event per response file whose comment is still to send: its
    enquiry-point date, the last day to get the zone's comment to the enquiry point."""
    for r in rows:
        if r.enquiry_date is None:
            continue
        event = Event()
        event.add("uid", f"response-{r.response_id}@tbtwarn")
        event.add("dtstamp", now)
        event.add("dtstart", r.enquiry_date)
        event.add("dtend", r.enquiry_date + dt.timedelta(days=1))
        event.add(
            "summary", f"Zone comment to the enquiry point: {r.symbol} ({r.concerns} concerns, {r.status})"
        )
        event.add("description", r.title)
        event.add("url", f"{base_url.rstrip('/')}/responses/{r.response_id}")
        cal.add_component(event)


def deadline_calendar(
    rows: list[NotificationSummary], base_url: str, now: dt.datetime, responses: list[QueueRow] | None = None
) -> bytes:
    """An iCalendar of comment deadlines, one all-day event each, and of the
    response files' enquiry-point dates (comments still to send)."""
    responses = responses or []
    cal = Calendar()
    cal.add("prodid", "-//tbtwarn//comment deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "TBT comment deadlines")
    add_response_deadlines(cal, responses, base_url, now)
    for row in rows:
        assert row.comment_deadline is not None
        event = Event()
        event.add("uid", f"deadline-{row.id}@tbtwarn")
        event.add("dtstamp", now)
        event.add("dtstart", row.comment_deadline)
        event.add("dtend", row.comment_deadline + dt.timedelta(days=1))
        event.add("summary", f"Comments due: {reference(row.key)} ({row.member_name})")
        event.add("description", row.title)
        event.add("url", f"{base_url.rstrip('/')}/notifications/{row.id}")
        cal.add_component(event)
    return bytes(cal.to_ical())


@routes.get("/calendar.ics")
@require_role(*STAFF)
async def calendar(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    today = rt.today()
    async with rt.db.begin() as conn:
        rows = await upcoming_deadlines(conn, today - CALENDAR_PAST, today + CALENDAR_AHEAD, limit=5000)
        responses = await queue_rows(conn, statuses=NOT_SENT)
    body = deadline_calendar(rows, rt.config.zone.base_url, rt.now(), responses)
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="tbt-deadlines.ics"'},
    )
