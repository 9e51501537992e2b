"""Email links (feedback, unsubscribe) and the exporters' pages, in-process."""

from __future__ import annotations

import datetime as dt
import email as email_lib
import re
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

import warning.web.exporter_pages
from notifications.links import Links
from tests.web.conftest import SECRET, SignIn
from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.storage.schema import alerts, deliveries, feedback, outbox, subscriptions
from warning.storage.subscriptions import get_subscription
from warning.tokens import Signer

Client = TestClient[web.Request, web.Application]


async def _first_alert(rt: Runtime) -> tuple[int, int]:
    async with rt.db.begin() as conn:
        row = (await conn.execute(sa.select(alerts.c.id, alerts.c.exporter_id).order_by(alerts.c.id))).first()
    assert row is not None
    return row.id, row.exporter_id


async def _subscription_of(rt: Runtime, exporter_id: int) -> tuple[int, str]:
    async with rt.db.begin() as conn:
        row = (
            await conn.execute(
                sa.select(subscriptions.c.id, subscriptions.c.email)
                .where(subscriptions.c.exporter_id == exporter_id)
                .order_by(subscriptions.c.id)
            )
        ).first()
    assert row is not None, "the sample run creates subscriptions"
    return row.id, row.email


def _links(rt: Runtime, now: dt.datetime | None = None) -> Links:
    return Links("http://testserver", Signer(SECRET), now or rt.now(), dt.timedelta(days=30))


def _path(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


async def _feedback_rows(rt: Runtime) -> list[tuple[int, str, bool]]:
    async with rt.db.begin() as conn:
        return [(r.alert_id, r.email, r.relevant) for r in await conn.execute(sa.select(feedback))]


async def test_feedback_link_opens_a_page_whose_button_records(client: Client, web_rt: Runtime) -> None:
    alert_id, _ = await _first_alert(web_rt)
    url = _links(web_rt).feedback(alert_id, "buyer@example.cn", relevant=False)
    # What a mail scanner does: GET (and HEAD) the link. Nothing is recorded.
    for _ in range(2):
        page = await client.get(_path(url))
        assert page.status == 200
    assert (await client.head(_path(url))).status == 200
    assert await _feedback_rows(web_rt) == []
    html = await page.text()
    assert 'id="feedback-recorded"' not in html and "Record: not relevant" in html
    [action] = re.findall(r'<form method="post" action="([^"]+)"', html)
    assert html.split("<main", 1)[1].count("<button") == 1  # one button on the page itself
    # The person's one click: the form's POST, with no session and no CSRF token.
    response = await client.post(action.replace("&amp;", "&"))
    assert response.status == 200
    assert 'id="feedback-recorded"' in await response.text()
    assert await _feedback_rows(web_rt) == [(alert_id, "buyer@example.cn", False)]


async def test_feedback_page_speaks_the_contacts_language_and_posts_need_the_token(
    client: Client, web_rt: Runtime
) -> None:
    alert_id, exporter_id = await _first_alert(web_rt)
    _, email = await _subscription_of(web_rt, exporter_id)
    async with web_rt.db.begin() as conn:
        contact = subscriptions.c.email == email
        await conn.execute(sa.update(subscriptions).where(contact).values(language="zh"))
    url = _links(web_rt).feedback(alert_id, email, relevant=True)
    html = await (await client.get(_path(url), headers={"Accept-Language": "en"})).text()
    assert "记录：相关" in html and "Record: relevant" not in html
    # An override in the link is carried into the button's POST.
    html = await (await client.get(_path(url) + "&relevant=0")).text()
    assert "记录：无关" in html and "relevant=0" in html
    assert (await client.post("/feedback")).status == 400
    forged = _path(url)[:-3] + "AAA"
    assert (await client.post(forged)).status == 400
    assert await _feedback_rows(web_rt) == []


async def test_forged_or_expired_links_get_a_400_naming_the_problem(client: Client, web_rt: Runtime) -> None:
    alert_id, _ = await _first_alert(web_rt)
    forged = _links(web_rt).feedback(alert_id, "x@example.cn", True)[:-3] + "AAA"
    response = await client.get(_path(forged))
    assert response.status == 400
    assert "invalid token signature" in await response.text()
    old = _links(web_rt, web_rt.now() - dt.timedelta(days=400)).unsubscribe(1, "x@example.cn")
    response = await client.get(_path(old))
    assert response.status == 400 and "expired" in await response.text()
    assert (await client.get("/unsubscribe")).status == 400


async def test_unsubscribe_confirms_then_one_click_post_works_without_csrf(
    client: Client, web_rt: Runtime
) -> None:
    _, exporter_id = await _first_alert(web_rt)
    sub_id, email = await _subscription_of(web_rt, exporter_id)
    url = _links(web_rt).unsubscribe(sub_id, email)
    page = await client.get(_path(url))
    assert page.status == 200 and 'id="unsubscribe-confirm"' in await page.text()
    async with web_rt.db.begin() as conn:
        assert (await get_subscription(conn, sub_id)).active, "GET changes nothing"
    # What a mail client sends (RFC 8058): no cookie, no CSRF token.
    client.session.cookie_jar.clear()
    response = await client.post(
        _path(url),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200 and 'id="unsubscribed"' in await response.text()
    async with web_rt.db.begin() as conn:
        assert not (await get_subscription(conn, sub_id)).active
    # Only this route is exempt: another POST without a token is still refused.
    assert (await client.post("/exporter/login", data={"email": email})).status == 403


async def _sign_in_link(client: Client, web_rt: Runtime, email: str) -> str:
    page = await client.get("/exporter/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert csrf is not None
    response = await client.post("/exporter/login", data={"email": email.upper(), "csrf_token": csrf[1]})
    assert response.status == 200 and 'id="link-sent"' in await response.text()
    async with web_rt.db.begin() as conn:
        rows = [m for m in await list_messages(conn, bodies=True) if m.kind == "exporter-login"]
    if not rows:
        return ""
    parsed = email_lib.message_from_bytes(rows[-1].message)
    texts = [p.get_payload(decode=True) for p in parsed.walk() if p.get_content_type() == "text/plain"]
    assert texts
    found = re.search(r"http\S+/exporter/signin\?token=\S+", texts[0].decode())
    assert found is not None
    return _path(found[0])


async def use_sign_in_link(client: Client, link: str) -> ClientResponse:
    """Open an emailed sign-in link (a page with one button) and press the button."""
    page = await client.get(link, allow_redirects=False)
    html = await page.text()
    assert page.status == 200 and 'id="signin-confirm"' in html
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert csrf is not None and token is not None
    form = {"csrf_token": csrf[1], "token": token[1]}
    return await client.post("/exporter/signin", data=form, allow_redirects=False)


async def test_exporter_signs_in_by_link_and_edits_a_subscription(client: Client, web_rt: Runtime) -> None:
    _, exporter_id = await _first_alert(web_rt)
    sub_id, email = await _subscription_of(web_rt, exporter_id)
    assert await _sign_in_link(client, web_rt, "nobody@example.org") == ""  # unknown: same page, no mail
    link = await _sign_in_link(client, web_rt, email)
    assert link.startswith("/exporter/signin?token=")
    response = await use_sign_in_link(client, link)
    assert response.status == 303 and response.headers["Location"] == "/exporter"
    page = await (await client.get("/exporter")).text()
    assert f'id="subscription-{sub_id}"' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    form = {
        "csrf_token": csrf[1],
        "hs_prefixes": "3304, 85",
        "markets": "usa, EU",
        "min_level": "orange",
        "frequency": "weekly",
        "language": "en",
        "active": "1",
    }
    bad = await client.post(f"/exporter/subscriptions/{sub_id}", data=form | {"hs_prefixes": "33x"})
    assert bad.status == 400 and "must be 2, 4 or 6 digits" in await bad.text()
    saved = await client.post(f"/exporter/subscriptions/{sub_id}", data=form, allow_redirects=False)
    assert saved.status == 303
    async with web_rt.db.begin() as conn:
        stored = await get_subscription(conn, sub_id)
    sub = stored.subscription
    assert stored.customised and stored.active
    assert (sub.hs_prefixes, sub.markets, sub.min_level, sub.frequency, sub.language) == (
        ("3304", "85"),
        ("USA", "EU"),
        "orange",
        "weekly",
        "en",
    )
    # Someone else's subscription is refused.
    async with web_rt.db.begin() as conn:
        other = (
            await conn.execute(sa.select(subscriptions.c.id).where(subscriptions.c.email != email))
        ).scalar()
    assert (await client.post(f"/exporter/subscriptions/{other}", data=form)).status == 403


async def test_exporter_sees_the_alerts_emailed_to_them_and_gives_feedback(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    async with web_rt.db.begin() as conn:
        received = (
            await conn.execute(
                sa.select(deliveries.c.alert_id, subscriptions.c.email)
                .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                .order_by(deliveries.c.alert_id)
            )
        ).first()
        assert received is not None, "the sample run emails some alerts"
        alert_id, email = received
        await conn.execute(
            sa.update(alerts)
            .where(alerts.c.id == alert_id)
            .values(level="red", reasons=[{"code": "exposure", "en": "why <i>", "zh": "原因<i>"}])
        )
        others = set(
            await conn.scalars(
                sa.select(deliveries.c.alert_id)
                .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                .where(subscriptions.c.email != email)
            )
        ) - set(
            await conn.scalars(
                sa.select(deliveries.c.alert_id)
                .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                .where(subscriptions.c.email == email)
            )
        )
    assert others, "other contacts received other alerts"
    csrf = await sign_in.exporter(client, email)
    page = await (await client.get("/exporter/alerts")).text()
    assert f'id="alert-{alert_id}"' in page
    # The page of the alert's notification shows its reasons, escaped, in their language.
    notification_id = re.search(rf'id="alert-{alert_id}" data-notification="(\d+)"', page)
    assert notification_id is not None
    detail = await (await client.get(f"/exporter/notifications/{notification_id.group(1)}")).text()
    assert "why &lt;i&gt;" in detail or "原因&lt;i&gt;" in detail
    assert not any(f'id="alert-{other}"' in page for other in others)  # only what they received
    response = await client.post(
        f"/exporter/alerts/{alert_id}/feedback",
        data={"csrf_token": csrf, "relevant": "0"},
        allow_redirects=False,
    )
    assert response.status == 303
    async with web_rt.db.begin() as conn:
        rows = list(await conn.execute(sa.select(feedback.c.alert_id, feedback.c.relevant, feedback.c.email)))
    assert rows == [(alert_id, False, email)]
    assert (await client.post("/exporter/alerts/1/feedback", data={"relevant": "1"})).status == 403  # no CSRF


async def test_sign_in_links_are_limited_per_address(client: Client, web_rt: Runtime) -> None:
    _, exporter_id = await _first_alert(web_rt)
    _, email = await _subscription_of(web_rt, exporter_id)
    limit = web_rt.config.web.login_failures_per_account
    for _ in range(limit + 2):
        await _sign_in_link(client, web_rt, email)
    async with web_rt.db.begin() as conn:
        sent = list(await conn.execute(sa.select(outbox.c.id).where(outbox.c.kind == "exporter-login")))
    assert len(sent) == limit


async def test_a_contacts_alerts_come_a_page_at_a_time(
    client: Client, web_rt: Runtime, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A digest's "every alert is on your alerts page" holds past one page."""
    monkeypatch.setattr(warning.web.exporter_pages, "ALERTS_PER_PAGE", 2)
    mine = sa.func.count(deliveries.c.alert_id)
    async with web_rt.db.begin() as conn:
        email, count = (
            await conn.execute(
                sa.select(subscriptions.c.email, mine)
                .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                .group_by(subscriptions.c.email)
                .order_by(mine.desc())
            )
        ).first()  # type: ignore[misc]
    assert count >= 3, "the sample run emails a contact several alerts"
    await sign_in.exporter(client, email)
    seen: list[str] = []
    pages = (count + 1) // 2
    for page in range(1, pages + 1):
        text = await (await client.get(f"/exporter/alerts?page={page}")).text()
        rows = re.findall(r'<li class="xp-alert" id="alert-(\d+)"', text)
        seen += rows
        assert len(rows) == (2 if page < pages else count - 2 * (pages - 1))
        assert ('id="next-page"' in text) == (page < pages)
        assert ('id="prev-page"' in text) == (page > 1)
    assert len(set(seen)) == count  # each once, none left out
    assert (await client.get("/exporter/alerts?page=two")).status == 400
