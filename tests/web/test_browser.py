"""The web app in Debian's chromium, driven by Playwright.

Fails (does not skip) when chromium is missing, unless TBTWARN_SKIP_BROWSER=1:
``make test`` installs chromium first. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, ConsoleMessage, Page

from tests.web.conftest import (
    HOSTILE_KEY,
    HOSTILE_TITLE,
    PASSWORD,
    email_of,
)
from tests.web.test_roles import GUARDED

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")


@pytest.fixture
async def base_url(web_app: web.Application) -> AsyncIterator[str]:
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def watch_console(page: Page) -> list[str]:
    """Console errors (CSP violations show up here) and any dialog a script opened."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    return problems


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def sign_in(page: Page, base_url: str, role: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=email]", email_of(role))
    await page.fill("input[name=password]", PASSWORD)
    await page.click("#sign-in")


async def test_anonymous_is_refused_every_staff_page_and_admin_sees_operations(
    browser: Browser, base_url: str
) -> None:
    page = await browser.new_page()
    for path, _ in GUARDED.values():
        response = await page.goto(base_url + path)
        assert response is not None
        if path.startswith("/api/"):
            assert response.status == 401, path
        else:
            assert page.url.startswith(f"{base_url}/login?next="), path
            assert await page.locator("#sign-in").count() == 1
    await shot(page, "login")

    page = await browser.new_page()
    problems = watch_console(page)
    await sign_in(page, base_url, "admin")
    await page.wait_for_url(f"{base_url}/dashboard")
    for name in ("sources", "quarantine", "outbox"):
        await page.goto(f"{base_url}/ops/{name}")
        await shot(page, f"ops-{name}")
    assert await page.locator("pre").count() == 0  # outbox has no raw text
    await page.goto(f"{base_url}/ops/quarantine")
    assert await page.locator("pre").first.inner_text() == "<script>raw()</script>"
    assert problems == [], problems


async def test_official_filters_the_list_and_opens_a_notification(browser: Browser, base_url: str) -> None:
    page = await browser.new_page(locale="en-US")
    problems = watch_console(page)
    await sign_in(page, base_url, "official")
    await page.wait_for_url(f"{base_url}/dashboard")
    assert await page.locator("#week-total").inner_text() == "2"
    await shot(page, "dashboard")

    await page.click("nav >> text=Notifications")
    await page.select_option("#f-member", "KEN")
    await page.fill("#f-hs", "3304")
    await page.click("#apply")
    await page.wait_for_url("**/notifications?*member=KEN*")
    rows = page.locator("table.list tbody tr")
    assert await rows.count() >= 1
    for text in await rows.locator("td:nth-child(2)").all_inner_texts():
        assert "Kenya" in text or "Burundi" in text or "Rwanda" in text  # joint EAC notifications
    await shot(page, "notifications-filtered")

    await rows.first.locator("a").click()
    await page.wait_for_url("**/notifications/*")
    assert "3304" in await page.locator("#matches").inner_text()
    await shot(page, "notification")

    # A title holding markup is shown as text, and no script of it runs.
    await page.goto(f"{base_url}/notifications?q=zebra-unique-word")
    await page.click(f"text={HOSTILE_KEY}")
    await page.wait_for_url("**/notifications/*")
    assert await page.locator("#notification-title").inner_text() == HOSTILE_TITLE
    assert await page.title() == f"{HOSTILE_KEY} · TBT early warning"
    assert await page.locator("main script, main b, main img").count() == 0
    await shot(page, "notification-hostile")

    # The language switch turns the interface into Chinese and stays.
    await page.click("#lang-switch")
    await page.wait_for_url("**/notifications/*")
    assert "评议截止日期" in await page.locator("main").inner_text()
    assert problems == [], problems  # no CSP violation, no dialog
