"""The officials' review is the same on every surface (issue 18): on one set of
changes (an alert held back, a level raised, one lowered, an expert note), made
after the week's digests went out and followed by a full reclassification and
level recomputation, the staff list and page badges, the JSON API, the
exporter notification and alerts pages, the Atom feed, ``tbtwarn export`` and an
exporter's deadline calendar
all leave the held-back alert out of exporters' views, show the levels set with
the officials' reason, and carry the note, until an official lifts the change."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from notifications.compose import compose_weekly_digests
from notifications.deliver import deliver_pending
from tests.review.fixtures import (
    BOTH,
    COSMETICS,
    COSMETICS_MAKER,
    TOY_MAKER,
    ids,
    populate,
    write_review_config,
)
from tests.web.conftest import SECRET, WEB_NOW, SignIn
from warning.classify import classify_pending
from warning.clock import FixedClock
from warning.config import load_config
from warning.export import notification_records, to_csv
from warning.levels.alerting import create_alerts
from warning.levels.deadlines import deadlines_calendar
from warning.review.edits import Edit, apply_edit
from warning.review.surfaces import warning_shaper
from warning.runtime import Runtime
from warning.storage.schema import alert_state, alerts
from warning.tokens import Signer
from warning.web.app import create_app
from warning.web.feeds import exporter_feed_path, exporter_feed_token

Client = TestClient[web.Request, web.Application]
BY = "official@zone.example.gov.cn"
MAKER_EMAIL = "export@luyuan-cosmetics.example.com"  # Chinese
TOYS_EMAIL = "compliance@spring-toys.example.com"  # English
NOTE_ZH = "欧盟已接受我国实验室的检测报告。"
NOTE_EN = "The EU accepts test reports from our labs."
OFFICE = "Jinan Commerce Bureau"
HELD = "False alert: creams are out of scope"
RAISED = "Adopted early: act now"
LOWERED = "Covered by existing EN 71 certificates"


@dataclass(frozen=True)
class Zone:
    rt: Runtime
    client: Client
    both: int
    cosmetics: int
    maker: int
    toys: int


async def edit(rt: Runtime, **values: object) -> None:
    async with rt.db.begin() as conn:
        await apply_edit(conn, Edit(**values), BY, rt.now())  # type: ignore[arg-type]


async def recompute(rt: Runtime) -> None:
    """A full reclassification and level recomputation, rewriting computed levels."""
    async with rt.db.begin() as conn:
        await conn.execute(sa.delete(alert_state))
    await classify_pending(rt, everything=True)
    await create_alerts(rt)


@pytest.fixture
async def zone(tmp_path: Path) -> AsyncIterator[Zone]:
    path = write_review_config(tmp_path, review_required=False)
    await populate(path)
    rt = await Runtime.open(load_config(path), FixedClock(WEB_NOW))
    try:
        # The week's digests go out first: the alerts page lists what was emailed.
        assert await compose_weekly_digests(rt) >= 2
        await deliver_pending(rt)
        known = await ids(rt)
        both, cosmetics = known[BOTH], known[COSMETICS]
        maker, toys = known[COSMETICS_MAKER], known[TOY_MAKER]
        await edit(rt, notification_id=cosmetics, exporter_id=maker, action="suppress", reason=HELD)
        await edit(rt, notification_id=both, exporter_id=maker, action="level", level="red", reason=RAISED)
        await edit(rt, notification_id=both, exporter_id=toys, action="level", level="blue", reason=LOWERED)
        await edit(
            rt,
            notification_id=both,
            exporter_id=None,
            action="note",
            note_zh=NOTE_ZH,
            note_en=NOTE_EN,
            office=OFFICE,
            reason="",
        )
        await recompute(rt)
        async with TestClient(TestServer(create_app(rt, Signer(SECRET)))) as client:
            yield Zone(rt, client, both, cosmetics, maker, toys)
    finally:
        await rt.close()


async def computed(rt: Runtime, notification_id: int, exporter_id: int) -> str:
    async with rt.db.begin() as conn:
        query = sa.select(alerts.c.level).where(
            alerts.c.notification_id == notification_id, alerts.c.exporter_id == exporter_id
        )
        return str((await conn.execute(query)).scalar_one())


def badge(html: str, row_id: str) -> str | None:
    """The level badge's level in the element whose id starts ``row_id``."""
    start = html.index(f'id="{row_id}')
    found = re.search(r'class="level level-(\w+)"', html[start : html.index("</tr>", start)])
    return found.group(1) if found else None


async def test_computed_levels_differ_from_the_officials(zone: Zone) -> None:
    # The overrides below are only tested if they change something.
    assert await computed(zone.rt, zone.both, zone.maker) != "red"
    assert await computed(zone.rt, zone.both, zone.toys) == "yellow"


async def test_staff_list_and_page_show_levels_as_received(zone: Zone) -> None:
    await SignIn(zone.rt)(zone.client, "official")
    listing = await (await zone.client.get("/notifications?member=EU")).text()
    rows = re.findall(r'href="/notifications/(\d+)".*?</tr>', listing, re.S)
    assert str(zone.both) in rows and str(zone.cosmetics) in rows
    both_row = listing[listing.index(f'href="/notifications/{zone.both}"') :]
    assert 'class="level level-red"' in both_row[: both_row.index("</tr>")]
    held_row = listing[listing.index(f'href="/notifications/{zone.cosmetics}"') :]
    assert 'class="level' not in held_row[: held_row.index("</tr>")]  # alerts nobody now

    # The level filter reads the same levels: raised in, held back out.
    red = await (await zone.client.get("/notifications?member=EU&level=red")).text()
    assert f'href="/notifications/{zone.both}"' in red
    blue = await (await zone.client.get("/notifications?member=EU&level=blue")).text()
    assert (
        f'href="/notifications/{zone.cosmetics}"' not in blue and f'href="/notifications/{zone.both}"' in blue
    )

    page = await (await zone.client.get(f"/notifications/{zone.both}")).text()
    head = page[page.index('id="notification-key"') : page.index("</h1>")]
    assert "level-red" in head
    assert NOTE_EN in page and OFFICE in page
    held = await (await zone.client.get(f"/notifications/{zone.cosmetics}")).text()
    assert "level-" not in held[held.index('id="notification-key"') : held.index("</h1>")]
    assert 'class="held-back"' in held and HELD in held


async def test_api_gives_alerts_as_received_with_reason_and_note(zone: Zone) -> None:
    await SignIn(zone.rt)(zone.client, "official")
    listed = await (await zone.client.get("/api/notifications?member=EU")).json()
    levels = {i["id"]: i["level"] for i in listed["items"]}
    assert levels[zone.both] == "red" and levels[zone.cosmetics] is None
    red = await (await zone.client.get("/api/notifications?member=EU&level=red&count=1")).json()
    assert zone.both in {i["id"] for i in red["items"]} and red["total"] == len(red["items"])
    blue = await (await zone.client.get("/api/notifications?member=EU&level=blue")).json()
    assert zone.cosmetics not in {i["id"] for i in blue["items"]}

    one = await (await zone.client.get(f"/api/notifications/{zone.both}")).json()
    assert one["level"] == "red"
    assert one["expert_note"]["zh"] == NOTE_ZH and one["expert_note"]["office"] == OFFICE
    by_exporter = {a["exporter_id"]: a for a in one["alerts"]}
    assert by_exporter[zone.toys]["level"] == "blue"
    assert LOWERED in by_exporter[zone.toys]["level_review"]["en"]
    assert by_exporter[zone.toys]["reasons"][0]["code"] == "review"
    assert (
        by_exporter[zone.maker]["level"] == "red" and RAISED in by_exporter[zone.maker]["level_review"]["zh"]
    )

    held = await (await zone.client.get(f"/api/notifications/{zone.cosmetics}")).json()
    assert held["alerts"] == [] and held["level"] is None
    marked = await (await zone.client.get(f"/api/notifications/{zone.cosmetics}?held=1")).json()
    assert [a["held_back"]["reason"] for a in marked["alerts"]] == [HELD]

    query = f"exporter_id={zone.maker}&since=2026-01-01"
    mine = {
        a["notification_id"]: a
        for a in (await (await zone.client.get(f"/api/alerts?{query}")).json())["items"]
    }
    assert zone.both in mine and zone.cosmetics not in mine
    assert mine[zone.both]["level"] == "red" and mine[zone.both]["expert_note"]["en"] == NOTE_EN
    everything = await (await zone.client.get(f"/api/alerts?{query}&held=1")).json()
    marked = {a["notification_id"]: a["held_back"] for a in everything["items"]}
    assert marked[zone.cosmetics]["reason"] == HELD and marked[zone.both] is None


async def test_exporter_pages_follow_the_review_in_the_contacts_language(zone: Zone) -> None:
    await SignIn(zone.rt).exporter(zone.client, MAKER_EMAIL)
    assert (await zone.client.get(f"/exporter/notifications/{zone.cosmetics}")).status == 404
    page = await (await zone.client.get(f"/exporter/notifications/{zone.both}")).text()
    assert NOTE_ZH in page and NOTE_EN not in page and "专家解读（Jinan Commerce Bureau）" in page
    assert "level-red" in page[: page.index('id="title"')] and RAISED in page
    listing = await (await zone.client.get("/exporter/alerts")).text()
    notified = re.findall(r'data-notification="(\d+)"', listing)
    assert str(zone.both) in notified and str(zone.cosmetics) not in notified
    item = listing[listing.index(f'data-notification="{zone.both}"') :]
    item = item[: item.index("</li>")]
    assert "level-red" in item and RAISED in item and NOTE_ZH in item

    await SignIn(zone.rt).exporter(zone.client, TOYS_EMAIL)
    page = await (await zone.client.get(f"/exporter/notifications/{zone.both}")).text()
    assert NOTE_EN in page and NOTE_ZH not in page and "Expert reading (Jinan Commerce Bureau)" in page
    assert "level-blue" in page[: page.index('id="title"')] and LOWERED in page
    listing = await (await zone.client.get("/exporter/alerts?level=blue")).text()
    assert str(zone.both) in re.findall(r'data-notification="(\d+)"', listing)
    item = listing[listing.index(f'data-notification="{zone.both}"') :]
    item = item[: item.index("</li>")]
    assert LOWERED in item and NOTE_EN in item and "Expert reading" in item
    yellow = await (await zone.client.get("/exporter/alerts?level=yellow")).text()
    assert str(zone.both) not in re.findall(r'data-notification="(\d+)"', yellow)


async def test_atom_feed_follows_the_review_with_the_note(zone: Zone) -> None:
    token = exporter_feed_token(Signer(SECRET), zone.maker, zone.rt.now(), 30)
    # In the maker's language (Chinese) unless another is asked for.
    feed = await (await zone.client.get(exporter_feed_path(token))).text()
    assert BOTH in feed and COSMETICS not in feed
    assert "[红色]" in feed and RAISED in feed and f"专家解读（{OFFICE}）：{NOTE_ZH}" in feed
    feed = await (await zone.client.get(exporter_feed_path(token) + "?lang=en")).text()
    assert BOTH in feed and COSMETICS not in feed
    assert "[RED]" in feed and RAISED in feed and f"Expert reading ({OFFICE}): {NOTE_EN}" in feed


async def test_export_follows_the_review(zone: Zone) -> None:
    records = {r["key"]: r for r in await notification_records(zone.rt)}
    both, held = records[BOTH], records[COSMETICS]
    assert held["alerts"] == [] and held["held_back"] is False  # held back from its one exporter only
    levels = {a["exporter"]: a["level"] for a in both["alerts"]}
    assert levels == {COSMETICS_MAKER: "red", TOY_MAKER: "blue"}
    toys = next(a for a in both["alerts"] if a["exporter"] == TOY_MAKER)
    assert LOWERED in toys["reasons"][0]
    assert (both["expert_note_zh"], both["expert_note_en"], both["expert_note_office"]) == (
        NOTE_ZH,
        NOTE_EN,
        OFFICE,
    )
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(to_csv(list(records.values())).lstrip("\ufeff")))}
    assert rows[BOTH]["alerts"] == f"{COSMETICS_MAKER}:red;{TOY_MAKER}:blue"
    assert rows[BOTH]["expert_note_en"] == NOTE_EN and rows[COSMETICS]["alerts"] == ""
    json.dumps(both, default=str)  # the JSONL record stays serialisable


async def test_lifting_restores_every_surface(zone: Zone) -> None:
    await edit(zone.rt, notification_id=zone.cosmetics, exporter_id=zone.maker, action="restore", reason="ok")
    await edit(zone.rt, notification_id=zone.both, exporter_id=zone.toys, action="level_lift", reason="ok")
    await SignIn(zone.rt)(zone.client, "official")
    mine = await (await zone.client.get(f"/api/alerts?exporter_id={zone.maker}&since=2026-01-01")).json()
    assert {zone.both, zone.cosmetics} <= {a["notification_id"] for a in mine["items"]}
    one = await (await zone.client.get(f"/api/notifications/{zone.both}")).json()
    toys = next(a for a in one["alerts"] if a["exporter_id"] == zone.toys)
    assert toys["level"] == "yellow" and toys["level_review"] is None
    records = {r["key"]: r for r in await notification_records(zone.rt)}
    assert {a["exporter"]: a["level"] for a in records[BOTH]["alerts"]}[TOY_MAKER] == "yellow"
    assert [a["exporter"] for a in records[COSMETICS]["alerts"]] == [COSMETICS_MAKER]


async def test_exporters_deadline_calendar_follows_the_review(zone: Zone) -> None:
    async with zone.rt.db.begin() as conn:
        shape = await warning_shaper(conn)
    calendar = (await deadlines_calendar(zone.rt, COSMETICS_MAKER, shape)).decode("utf-8")
    unfolded = calendar.replace("\r\n ", "")
    assert f"[红色预警] {BOTH}" in unfolded and COSMETICS not in unfolded
    computed_calendar = (await deadlines_calendar(zone.rt, COSMETICS_MAKER)).decode("utf-8")
    assert COSMETICS in computed_calendar.replace("\r\n ", "")  # without the review, it was there


async def test_subscription_preview_follows_the_review(zone: Zone) -> None:
    from warning.mapping.mappings import current_sectors
    from warning.signup.preview import preview
    from warning.storage.subscriptions import load_subscriptions

    sectors = {s.key: s for s in await current_sectors(zone.rt)}
    async with zone.rt.db.begin() as conn:
        sub = (await load_subscriptions(conn, email=MAKER_EMAIL))[0].subscription
        threshold = zone.rt.config.classifier.alert_threshold
        shown = await preview(conn, sub, sectors, zone.rt.today(), threshold, await warning_shaper(conn))
        computed = await preview(conn, sub, sectors, zone.rt.today(), threshold)
    levels = {i.notification_id: i.level for i in shown.items}
    assert levels[zone.both] == "red" and zone.cosmetics not in levels
    assert zone.cosmetics in {i.notification_id for i in computed.items}
