"""An exporter contact on a phone, in Debian's chromium: from a link in an email
``make run`` wrote to the notification page, then their alerts page.

Fails (does not skip) when chromium is missing, unless TBTWARN_SKIP_BROWSER=1.
Screenshots go to ``test-artifacts/`` (Chinese pages need a CJK font:
``make browser`` installs fonts-noto-cjk beside chromium).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page

from tests.web.conftest import SECRET, SignIn
from tests.web.demo_run import PAGE_LINK, Email
from tests.web.test_browser import shot, watch_console
from warning.runtime import Runtime
from warning.tokens import Signer
from warning.web.app import create_app
from warning.web.security import SESSION_COOKIE, encode_session, new_session

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")

#: An ordinary phone's CSS viewport.
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def demo_base_url(demo_rt: Runtime) -> AsyncIterator[str]:
    server = TestServer(create_app(demo_rt, Signer(SECRET)), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def phone(browser: Browser) -> BrowserContext:
    return await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


async def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    width: int = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return width


async def test_an_email_link_opens_the_notification_page_on_a_phone(
    browser: Browser,
    demo_base_url: str,
    demo_emails: list[Email],
) -> None:
    for who, lang in (("luyuan", "zh"), ("harbour-med", "en")):
        mail = next(m for m in demo_emails if who in m.to)
        context = await phone(browser)  # a fresh browser: no account, no cookie
        page = await context.new_page()
        problems = watch_console(page)
        response = await page.goto(demo_base_url + PAGE_LINK.findall(mail.text)[0])
        assert response is not None and response.status == 200
        assert await page.get_attribute("html", "lang") == ("zh-CN" if lang == "zh" else "en")
        assert await page.locator("#title").is_visible()
        assert await page.locator("#what-to-do").is_visible()
        if await page.locator("#original").count():  # translated: the text as notified one click away
            original = page.locator("#original p").first
            assert not await original.is_visible()
            await page.click("#original summary")
            assert await original.is_visible()
        else:  # shown as notified, and said so
            assert await page.locator("#as-notified").is_visible()
        assert await overflow(page) <= 0
        await shot(page, f"exporter-notification-{lang}")
        assert problems == [], problems
        await context.close()
    # The demo's red alert: comments due at the enquiry point in 6 days.
    context = await phone(browser)
    page = await context.new_page()
    mail = next(m for m in demo_emails if "luyuan" in m.to)
    await page.goto(demo_base_url + PAGE_LINK.findall(mail.text)[0])
    assert "剩余 6 天" in await page.locator("#enquiry-date").inner_text()
    await context.close()


async def test_the_alerts_page_fits_a_phone(browser: Browser, demo_base_url: str, demo_rt: Runtime) -> None:
    for email, lang in (
        ("export@luyuan-cosmetics.example.com", "zh"),
        ("regulatory@harbour-med.example.com", "en"),
    ):
        context = await phone(browser)
        session = await SignIn(demo_rt).stored(
            new_session(demo_rt.now(), dt.timedelta(hours=1), exporter_email=email)
        )
        await context.add_cookies(
            [{"name": SESSION_COOKIE, "value": encode_session(Signer(SECRET), session), "url": demo_base_url}]
        )
        page = await context.new_page()
        problems = watch_console(page)
        await page.goto(f"{demo_base_url}/exporter/alerts")
        cards = page.locator("li.xp-alert")
        assert await cards.count() >= 2
        assert await overflow(page) <= 0
        await shot(page, f"exporter-alerts-{lang}")
        if lang == "zh":
            await page.select_option("select[name=status]", "open")
            await page.click(".xp-filters button")
            await page.wait_for_url("**/exporter/alerts?status=open*")
            assert await cards.count() == 1
            await cards.first.locator(".xp-title a").click()
            await page.wait_for_url("**/exporter/notifications/*")
            assert await page.locator("#enquiry-date").is_visible()
            assert await overflow(page) <= 0
        assert problems == [], problems
        await context.close()
