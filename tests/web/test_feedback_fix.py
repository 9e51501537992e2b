"""From an exporter's "not relevant" to an exclusion, in-process: the feedback page drafts
it from the alert's evidence, the preview names the exporter whose alert disappears,
saving it stores an exclusion that drops the match; a "relevant" answer below the
threshold drafts a rule; the sector preview names exporters. And the mapping editor's search."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import SignIn
from warning.runtime import Runtime
from warning.storage.alerts import matches_from_json
from warning.storage.feedback import record_feedback
from warning.storage.rules import load_rules
from warning.storage.schema import alerts, exporters, notifications, product_matches
from warning.storage.subscriptions import load_subscriptions, save_choices
from warning.types import Feedback

Client = TestClient[web.Request, web.Application]


async def not_relevant(rt: Runtime) -> tuple[int, str, str, tuple[str, ...]]:
    """A "not relevant" answer on an alert whose evidence quotes a product word:
    (notification id, its key, the exporter's name, the alert's HS codes)."""
    async with rt.db.begin() as conn:
        rows = await conn.execute(
            sa.select(alerts, exporters.c.name, notifications.c.key)
            .join(exporters, exporters.c.id == alerts.c.exporter_id)
            .join(notifications, notifications.c.id == alerts.c.notification_id)
            .order_by(alerts.c.id)
        )
        for row in rows:
            matches = matches_from_json(row.matches)
            if matches and all("“" in m.evidence for m in matches):
                break
        else:
            raise AssertionError("no alert with a quoted product word in the sample")
        await record_feedback(
            conn, Feedback(row.id, row.notification_id, row.exporter_id, "buyer@example.cn", False, rt.now())
        )
    return row.notification_id, row.key, row.name, tuple(m.hs_code for m in matches)


def _form(page: str, button_class: str) -> dict[str, str]:
    found = re.search(
        rf'<form[^>]*action="/analyst/rules/preview"[^>]*>(.*?)<button[^>]*class="{button_class}"', page, re.S
    )
    assert found is not None, f"no {button_class} form"
    fields = re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', found[1])
    return {name: html.unescape(value) for name, value in fields}


async def test_not_relevant_becomes_an_exclusion_through_the_preview(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    notification_id, key, exporter, codes = await not_relevant(web_rt)
    await sign_in(client, "analyst")
    page = await (await client.get("/analyst/feedback")).text()
    form = _form(page, "draft-exclusion")
    assert form["suppress"] == "1" and form["action"] == "add"
    assert form["hs_codes"].split() == list(codes)
    assert key in form["note"] and form["phrases"]
    preview = await (await client.post("/analyst/rules/preview", data=form)).text()
    effects = re.search(r'<table class="list" id="exporter-effects">(.*?)</table>', preview, re.S)
    assert effects is not None
    gone = re.findall(r'<tr class="effect-disappears">.*?</tr>', effects[1], re.S)
    named = f'<td class="exporter">{html.escape(exporter)}</td>'
    assert any(named in row and f">{key}</a>" in row for row in gone), effects[1]
    saved = await client.post("/analyst/rules/save", data=form, allow_redirects=False)
    assert saved.status == 303
    async with web_rt.db.begin() as conn:
        (rule,) = await load_rules(conn)
        left = set(
            await conn.scalars(
                sa.select(product_matches.c.hs_code).where(
                    product_matches.c.notification_id == notification_id
                )
            )
        )
    assert rule.suppress and rule.hs_codes == codes
    assert not any(c.startswith(v) or v.startswith(c) for c in left for v in codes)
    rules_page = await (await client.get("/analyst/rules")).text()
    assert 'class="exclusion"' in rules_page


async def test_mappings_page_finds_ics_codes_by_chinese_word_code_and_pages(
    client: Client, sign_in: SignIn
) -> None:
    await sign_in(client, "analyst")
    page = await (await client.get("/analyst/mappings", params={"q": "玩具"})).text()
    assert 'id="ics-97.200.50"' in page and "Toys" in page
    assert len(re.findall(r'<tr id="ics-', page)) < 5
    by_code = await (await client.get("/analyst/mappings", params={"q": "67.160"})).text()
    assert {"67.160", "67.160.10", "67.160.20"} <= set(re.findall(r'<tr id="ics-([0-9.]+)"', by_code))
    assert "酒精饮料" in by_code
    first = await (await client.get("/analyst/mappings")).text()
    assert 'id="ics-pages"' in first and len(re.findall(r'<tr id="ics-', first)) == 40
    second = await (await client.get("/analyst/mappings", params={"page": "2"})).text()
    assert set(re.findall(r'<tr id="ics-([0-9.]+)"', first)).isdisjoint(
        re.findall(r'<tr id="ics-([0-9.]+)"', second)
    )
    assert "separated by spaces or commas" in first and "comma-separated" not in first


async def test_relevant_answer_below_the_threshold_gets_a_draft_rule(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    async with web_rt.db.begin() as conn:
        row = (
            await conn.execute(
                sa.select(alerts, exporters.c.hs_codes.label("codes"))
                .join(exporters, exporters.c.id == alerts.c.exporter_id)
                .order_by(alerts.c.id)
                .limit(1)
            )
        ).one()
        answer = Feedback(
            row.id, row.notification_id, row.exporter_id, "buyer@example.cn", True, web_rt.now()
        )
        await record_feedback(conn, answer)
    await sign_in(client, "analyst")
    page = await (await client.get("/analyst/feedback")).text()
    # Its products still alert: nothing to fix.
    assert 'class="draft-rule"' not in page
    async with web_rt.db.begin() as conn:
        # Reclassified since (a rule, a new glossary): the exporter's products now score low.
        await conn.execute(
            sa.update(product_matches)
            .where(product_matches.c.notification_id == row.notification_id)
            .values(score=0.3)
        )
    page = await (await client.get("/analyst/feedback")).text()
    form = _form(page, "draft-rule")
    assert form["phrases"] and form["suppress"] == ""
    drafted = form["hs_codes"].split()
    assert drafted and all(code in row.codes for code in drafted)


async def test_sector_preview_names_the_exporter_whose_contacts_would_receive_an_alert(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    async with web_rt.db.begin() as conn:
        row = (
            await conn.execute(
                sa.select(alerts, exporters.c.name, notifications.c.key)
                .join(exporters, exporters.c.id == alerts.c.exporter_id)
                .join(notifications, notifications.c.id == alerts.c.notification_id)
                .order_by(alerts.c.id)
                .limit(1)
            )
        ).one()
        code = matches_from_json(row.matches)[0].hs_code
        # The exporter's contacts follow a sector only, which does not exist yet.
        for stored in await load_subscriptions(conn):
            if stored.exporter_id == row.exporter_id:
                chosen = replace(stored.subscription, hs_prefixes=(), sectors=("probe",), min_level="blue")
                await save_choices(conn, stored, chosen, web_rt.now(), active=True)
    csrf = await sign_in(client, "analyst")
    form = {"csrf_token": csrf, "action": "add", "key": "probe", "name_en": "Probe", "name_zh": "探针"}
    page = await (
        await client.post("/analyst/mappings/sectors/preview", data=form | {"hs_prefixes": code})
    ).text()
    effects = re.search(r'<table class="list" id="exporter-effects">(.*?)</table>', page, re.S)
    assert effects is not None
    appearing = re.findall(r'<tr class="effect-appears">.*?</tr>', effects[1], re.S)
    named = f'<td class="exporter">{html.escape(row.name)}</td>'
    assert any(named in r and f">{row.key}</a>" in r for r in appearing), effects[1]
    # A sector elsewhere changes nothing for it.
    other = "01" if not code.startswith("01") else "02"
    page = await (
        await client.post("/analyst/mappings/sectors/preview", data=form | {"hs_prefixes": other})
    ).text()
    assert named not in page
