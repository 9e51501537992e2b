"""A company signs itself up in Chinese, in Debian's chromium, and gets its first digest.

Fails (does not skip) when chromium is missing, unless TBTWARN_SKIP_BROWSER=1.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest
from playwright.async_api import Browser, Page

from tests.signup.helpers import CODE, link_in, mails
from tests.web.test_browser import base_url, shot, sign_in, watch_console
from warning.pipeline import run_once
from warning.runtime import Runtime
from warning.storage.outbox import list_messages

__all__ = ["base_url"]  # fixtures used by name
EMAIL = "lin@minjiang.example.cn"

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")


async def _pick(page: Page, kind: str, typed: str, code: str) -> None:
    """Type in a picker's search box and click the match the script lists."""
    await page.fill(f"#{kind}-query", typed)
    await page.locator(f'#{kind}-results button[data-code="{code}"]').click()
    assert await page.locator(f'#{kind}-chips input[value="{code}"]').is_checked()


async def applicant_signs_up(page: Page, base_url: str) -> None:
    await page.goto(f"{base_url}/exporter/apply")
    assert await page.locator("h1").inner_text() == "注册TBT预警"
    # A wrong check character first: named, in Chinese, the form kept.
    await page.fill("input[name=company_zh]", "福州闽江化妆品有限公司")
    await page.fill("input[name=credit_code]", CODE[:-1] + "4")
    await page.fill("input[name=contact_name]", "林小姐")
    await page.fill("input[name=email]", EMAIL)
    await _pick(page, "products", "化妆品", "3304")
    await _pick(page, "markets", "肯尼亚", "KEN")
    await _pick(page, "markets", "欧盟", "EU")
    await page.click("#send-application")
    assert "校验码不符" in await page.locator("#form-errors").inner_text()
    assert await page.locator('#products-chips input[value="3304"]').is_checked()
    await page.fill("input[name=credit_code]", CODE)
    await page.fill("input[name=figure_hs]", "3304")
    await page.fill("input[name=figure_market]", "KEN")
    await page.fill("input[name=figure_value]", "250000")
    await page.fill("input[name=figure_year]", "2025")
    await shot(page, "signup-form")
    await page.click("#send-application")
    assert "请查收邮件" in await page.locator("h1").inner_text()


async def applicant_confirms(page: Page, base_url: str, rt: Runtime) -> None:
    (text,) = await mails(rt, "signup-verify", EMAIL)
    assert "请点击以下链接确认您的邮箱" in text
    token = link_in(text, "/exporter/apply/verify")
    await page.goto(f"{base_url}/exporter/apply/verify?token={token}")
    await page.click("#confirm-email")
    assert await page.locator("#email-verified").count() == 1


async def official_approves(browser: Browser, base_url: str) -> None:
    page = await browser.new_page(locale="zh-CN")
    problems = watch_console(page)
    await sign_in(page, base_url, "official")
    await page.goto(f"{base_url}/applications")
    await page.locator("a", has_text="福州闽江化妆品有限公司").first.click()
    assert "250,000" in await page.locator("dl.facts").inner_text()
    await page.click("#approve")
    assert "已批准" in await page.locator("#decision-done").inner_text()
    await shot(page, "signup-approved")
    assert problems == [], problems


async def test_company_signs_up_in_chinese_and_gets_a_digest(
    browser: Browser, base_url: str, web_rt: Runtime
) -> None:
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    problems = watch_console(page)
    await applicant_signs_up(page, base_url)
    await applicant_confirms(page, base_url, web_rt)
    # The refused form (wrong check character) answers 400, as it should; nothing else may complain.
    assert [p for p in problems if "status of 400" not in p] == [], problems
    await official_approves(browser, base_url)
    (welcome,) = await mails(web_rt, "signup-welcome", EMAIL)
    assert "已列入本区出口企业名录" in welcome
    # The next run: the new contact gets a digest of the notifications on its products and markets.
    await run_once(web_rt)
    async with web_rt.db.begin() as conn:
        theirs = [m for m in await list_messages(conn) if m.recipient == EMAIL]
    digests = [m for m in theirs if not m.kind.startswith("signup-")]
    assert digests, [m.kind for m in theirs]
    assert all(m.status == "sent" for m in digests)
    (text,) = [t for kind in {m.kind for m in digests} for t in await mails(web_rt, kind, EMAIL)]
    assert "3304" in text
    assert urlparse(base_url).scheme == "http"
