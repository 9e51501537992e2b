"""An email's feedback link in Debian's chromium: opening it records nothing, the
page's one button records the answer. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import sqlalchemy as sa
from playwright.async_api import async_playwright

from notifications.links import Links
from tests.web.conftest import ARGS, CHROMIUM, CHROMIUM_PRESENT, SECRET
from tests.web.test_browser import base_url as base_url  # the server fixture
from tests.web.test_browser import shot, watch_console
from warning.runtime import Runtime
from warning.storage.schema import alerts, feedback
from warning.tokens import Signer

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")


async def test_feedback_link_needs_the_persons_click(base_url: str, web_rt: Runtime) -> None:
    assert CHROMIUM_PRESENT, "chromium is missing: run `make browser` (apt-get install chromium)"
    async with web_rt.db.begin() as conn:
        alert_id = (await conn.execute(sa.select(sa.func.min(alerts.c.id)))).scalar_one()
    links = Links(base_url, Signer(SECRET), web_rt.now(), dt.timedelta(days=30))
    url = links.feedback(alert_id, "buyer@example.cn", relevant=True)

    async def recorded() -> list[tuple[int, bool]]:
        async with web_rt.db.begin() as conn:
            return [(r.alert_id, r.relevant) for r in await conn.execute(sa.select(feedback))]

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = await (await browser.new_context(locale="en-US")).new_page()
            problems = watch_console(page)
            await page.goto(url)  # what a mail scanner does, too
            assert await recorded() == []
            await shot(page, "feedback-confirm")
            await page.click("#feedback-record")
            await page.wait_for_selector("#feedback-recorded")
            await shot(page, "feedback-recorded")
            assert problems == []
        finally:
            await browser.close()
    assert await recorded() == [(alert_id, True)]
