"""An official shapes the week's exporter emails in Chromium, then approves:
what goes out lacks the held-back alert, shows the lowered level with its
reason, and carries the expert note in each contact's language."""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from markupsafe import escape
from playwright.async_api import Browser

from tests.review.fixtures import (
    BOTH,
    COSMETICS,
    COSMETICS_MAKER,
    TOY_MAKER,
    WEEK,
    ids,
    populate,
    write_review_config,
)
from tests.web.conftest import SECRET, WEB_NOW, browser
from tests.web.test_browser import shot, sign_in, watch_console
from warning.clock import FixedClock
from warning.config import load_config
from warning.runtime import Runtime
from warning.tokens import Signer
from warning.web.app import create_app

__all__ = ["browser"]  # the fixture, imported

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")

NOTE_ZH = "欧盟此前已接受我国同类产品检测报告，企业可继续沿用。"
NOTE_EN = "The EU accepts test reports from our labs for such products: keep using them."
OFFICE = "济南市商务局 Jinan Commerce Bureau"
LOWER_REASON = "Covered by the toy maker's existing EN 71 certificates"
SUPPRESS_REASON = "False alert: creams are not in scope"


@pytest.fixture
async def review_rt(tmp_path: Path) -> AsyncIterator[Runtime]:
    config_path = write_review_config(tmp_path)
    await populate(config_path)
    rt = await Runtime.open(load_config(config_path), FixedClock(WEB_NOW))
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture
async def review_url(review_rt: Runtime) -> AsyncIterator[str]:
    server = TestServer(create_app(review_rt, Signer(SECRET)), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def sent_weekly(outbox: Path) -> dict[str, email.message.EmailMessage]:
    """The weekly digests written to the outbox, by recipient."""
    out = {}
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        out[str(message["To"])] = message
    return out


def parts(message: email.message.EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


async def test_official_shapes_and_approves_the_week(
    browser: Browser, review_url: str, review_rt: Runtime
) -> None:
    known = await ids(review_rt)
    both, cosmetics = known[BOTH], known[COSMETICS]
    maker, toys = known[COSMETICS_MAKER], known[TOY_MAKER]
    page = await browser.new_page(locale="en-US")
    problems = watch_console(page)
    await sign_in(page, review_url, "official")
    await page.wait_for_url(f"{review_url}/dashboard")
    await page.goto(f"{review_url}/digest?week={WEEK}")
    assert "Waiting for approval" in await page.locator("#review-state").inner_text()

    # Hold back the cosmetics maker's alert on the cosmetics-only measure.
    row = page.locator(f"#alert-{cosmetics}-{maker}")
    await row.locator("input[name=reason]").fill(SUPPRESS_REASON)
    await row.locator("button[value=suppress]").click()
    await page.wait_for_url("**/digest?*done=changed*")
    assert "held back" in await page.locator(f"#alert-{cosmetics}-{maker}").inner_text()

    # A reason is required: refused with a message saying how to fix it.
    row = page.locator(f"#alert-{both}-{toys}")
    await row.locator("select[name=level]").select_option("blue")
    await row.locator("input[name=reason]").evaluate("e => e.removeAttribute('required')")
    await row.locator("button[value=level]").click()
    await page.wait_for_url("**/digest?*error=*")
    assert "Give a reason" in await page.locator("#review-error").inner_text()

    # Lower the toy maker's alert on the joint measure, with a reason.
    row = page.locator(f"#alert-{both}-{toys}")
    await row.locator("select[name=level]").select_option("blue")
    await row.locator("input[name=reason]").fill(LOWER_REASON)
    await row.locator("button[value=level]").click()
    await page.wait_for_url("**/digest?*done=changed*")
    assert "computed: yellow" in (await page.locator(f"#alert-{both}-{toys}").inner_text()).lower()

    # An expert note on the joint measure, in both languages.
    await page.locator(f"#n-{both} details summary").click()
    note_form = page.locator(f"#n-{both} form.note-form")
    await note_form.locator("textarea[name=note_zh]").fill(NOTE_ZH)
    await note_form.locator("textarea[name=note_en]").fill(NOTE_EN)
    await note_form.locator("input[name=office]").fill(OFFICE)
    await note_form.locator("button[value=note]").click()
    await page.wait_for_url("**/digest?*done=changed*")
    assert NOTE_EN in await page.locator(f"#note-{both}").inner_text()
    await shot(page, "review-week")

    # The toy maker's email as it will be sent, before approving.
    await page.goto(f"{review_url}/review/email?exporter={toys}&lang=en")
    preview = await page.locator("#email-text-0").inner_text()
    assert NOTE_EN in preview and LOWER_REASON in preview
    await shot(page, "review-email-preview")

    await page.goto(f"{review_url}/digest?week={WEEK}")
    await page.click("#digest-approve")
    await page.wait_for_url("**/digest?*done=approved*")
    assert "Approved" in await page.locator("#digest-done").inner_text()

    # The history is on the notification page.
    await page.goto(f"{review_url}/notifications/{both}")
    history = await page.locator("#review-history").inner_text()
    assert LOWER_REASON in history and "yellow" in history.lower() and "official@" in history
    assert NOTE_EN in await page.locator("#expert-note-top").inner_text()
    await shot(page, "review-history")
    assert problems == [], problems

    sent = sent_weekly(review_rt.config.base_dir / "var" / "outbox")
    zh_text, zh_html = parts(sent["export@luyuan-cosmetics.example.com"])
    assert BOTH in zh_text and COSMETICS not in zh_text and COSMETICS not in zh_html
    assert NOTE_ZH in zh_text and NOTE_ZH in zh_html and "专家解读（" in zh_text
    en_text, en_html = parts(sent["compliance@spring-toys.example.com"])
    assert BOTH in en_text and NOTE_EN in en_text and NOTE_EN in en_html
    assert "Blue" in en_text and LOWER_REASON in en_text and "lowered from Yellow to Blue" in en_text
    assert str(escape(LOWER_REASON)) in en_html  # escaped like all text
