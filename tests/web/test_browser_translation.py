"""In Debian's chromium: an official corrects a machine translation on the
notification page, and the next digest shows it as reviewed.

Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os

import pytest
from playwright.async_api import Browser

from tests.web.test_browser import base_url as base_url  # the server fixture
from tests.web.test_browser import shot, sign_in, watch_console
from tests.web.translation_helpers import english_notification, next_digest_of_new_contact
from warning.runtime import Runtime
from warning.storage.translations import save_translations, source_hash
from warning.types import Translation

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")

CORRECTED = "东非标准草案：皮肤用驱蚊湿巾规范"
MACHINE = "草案东非标准规定驱蚊擦拭"


async def test_an_official_corrects_a_translation_and_the_next_digest_shows_it_reviewed(
    browser: Browser, base_url: str, web_rt: Runtime
) -> None:
    nid, title = await english_notification(web_rt)
    async with web_rt.db.begin() as conn:
        sha = source_hash(title)
        now = web_rt.now()
        machine = Translation(nid, "title", "zh", MACHINE, "en", sha, "machine", "libretranslate", now)
        await save_translations(conn, [machine])
    page = await (await browser.new_context(locale="zh-CN")).new_page()
    problems = watch_console(page)
    await sign_in(page, base_url, "official")
    await page.wait_for_url(f"{base_url}/dashboard")
    await page.goto(f"{base_url}/notifications/{nid}")
    assert await page.locator("#notification-title").inner_text() == MACHINE
    assert await page.locator("#notification-title-label").inner_text() == "机器翻译"
    # The original is one click away.
    original = page.locator("#notification-title-original")
    assert not await original.locator("p").is_visible()
    await original.locator("summary").click()
    assert await original.locator("p").inner_text() == title
    await shot(page, "translation-machine")

    form = page.locator("#translate-title-zh")
    await form.locator("textarea").fill(CORRECTED)
    await form.locator("button[type=submit]").click()
    await page.wait_for_url(f"**/notifications/{nid}?saved=title.zh#translations")
    assert "人工审校译文" in await page.locator("#translation-saved").inner_text()
    assert await page.locator("#notification-title").inner_text() == CORRECTED
    assert await page.locator("#notification-title-label").inner_text() == "人工审校译文"
    await shot(page, "translation-reviewed")
    assert problems == [], problems

    text, html = await next_digest_of_new_contact(web_rt, nid)
    assert f"{CORRECTED}\n  [人工审校译文; 原文见通报详情页]" in text
    mail = await browser.new_page()
    await mail.set_content(html)
    body = await mail.locator("body").inner_text()
    assert CORRECTED in body and "人工审校译文" in body and "机器翻译" not in body
    await shot(mail, "translation-digest")
