"""Phase-2 pages in Debian's chromium: an analyst's rule and ICS row, an official's digest,
an exporter's sign-in.

One browser for the module (launched once, in the single test), one context per user.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import email as email_lib
import os
import re

import pytest
import sqlalchemy as sa
from playwright.async_api import Browser, async_playwright

from tests.web.conftest import ARGS, CHROMIUM, CHROMIUM_PRESENT, email_of
from tests.web.test_browser import base_url as base_url  # the server fixture
from tests.web.test_browser import shot, sign_in, watch_console
from tests.web.test_digest_analyst import WEEK, _add_target
from tests.web.test_mapping_editor import FRESH_ICS, TARGET_KEY, add_ics_target
from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.storage.reviews import get_review
from warning.storage.schema import subscriptions
from warning.storage.subscriptions import get_subscription

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")


async def analyst_adds_a_rule(browser: Browser, base_url: str, rt: Runtime) -> None:
    target = await _add_target(rt)
    page = await (await browser.new_context(locale="en-US")).new_page()
    problems = watch_console(page)
    await sign_in(page, base_url, "analyst")
    await page.wait_for_url(f"{base_url}/notifications")
    await page.click("nav >> text=Rules")
    await page.fill("textarea[name=phrases]", "quokka-grooming brush")
    await page.fill("input[name=hs_codes]", "4202")
    await page.click("#rule-preview")
    await page.wait_for_url("**/analyst/rules/preview")
    row = page.locator("#match-changes tr", has_text="G/TBT/N/AUS/4242")
    assert "4202" in await row.locator(".gained").inner_text()
    assert await page.locator("#evaluation-change tr").count() > 5
    await shot(page, "analyst-rule-preview")
    await page.click("#rule-save")
    await page.wait_for_url("**/analyst/rules?saved=*")
    assert "quokka-grooming brush" in await page.locator("#rules").inner_text()
    await page.goto(f"{base_url}/notifications/{target}")
    assert "4202" in await page.locator("#matches").inner_text()
    assert problems == [], problems


async def analyst_changes_an_ics_row(browser: Browser, base_url: str, rt: Runtime) -> None:
    """The ICS editor: a new row for the target's ICS code, previewed, saved; it then matches."""
    target = await add_ics_target(rt)
    page = await (await browser.new_context(locale="en-US")).new_page()
    problems = watch_console(page)
    await sign_in(page, base_url, "analyst")
    await page.wait_for_url(f"{base_url}/notifications")
    await page.click("nav >> text=Mappings")
    form = page.locator("#ics-form")
    await form.locator("select[name=action]").select_option("add")
    await form.locator("input[name=key]").fill(FRESH_ICS)
    await form.locator("input[name=hs_prefixes]").fill("4202")
    await page.click("#ics-preview")
    await page.wait_for_url("**/analyst/mappings/ics/preview")
    row = page.locator("#match-changes tr", has_text=TARGET_KEY)
    assert "4202" in await row.locator(".gained").inner_text()
    assert "VIII" in await row.locator(".gained-sectors").inner_text()
    assert (
        await page.locator(
            "#evaluation-change tr", has_text="Sectors: precision and recall together (F1)"
        ).count()
        == 1
    )
    await shot(page, "analyst-ics-preview")
    await page.click("#mapping-save")
    await page.wait_for_url("**/analyst/mappings?saved=*")
    assert "4202" in await page.locator(f'[id="ics-{FRESH_ICS}"]').inner_text()
    await page.goto(f"{base_url}/notifications/{target}")
    assert "4202" in await page.locator("#matches").inner_text()
    await page.goto(f"{base_url}/notifications?sector=VIII")
    assert TARGET_KEY in await page.locator("main").inner_text()
    assert problems == [], problems


async def official_approves_the_digest(browser: Browser, base_url: str, rt: Runtime) -> None:
    # Approval exists only with [digest] review_required (issue 18).
    rt.config = rt.config.model_copy(
        update={"digest": rt.config.digest.model_copy(update={"review_required": True})}
    )
    page = await (await browser.new_context(locale="en-US")).new_page()
    problems = watch_console(page)
    await sign_in(page, base_url, "official")
    await page.wait_for_url(f"{base_url}/dashboard")
    await page.goto(f"{base_url}/digest?week={WEEK}")
    chart_width = await page.locator("#digest-chart").evaluate("img => img.naturalWidth")
    assert chart_width > 0, "the chart image loads"
    await shot(page, "digest-preview")
    await page.click("#digest-approve")
    await page.wait_for_url("**/digest?week=*done=approved*")
    assert email_of("official") in await page.locator("#review-state").inner_text()
    async with rt.db.begin() as conn:
        review = await get_review(conn, WEEK)
    assert review is not None and review.status == "approved"
    assert problems == [], problems


async def exporter_signs_in_and_changes_a_subscription(browser: Browser, base_url: str, rt: Runtime) -> None:
    async with rt.db.begin() as conn:
        first = (
            await conn.execute(
                sa.select(subscriptions.c.id, subscriptions.c.email).order_by(subscriptions.c.id)
            )
        ).first()
    assert first is not None
    sub_id, contact = first.id, first.email
    page = await (await browser.new_context(locale="zh-CN")).new_page()
    problems = watch_console(page)
    await page.goto(f"{base_url}/exporter/login")
    await page.fill("input[name=email]", str(contact))
    await page.click("#send-link")
    await page.wait_for_selector("#link-sent")
    async with rt.db.begin() as conn:
        (login,) = [m for m in await list_messages(conn, bodies=True) if m.kind == "exporter-login"]
    raw = login.message
    message = email_lib.message_from_bytes(raw)
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    found = re.search(r"/exporter/signin\?token=\S+", text.decode())
    assert found is not None
    # The link's host is the configured base_url; the path is what counts. Opening it
    # shows one button (a mail scanner opening the link uses nothing up).
    await page.goto(base_url + found[0])
    await page.click("#signin-confirm")
    await page.wait_for_url(f"{base_url}/exporter")
    form = page.locator(f"#subscription-{sub_id} form")
    await form.locator("select[name=frequency]").select_option("weekly")
    # The product picker: remove the chosen codes (chips), then find and add two by typing.
    chips = form.locator(".chips input[name=hs_prefixes]")
    while await chips.count():
        await chips.first.click()  # unchecked, the script removes the chip
    query = form.locator("input[name=hs_prefixes_query]")
    for code in ("8415", "84"):
        await query.fill(code)
        await form.locator(f'.picker-results button[data-code="{code}"]').click()
    await form.locator(f"#save-{sub_id}").click()
    await page.wait_for_url(f"**/exporter?saved={sub_id}")
    await shot(page, "exporter-subscriptions")
    async with rt.db.begin() as conn:
        stored = await get_subscription(conn, sub_id)
    assert stored.customised and stored.subscription.frequency == "weekly"
    assert stored.subscription.hs_prefixes == ("8415", "84")
    # The exporter's session reaches no staff page.
    await page.goto(f"{base_url}/dashboard")
    assert page.url.startswith(f"{base_url}/login")
    assert problems == [], problems


async def test_analyst_official_and_exporter_in_chromium(base_url: str, web_rt: Runtime) -> None:
    assert CHROMIUM_PRESENT, "chromium is missing: run `make browser` (apt-get install chromium)"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            await analyst_adds_a_rule(browser, base_url, web_rt)
            await analyst_changes_an_ics_row(browser, base_url, web_rt)
            await official_approves_the_digest(browser, base_url, web_rt)
            await exporter_signs_in_and_changes_a_subscription(browser, base_url, web_rt)
        finally:
            await browser.close()
