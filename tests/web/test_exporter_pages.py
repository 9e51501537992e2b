"""The exporter notification page and alerts page, opened from what ``make run`` wrote."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from html import unescape

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import warning.web.exporter_pages
from notifications.links import Links
from tests.web.conftest import SECRET, SignIn
from tests.web.demo_run import PAGE_LINK, Email
from warning.clock import FixedClock
from warning.runtime import Runtime
from warning.storage.schema import alerts, exporters, notifications, subscriptions
from warning.storage.translation_tables import translations
from warning.storage.translations import review_translation
from warning.tokens import Signer
from warning.web.app import create_app

Client = TestClient[web.Request, web.Application]


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return "zh" if found.group(1).startswith("zh") else found.group(1)


async def _languages(rt: Runtime) -> dict[str, str]:
    async with rt.db.begin() as conn:
        rows = await conn.execute(sa.select(subscriptions.c.email, subscriptions.c.language))
    return {r.email: r.language for r in rows}


async def test_every_link_of_every_email_opens_its_page_in_the_contacts_language(
    demo_emails: list[Email], demo_rt: Runtime, demo_client: Client
) -> None:
    languages = await _languages(demo_rt)
    opened = 0
    for mail in demo_emails:
        paths = set(PAGE_LINK.findall(mail.text)) | {unescape(p) for p in PAGE_LINK.findall(mail.html)}
        assert paths, f"{mail.path.name} has notification page links"
        for path in paths:
            demo_client.session.cookie_jar.clear()  # no account, no session: the link alone
            response = await demo_client.get(path, allow_redirects=False)
            html = await response.text()
            assert response.status == 200, (mail.path.name, path, html[:300])
            assert _lang(html) == languages[mail.to]
            assert 'id="what-to-do"' in html and 'id="why"' in html
            opened += 1
    assert opened >= len(demo_emails)


async def test_the_page_says_when_to_act_why_and_how(demo_emails: list[Email], demo_client: Client) -> None:
    """The demo's red alert: the cosmetics maker's, on the East African standard Kenya notified."""
    mail = next(m for m in demo_emails if "luyuan" in m.to)
    path = next(p for p in PAGE_LINK.findall(mail.text) if "/notifications/" in p)
    html = await (await demo_client.get(path)).text()
    assert "肯尼亚（与布隆迪、卢旺达、坦桑尼亚、乌干达联合通报）" in html  # Kenya notified it
    assert re.search(
        r'id="enquiry-date"><b>请于此日期前向国家TBT咨询点提交评议意见:</b> 2026-08-09\s*\(剩余 6 天\)', html
    )
    assert "WTO评议截止日期:</b> 2026-08-14 (剩余 11 天)" in html
    assert "贵企业的3304护肤霜和彩妆" in html and "置信度" not in html and "级匹配" not in html
    assert "中国WTO/TBT国家通报咨询中心" in html and "mailto:tbt-enquiry@example.gov.cn" in html
    # What the contact can do (issue 19): raise a concern, ask for the full text, by the link's token.
    assert re.search(r'id="raise-concern" href="/exporter/notifications/\d+/concern\?token=', html)
    assert 'id="ask-full-text"' in html
    assert (
        "https://docs.wto.org/dol2fe/Pages/FE_Search/FE_S_S006.aspx?Query=(@Symbol=%22G/TBT/N/KEN/2076%22)"
        in html
    )
    assert "https://epingalert.org/en/Search?viewData=G%2FTBT%2FN%2FKEN%2F2076" in html
    assert 'class="source-link" href="http://ca-tbt.com/' in html
    # No translation stored: the text is shown as notified, and the page says so.
    assert 'id="as-notified"' in html and '<details id="original">' not in html


def _forge(path: str) -> str:
    """The link with its payload rewritten for another contact, the signature kept."""
    head, _, sig = path.rpartition(".")
    prefix, _, payload = head.partition("?token=")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["d"]["e"] = "export@lvyuan-agrochem.example.com"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{prefix}?token={forged}.{sig}"


def _tamper(path: str) -> str:
    head, _, sig = path.rpartition(".")
    return f"{head}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"


async def test_tampered_cut_and_expired_links_are_refused_in_the_contacts_language(
    demo_emails: list[Email], demo_rt: Runtime, demo_client: Client
) -> None:
    mail = next(m for m in demo_emails if "luyuan" in m.to)  # a Chinese contact
    path = PAGE_LINK.findall(mail.text)[0]
    for bad in (_tamper(path), path[:-10], _forge(path)):
        response = await demo_client.get(bad)
        html = await response.text()
        assert response.status == 403, bad
        assert "此链接无效" in html and _lang(html) == "zh"
    later = FixedClock(demo_rt.now() + dt.timedelta(days=91))  # [digest] link_valid_days = 90
    async with TestClient(
        TestServer(create_app(Runtime(demo_rt.config, demo_rt.db, later), Signer(SECRET)))
    ) as c:
        response = await c.get(path)
        html = await response.text()
    assert response.status == 403 and "此链接已过期" in html


async def _a_notification_not_theirs(rt: Runtime, email: str) -> int:
    async with rt.db.begin() as conn:
        theirs = sa.select(subscriptions.c.exporter_id).where(subscriptions.c.email == email)
        alerted = sa.select(alerts.c.notification_id).where(alerts.c.exporter_id.in_(theirs))
        found = await conn.scalar(
            sa.select(notifications.c.id)
            .where(notifications.c.id.not_in(alerted))
            .order_by(notifications.c.id)
        )
    assert found is not None
    return int(found)


async def test_a_contact_cannot_open_a_notification_that_did_not_alert_their_exporter(
    demo_rt: Runtime, demo_client: Client
) -> None:
    email = "export@luyuan-cosmetics.example.com"
    other = await _a_notification_not_theirs(demo_rt, email)
    # A genuine link of this contact's, its notification changed to someone else's.
    links = Links("http://x", Signer(SECRET), demo_rt.now(), dt.timedelta(days=90))
    path = links.notification_page(other, email, "zh").removeprefix("http://x")
    response = await demo_client.get(path)
    assert response.status == 404 and "此通报不在发给贵企业的预警之列" in await response.text()
    # A link of another contact's opens nothing of this one's, and the reverse.
    stranger = links.notification_page(other, "someone@else.example.com", "zh").removeprefix("http://x")
    assert (await demo_client.get(stranger)).status == 404
    # Signed in, without a token: the same.
    await SignIn(demo_rt).exporter(demo_client, email)
    assert (await demo_client.get(f"/exporter/notifications/{other}")).status == 404
    async with demo_rt.db.begin() as conn:
        exporter_id = await conn.scalar(sa.select(exporters.c.id).where(exporters.c.name.like("济南鲁缘%")))
        mine = await conn.scalar(
            sa.select(alerts.c.notification_id).where(alerts.c.exporter_id == exporter_id)
        )
    assert (await demo_client.get(f"/exporter/notifications/{mine}")).status == 200


async def test_without_a_token_or_a_session_the_page_asks_to_sign_in(demo_client: Client) -> None:
    response = await demo_client.get("/exporter/notifications/1", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/exporter/login?next=/exporter/notifications/1"


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="xp-alert" id="alert-(\d+)"', html)


async def test_alerts_page_most_urgent_first_with_filters_and_pages(
    demo_rt: Runtime, demo_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = "export@luyuan-cosmetics.example.com"
    await SignIn(demo_rt).exporter(demo_client, email)
    html = await (await demo_client.get("/exporter/alerts")).text()
    assert _lang(html) == "zh"
    cards = _cards(html)
    assert len(cards) >= 3
    first = html[html.index(f'id="alert-{cards[0]}"') :]
    # The open comment period comes first, red, with both dates and a link to its page.
    assert (
        first.index("level-red")
        < first.index("2026-08-09 (剩余 6 天)")
        < first.index("2026-08-14 (剩余 11 天)")
    )
    assert re.search(r'<a href="/exporter/notifications/\d+">', first)
    assert re.search(r"发送时间: 2026-08-03 09:0\d", html)  # sent at the demo time, in Asia/Shanghai
    opened = _cards(await (await demo_client.get("/exporter/alerts?status=open")).text())
    assert opened == cards[:1]
    closed = _cards(await (await demo_client.get("/exporter/alerts?status=closed")).text())
    assert set(closed) == set(cards) - set(opened)
    red = _cards(await (await demo_client.get("/exporter/alerts?level=red")).text())
    assert cards[0] in red
    korea = await (await demo_client.get("/exporter/alerts?market=KOR")).text()
    assert _cards(korea) and all("韩国" in part for part in korea.split('class="xp-alert"')[1:])
    bad = await demo_client.get("/exporter/alerts?market=XYZ")
    assert bad.status == 400 and "未知的市场：XYZ" in await bad.text()
    monkeypatch.setattr(warning.web.exporter_pages, "ALERTS_PER_PAGE", 2)
    seen: list[str] = []
    page = 1
    while True:
        text = await (await demo_client.get(f"/exporter/alerts?page={page}")).text()
        seen += _cards(text)
        if 'id="next-page"' not in text:
            break
        page += 1
    assert seen == cards


async def test_a_stored_translation_is_shown_labelled_with_the_original_one_click_away(
    demo_emails: list[Email], demo_rt: Runtime, demo_client: Client
) -> None:
    """The Chinese contact's page of the English East African standard, once a
    translation of its title is stored (the translation layer's display API)."""
    mail = next(m for m in demo_emails if "luyuan" in m.to)
    path = next(p for p in PAGE_LINK.findall(mail.text) if "/notifications/" in p)
    notification_id = int(path.split("/notifications/")[1].split("?")[0])
    async with demo_rt.db.begin() as conn:
        title = (
            await conn.execute(sa.select(notifications.c.title).where(notifications.c.id == notification_id))
        ).scalar_one()
        await review_translation(
            conn,
            notification_id,
            "title",
            "zh",
            "东非标准：化妆品中铅、汞、砷含量的测定方法",
            (title, "en"),
            "official@zone.example.gov.cn",
            demo_rt.now(),
        )
    try:
        html = await (await demo_client.get(path)).text()
        assert "东非标准：化妆品中铅、汞、砷含量的测定方法" in html
        assert 'id="translation-label"' in html and '<details id="original">' in html
        assert unescape(html).count(" ".join(title.split())[:60]) >= 1  # the original, one click away
        # The alerts page lists it under the translated title too.
        await SignIn(demo_rt).exporter(demo_client, mail.to)
        alerts_page = await (await demo_client.get("/exporter/alerts")).text()
        assert "东非标准：化妆品中铅、汞、砷含量的测定方法" in alerts_page
        # Labelled as the reviewed translation it is, as on the notification page.
        card = alerts_page.split("东非标准：化妆品中铅、汞、砷含量的测定方法", 1)[1].split("</p>", 1)[0]
        assert "人工审校译文" in card
    finally:
        async with demo_rt.db.begin() as conn:
            await conn.execute(
                sa.delete(translations).where(translations.c.notification_id == notification_id)
            )


async def test_pages_name_the_zones_time_as_readers_do(
    demo_emails: list[Email], demo_rt: Runtime, demo_client: Client
) -> None:
    """Asia/Shanghai is 北京时间 on a Chinese page and Beijing time on an English one."""
    languages = await _languages(demo_rt)
    for lang, expected in (("zh", "时间为北京时间。"), ("en", "Times are Beijing time.")):
        mail = next(m for m in demo_emails if languages[m.to] == lang)
        demo_client.session.cookie_jar.clear()
        path = next(p for p in PAGE_LINK.findall(mail.text) if "/notifications/" in p)
        page = await (await demo_client.get(path)).text()
        assert "Asia/Shanghai" not in page
        await SignIn(demo_rt).exporter(demo_client, mail.to)
        alerts_page = await (await demo_client.get("/exporter/alerts")).text()
        assert expected in alerts_page and "Asia/Shanghai" not in alerts_page
