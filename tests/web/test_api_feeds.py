"""The JSON API, its OpenAPI description, the exporter Atom feed and the deadlines calendar."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient
from icalendar import Calendar

from tests.web.conftest import HOSTILE_KEY, SECRET, SignIn
from warning.runtime import Runtime
from warning.storage.notifications import load_notifications
from warning.storage.overview import AlertView
from warning.storage.schema import alerts, exporters, notifications
from warning.storage.translations import save_translations, source_hash
from warning.tokens import Signer
from warning.types import Translation
from warning.web.feeds import ATOM, XML_LANG, atom_feed, exporter_feed_path, exporter_feed_token
from warning.web.filters import FILTER_PARAMS, LIST_PARAMS

Client = TestClient[web.Request, web.Application]


async def test_api_notification_has_matches_alerts_and_thread(client: Client, sign_in: SignIn) -> None:
    await sign_in(client, "analyst")
    listing = await (await client.get("/api/notifications?level=red")).json()
    assert len(listing["items"]) == 1 and listing["items"][0]["level"] == "red"
    detail = await (
        await client.get(listing["items"][0]["url"].replace("/notifications", "/api/notifications"))
    ).json()
    assert detail["level"] == "red"
    assert detail["matches"] and {"hs_code", "score", "method", "evidence"} <= set(detail["matches"][0])
    red = [a for a in detail["alerts"] if a["level"] == "red"]
    assert red and red[0]["reasons"] == [{"code": "urgency", "en": "red reason <i>", "zh": "red理由"}]
    assert red[0]["delivery"] == "sent"
    assert detail["symbols"][0] == detail["key"] and isinstance(detail["thread"], list)


async def test_api_alerts_filter_by_exporter_and_time(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    await sign_in(client, "official")
    async with web_rt.db.begin() as conn:
        exporter_id = (await conn.execute(sa.select(alerts.c.exporter_id).limit(1))).scalar_one()
        expected = (
            await conn.execute(sa.select(sa.func.count()).where(alerts.c.exporter_id == exporter_id))
        ).scalar_one()
    body = await (await client.get(f"/api/alerts?exporter_id={exporter_id}")).json()
    assert len(body["items"]) == min(expected, body["page_size"])
    assert {a["exporter_id"] for a in body["items"]} == {exporter_id}
    later = await (await client.get("/api/alerts?since=2030-01-01T00:00:00")).json()
    assert later["items"] == []
    assert (await client.get("/api/alerts?since=tomorrow")).status == 400
    assert (await client.get("/api/alerts?exporter_id=x")).status == 400


async def test_openapi_describes_every_api_route(client: Client, web_app: web.Application) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    api_routes = {
        r.resource.canonical
        for r in web_app.router.routes()
        if r.resource and r.resource.canonical.startswith("/api/") and r.method == "GET"
    }
    assert api_routes - {"/api/openapi.json"} == set(doc["paths"])
    names = {p["name"] for p in doc["paths"]["/api/notifications"]["get"]["parameters"]}
    assert names == set(FILTER_PARAMS) | set(LIST_PARAMS)


async def _exporter_with_alerts(rt: Runtime) -> tuple[int, str, int]:
    async with rt.db.begin() as conn:
        row = (
            await conn.execute(
                sa.select(exporters.c.id, exporters.c.name, sa.func.count(alerts.c.id).label("n"))
                .join(alerts, alerts.c.exporter_id == exporters.c.id)
                .group_by(exporters.c.id, exporters.c.name)
                .order_by(exporters.c.id)
            )
        ).first()
    assert row is not None
    return row.id, row.name, row.n


async def test_exporter_atom_feed_with_a_signed_token(client: Client, web_rt: Runtime) -> None:
    exporter_id, name, count = await _exporter_with_alerts(web_rt)
    token = exporter_feed_token(Signer(SECRET), exporter_id, web_rt.now(), days=30)
    response = await client.get(exporter_feed_path(token) + "?lang=en")
    assert response.status == 200
    assert response.content_type == "application/atom+xml"
    feed = ET.fromstring(await response.read())
    assert feed.findtext(f"{{{ATOM}}}title") == f"TBT alerts: {name}"
    entries = feed.findall(f"{{{ATOM}}}entry")
    assert len(entries) == min(count, 100)
    assert all(e.findtext(f"{{{ATOM}}}id", "").startswith("urn:tbtwarn:alert:") for e in entries)


async def test_the_feed_is_in_the_exporters_language_or_the_one_asked(
    client: Client, web_rt: Runtime
) -> None:
    exporter_id, name, _ = await _exporter_with_alerts(web_rt)
    token = exporter_feed_token(Signer(SECRET), exporter_id, web_rt.now(), days=30)
    for language in ("zh", "en"):
        async with web_rt.db.begin() as conn:
            await conn.execute(
                sa.update(exporters).where(exporters.c.id == exporter_id).values(language=language)
            )
        feed = ET.fromstring(await (await client.get(exporter_feed_path(token))).read())
        entries = feed.findall(f"{{{ATOM}}}entry")
        assert entries
        titles = [e.findtext(f"{{{ATOM}}}title", "") for e in entries]
        summaries = " ".join(e.findtext(f"{{{ATOM}}}summary", "") for e in entries)
        if language == "zh":
            assert feed.findtext(f"{{{ATOM}}}title") == f"TBT预警：{name}"
            assert feed.get(XML_LANG) == "zh-CN"
            assert all(re.match(r"\[(红|橙|黄|蓝)色", t) for t in titles if t.startswith("["))
            assert re.search(r"[\u4e00-\u9fff]", summaries)
        else:
            assert feed.findtext(f"{{{ATOM}}}title") == f"TBT alerts: {name}"
            assert all(re.match(r"\[(RED|ORANGE|YELLOW|BLUE)\]", t) for t in titles if t.startswith("["))
    asked = ET.fromstring(await (await client.get(exporter_feed_path(token) + "?lang=zh")).read())
    assert asked.findtext(f"{{{ATOM}}}title") == f"TBT预警：{name}"


async def test_feed_entries_name_the_measure_in_the_readers_language(client: Client, web_rt: Runtime) -> None:
    exporter_id, _, _ = await _exporter_with_alerts(web_rt)
    token = exporter_feed_token(Signer(SECRET), exporter_id, web_rt.now(), days=30)
    async with web_rt.db.begin() as conn:
        query = sa.select(alerts.c.notification_id).where(alerts.c.exporter_id == exporter_id)
        ids = [int(i) for i in (await conn.execute(query)).scalars()]
        stored = await load_notifications(conn, notifications.c.id.in_(ids))
        # A measure notified in English, to be read in Chinese.
        nid, note = next((i, n) for i, n in stored if n.title and not re.search(r"[\u4e00-\u9fff]", n.title))
        row = Translation(
            nid,
            "title",
            "zh",
            "机器译出的措施标题",
            "en",
            source_hash(note.title),
            "machine",
            "libretranslate",
            web_rt.now(),
        )
        await save_translations(conn, [row])
    english = ET.fromstring(await (await client.get(exporter_feed_path(token) + "?lang=en")).read())
    titles = [e.findtext(f"{{{ATOM}}}title", "") for e in english.findall(f"{{{ATOM}}}entry")]
    assert any(t.endswith(f" · {note.title}") for t in titles)  # as notified
    chinese = ET.fromstring(await (await client.get(exporter_feed_path(token) + "?lang=zh")).read())
    titles = [e.findtext(f"{{{ATOM}}}title", "") for e in chinese.findall(f"{{{ATOM}}}entry")]
    assert any(t.endswith(" · 机器译出的措施标题（机器翻译）") for t in titles)
    assert not any(t.endswith(f" · {note.title}") for t in titles)


async def test_feed_refuses_forged_expired_and_foreign_tokens(client: Client, web_rt: Runtime) -> None:
    exporter_id, _, _ = await _exporter_with_alerts(web_rt)
    signer = Signer(SECRET)
    expired = signer.sign("exporter-feed", {"exporter": exporter_id}, web_rt.now() - dt.timedelta(seconds=1))
    other_purpose = signer.sign("web-session", {"exporter": exporter_id}, web_rt.now() + dt.timedelta(days=1))
    forged = Signer(b"another-secret-of-32-bytes-long!!").sign(
        "exporter-feed", {"exporter": exporter_id}, web_rt.now() + dt.timedelta(days=1)
    )
    for token, why in ((expired, "expired"), (other_purpose, "not for"), (forged, "signature")):
        response = await client.get(exporter_feed_path(token))
        assert response.status == 403
        assert why in await response.text()


async def test_deadlines_calendar(client: Client, sign_in: SignIn) -> None:
    assert (await client.get("/calendar.ics", allow_redirects=False)).status == 303
    await sign_in(client, "official")
    response = await client.get("/calendar.ics")
    assert response.content_type == "text/calendar"
    cal = Calendar.from_ical(await response.read())
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    hostile = next(e for s, e in events.items() if HOSTILE_KEY in s)
    assert hostile.decoded("dtstart") == dt.date(2026, 7, 1)
    assert any("G/TBT/N/BDI/786" in s for s in events)  # joint with KEN/2076, deadline 2026-08-14
    # Deadlines further back than 90 days are left out.
    assert all(e.decoded("dtstart") >= dt.date(2026, 3, 19) for e in events.values())


NOW = dt.datetime(2026, 8, 3, 1, 0, tzinfo=dt.UTC)


def test_a_title_with_control_characters_leaves_the_feed_readable() -> None:
    alert = AlertView(1, 7, "G/TBT/N/KEN/1500", 3, "Maker", "red", (), (), NOW, "sent")
    body = atom_feed("Maker", [alert], "http://127.0.0.1:8080", NOW, titles={7: "Toys\x01 \x1b[31mred\x7f"})
    feed = ET.fromstring(body)  # parses: no control character reached the XML
    assert (
        feed.findall(f"{{{ATOM}}}entry")[0].findtext(f"{{{ATOM}}}title")
        == "[RED] G/TBT/N/KEN/1500 · Toys [31mred"
    )
