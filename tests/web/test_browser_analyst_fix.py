"""Issue 20 in Debian's chromium: an analyst turns an exporter's "not relevant" into an
exclusion through the preview (which names the exporter whose alert disappears) and saves
it; the mapping editor finds an ICS code by a Chinese word.

One browser for the module (launched once, in the single test). Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import os

import pytest
from playwright.async_api import Browser, async_playwright

from tests.web.conftest import ARGS, CHROMIUM, CHROMIUM_PRESENT
from tests.web.test_browser import base_url as base_url  # the server fixture
from tests.web.test_browser import shot, sign_in, watch_console
from tests.web.test_feedback_fix import not_relevant
from warning.runtime import Runtime
from warning.storage.rules import load_rules

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")


async def analyst_excludes_from_feedback(browser: Browser, base_url: str, rt: Runtime) -> None:
    _, key, exporter, codes = await not_relevant(rt)
    page = await (await browser.new_context(locale="en-US")).new_page()
    problems = watch_console(page)
    await sign_in(page, base_url, "analyst")
    await page.wait_for_url(f"{base_url}/notifications")
    await page.click("nav >> text=Feedback")
    row = page.locator("#feedback tr.not-relevant").first
    assert key in await row.inner_text()
    await row.locator("button.draft-exclusion").click()
    await page.wait_for_url("**/analyst/rules/preview")
    assert "Exclusion" in await page.locator("#rule-kind").inner_text()
    gone = page.locator("#exporter-effects tr.effect-disappears", has_text=key).filter(has_text=exporter)
    assert await gone.count() == 1
    assert "would disappear" in await gone.locator(".change").inner_text()
    await shot(page, "analyst-exclusion-preview")
    await page.click("#rule-save")
    await page.wait_for_url("**/analyst/rules?saved=*")
    assert "Exclusion" in await page.locator("#rules").inner_text()
    async with rt.db.begin() as conn:
        (rule,) = await load_rules(conn)
    assert rule.suppress and rule.hs_codes == codes
    assert problems == [], problems


async def analyst_finds_ics_by_chinese_word(browser: Browser, base_url: str) -> None:
    page = await (await browser.new_context(locale="zh-CN")).new_page()
    problems = watch_console(page)
    await sign_in(page, base_url, "analyst")
    await page.goto(f"{base_url}/analyst/mappings")
    await page.fill("#ics-q", "玩具")
    await page.locator("#ics-search button[type=submit]").click()
    await page.wait_for_url("**/analyst/mappings?q=*")
    row = page.locator('[id="ics-97.200.50"]')
    assert "玩具" in await row.inner_text() and "Toys" in await row.inner_text()
    assert await page.locator("#ics tbody tr").count() < 5
    await shot(page, "analyst-ics-search")
    assert problems == [], problems


async def test_analyst_fixes_from_feedback_and_searches_ics_in_chromium(
    base_url: str, web_rt: Runtime
) -> None:
    assert CHROMIUM_PRESENT, "chromium is missing: run `make browser` (apt-get install chromium)"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            await analyst_excludes_from_feedback(browser, base_url, web_rt)
            await analyst_finds_ics_by_chinese_word(browser, base_url)
        finally:
            await browser.close()
