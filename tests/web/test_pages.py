"""The staff pages: dashboard, notification page, operations, languages, escaping."""

from __future__ import annotations

import re

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import HOSTILE_KEY, HOSTILE_TITLE, SignIn
from warning.runtime import Runtime
from warning.storage.schema import alerts, exporters, notifications

Client = TestClient[web.Request, web.Application]


async def id_of(rt: Runtime, key: str) -> int:
    async with rt.db.begin() as conn:
        found = await conn.execute(sa.select(notifications.c.id).where(notifications.c.key == key))
        return int(found.scalar_one())


async def test_dashboard_counts_the_week(client: Client, sign_in: SignIn) -> None:
    await sign_in(client, "official")
    html = await (await client.get("/dashboard")).text()
    # 2026-06-15 (KEN/2076, cosmetics) and 2026-06-16 (the hostile one) fall in this week.
    assert "Week of 2026-06-15 to 2026-06-21" in html
    assert re.search(r'id="week-total">2<', html)
    assert 'id="chart-levels"' in html and "<rect" in html
    assert "Kenya" in html
    assert "Chemical" in html or "化学" in html  # HS section VI holds cosmetics (3304)
    # The hostile notification's deadline (2026-07-01) is within 30 days.
    assert HOSTILE_KEY in html and "14 days left" in html
    empty = await (await client.get("/dashboard?week=2001-01-03")).text()
    assert "Week of 2001-01-01 to 2001-01-07" in empty and re.search(r'id="week-total">0<', empty)
    assert (await client.get("/dashboard?week=soon")).status == 400


async def test_notification_page_shows_thread_matches_levels_and_alerts(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    async with web_rt.db.begin() as conn:
        row = (
            await conn.execute(
                sa.select(alerts.c.notification_id, exporters.c.name)
                .join(exporters, exporters.c.id == alerts.c.exporter_id)
                .where(alerts.c.level == "red")
            )
        ).one()
        followed = (
            await conn.execute(
                sa.select(notifications.c.id, notifications.c.base_symbol).where(
                    notifications.c.base_symbol.in_(sa.select(notifications.c.key))
                )
            )
        ).first()
    assert followed is not None, "the sample has a follow-up of a notification it holds"
    await sign_in(client, "official")
    html = await (await client.get(f"/notifications/{row.notification_id}")).text()
    assert row.name in html
    assert "red reason &lt;i&gt;" in html  # reasons are shown, escaped
    assert 'class="level level-red"' in html
    assert 'id="matches"' in html and "member" in html  # evidence of the member-code matches
    thread = await (await client.get(f"/notifications/{followed.id}")).text()
    assert f">{followed.base_symbol}</a>" in thread
    zh = await client.get(f"/notifications/{row.notification_id}", headers={"Accept-Language": "zh-CN"})
    zh_html = await zh.text()
    assert "red理由" in zh_html and "红色" in zh_html and "red reason" not in zh_html


async def test_hostile_text_is_shown_as_text(client: Client, sign_in: SignIn, web_rt: Runtime) -> None:
    await sign_in(client, "official")
    html = await (await client.get(f"/notifications/{await id_of(web_rt, HOSTILE_KEY)}")).text()
    assert (
        "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; Toys &amp; &lt;b&gt;bold&lt;/b&gt;"
        in html
    )
    assert HOSTILE_TITLE not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html and 'href="https://example.org/doc.pdf"' in html
    listing = await (await client.get("/notifications?q=zebra-unique-word")).text()
    assert "&lt;script&gt;" in listing and "<script>" not in listing


async def test_unknown_notification_is_404(client: Client, sign_in: SignIn) -> None:
    await sign_in(client, "official")
    assert (await client.get("/notifications/999999")).status == 404
    assert (await client.get("/notifications/abc")).status == 404
    assert (await client.get("/api/notifications/999999")).status == 404


async def test_operations_pages(client: Client, sign_in: SignIn) -> None:
    await sign_in(client, "admin")
    sources = await (await client.get("/ops/sources")).text()
    assert "sample" in sources and "healthy" in sources
    assert "eping" in sources and "HTTP 503 from &lt;server&gt;" in sources and "failing" in sources
    quarantine = await (await client.get("/ops/quarantine")).text()
    assert "<pre>&lt;script&gt;raw()&lt;/script&gt;</pre>" in quarantine
    assert "field &#39;symbols&#39;: missing" in quarantine
    outbox = await (await client.get("/ops/outbox")).text()
    assert re.search(r"<td>sent</td><td>[1-9]", outbox), "the pipeline delivered digests"
    assert "luyuan-cosmetics.example.com" in outbox


async def test_language_from_accept_language_then_from_the_switch(client: Client, sign_in: SignIn) -> None:
    zh = await client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert "登录" in await zh.text()
    en = await client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in" in await en.text()
    token = await sign_in(client, "official")
    switched = await client.post(
        "/lang", data={"csrf_token": token, "lang": "zh", "next": "/notifications"}, allow_redirects=False
    )
    assert switched.status == 303 and switched.headers["Location"] == "/notifications"
    page = await client.get("/notifications", headers={"Accept-Language": "en"})
    assert "评议截止日期" in await page.text()  # the choice beats the browser's header
    refused = await client.post("/lang", data={"csrf_token": token, "lang": "fr"})
    assert refused.status == 400


async def test_error_pages_are_in_the_users_language(client: Client) -> None:
    missing = await client.get("/nowhere", headers={"Accept-Language": "zh"})
    assert missing.status == 404
    assert "未找到" in await missing.text()


async def test_home_redirects_by_role(client: Client, sign_in: SignIn) -> None:
    assert (await client.get("/", allow_redirects=False)).headers["Location"] == "/login"
    await sign_in(client, "analyst")
    assert (await client.get("/", allow_redirects=False)).headers["Location"] == "/notifications"
