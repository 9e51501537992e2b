"""Issue 19's "done when", in Debian's chromium: a Chinese contact opens an
alert's link and raises a concern with an attachment, an analyst drafts the
zone's comment from the template, an official approves it, and the outbox holds
the email to the enquiry point with the .docx (it quotes the symbol, the concern
and the export value) and the .xlsx; the contact got the status emails.

Screenshots of the staff pages (zh and en, 1280 and 390 px) go to ``test-artifacts/``.
"""

from __future__ import annotations

import asyncio
import email
import io
import os
from collections.abc import AsyncIterator
from email import policy
from email.message import EmailMessage

import docx
import pytest
from aiohttp.test_utils import TestServer
from openpyxl import load_workbook
from playwright.async_api import Browser, Page

from tests.web.conftest import PASSWORD, SECRET, email_of
from tests.web.demo_run import PAGE_LINK, Email
from tests.web.test_browser import shot, watch_console
from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.storage.users import add_user
from warning.tokens import Signer
from warning.web.app import create_app
from warning.web.security import hash_password

if os.environ.get("TBTWARN_SKIP_BROWSER") == "1":
    pytestmark = pytest.mark.skip(reason="TBTWARN_SKIP_BROWSER=1")

CONTACT = "export@luyuan-cosmetics.example.com"
#: A one-page PDF (the attachment's type is checked by its content).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
async def zone_url(demo_rt: Runtime) -> AsyncIterator[str]:
    """The demo run's web app with an analyst and an official."""
    hashed = await asyncio.to_thread(hash_password, PASSWORD)
    async with demo_rt.db.begin() as conn:
        for role in ("official", "analyst"):
            await add_user(conn, email_of(role), hashed, role, demo_rt.now())
    server = TestServer(create_app(demo_rt, Signer(SECRET)), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def staff_page(browser: Browser, base_url: str, role: str, lang: str, viewport: dict[str, int]) -> Page:
    context = await browser.new_context(viewport=viewport, locale="zh-CN" if lang == "zh" else "en-GB")
    page = await context.new_page()
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=email]", email_of(role))
    await page.fill("input[name=password]", PASSWORD)
    await page.click("#sign-in")
    return page


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def overflow(page: Page) -> int:
    width: int = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return width


async def _contact_raises_a_concern(browser: Browser, base_url: str, link: str) -> None:
    """The Chinese contact, on a phone, from the alert's link: the concern form, with a PDF."""
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = await context.new_page()
    problems = watch_console(page)
    response = await page.goto(base_url + link)
    assert response is not None and response.status == 200
    await page.click("#raise-concern")
    await page.locator("#products input[type=checkbox]").first.check()
    markets = page.locator("#markets input[type=checkbox]")
    if not await markets.locator(":checked").count():  # prefilled with the notifying market or not
        await markets.first.check()
    await page.fill("textarea[name=request]", "延长过渡期至12个月，并接受中文和英文标签")
    await page.set_input_files(
        "input[name=files]", files=[{"name": "标签样张.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.click("#send-concern")
    await page.wait_for_load_state()
    assert "延长过渡期至12个月" in await page.content() or await page.locator("#concerns-here").count()
    assert problems == [], problems
    await context.close()


async def _analyst_drafts(browser: Browser, base_url: str) -> int:
    page = await staff_page(browser, base_url, "analyst", "zh", DESKTOP)
    problems = watch_console(page)
    await page.goto(f"{base_url}/responses")
    await page.locator("#response-queue a[href^='/responses/']").first.click()
    response_id = int(page.url.rsplit("/", 1)[1].split("?")[0])
    prefilled = await page.input_value("#rq-text-zh")
    assert "延长过渡期至12个月" in prefilled  # the template quotes the concern
    await page.fill("#rq-provisions", "第3条（标签语言）")
    await page.click("#rq-save-draft")
    assert "已保存第 1 版" in await page.inner_text("#rq-done")
    assert await page.locator("#rq-approve-button").count() == 0  # analysts cannot approve
    assert problems == [], problems
    await page.context.close()
    return response_id


async def _official_approves(browser: Browser, base_url: str, response_id: int) -> None:
    page = await staff_page(browser, base_url, "official", "zh", DESKTOP)
    problems = watch_console(page)
    await page.goto(f"{base_url}/responses/{response_id}")
    await page.click("#rq-approve-button")
    assert "已批准并排队发送" in await page.inner_text("#rq-done")
    assert await page.inner_text("#rq-status") == "已发送"
    # What became of the email itself: queued, or already written by the background delivery.
    mail = await page.inner_text("#rq-mail")
    assert "评议意见" in mail and any(w in mail for w in ("排队", "正在发送", "已于")), mail
    await shot(page, "responses-file-sent-zh-desktop")
    assert problems == [], problems
    await page.context.close()


async def test_a_concern_becomes_the_zones_comment_at_the_enquiry_point(
    browser: Browser, zone_url: str, demo_rt: Runtime, demo_emails: list[Email]
) -> None:
    mail = next(m for m in demo_emails if CONTACT in m.to)
    await _contact_raises_a_concern(browser, zone_url, PAGE_LINK.findall(mail.text)[0])
    response_id = await _analyst_drafts(browser, zone_url)
    await _official_approves(browser, zone_url, response_id)
    async with demo_rt.db.begin() as conn:
        messages = await list_messages(conn, bodies=True)
    enquiry = demo_rt.config.zone.enquiry_point_email
    (comment,) = [m for m in messages if m.kind == "response-comment"]
    assert comment.recipient == enquiry
    files = {
        str(part.get_filename()): part.get_payload(decode=True)
        for part in parse(comment.message).iter_attachments()
    }
    (docx_bytes,) = [data for name, data in files.items() if name.endswith(".docx")]
    (xlsx_bytes,) = [data for name, data in files.items() if name.endswith(".xlsx")]
    assert isinstance(docx_bytes, bytes) and isinstance(xlsx_bytes, bytes)
    document = docx.Document(io.BytesIO(docx_bytes))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    symbol = comment.subject.split("：", 1)[1].split("（", 1)[0]
    assert symbol.startswith("G/") and symbol in text
    assert "延长过渡期至12个月，并接受中文和英文标签" in text
    sheet = load_workbook(io.BytesIO(xlsx_bytes)).active
    value = sheet["H3"].value
    assert isinstance(value, int | float) and value > 0  # the export value at stake, as a number
    assert f"{value:,.0f}" in text  # and quoted in the document
    # The contact heard of each step: the receipt, then drafting, approved and sent.
    to_contact = [
        m for m in messages if m.recipient == CONTACT and m.kind in ("concern-receipt", "response-status")
    ]
    statuses = [m.idempotency_key.split(":")[2] for m in to_contact if m.kind == "response-status"]
    assert statuses == ["drafting", "approved", "sent"]
    assert any(m.kind == "concern-receipt" for m in to_contact)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_screenshots_of_the_staff_pages(
    browser: Browser, zone_url: str, demo_rt: Runtime, demo_emails: list[Email], lang: str
) -> None:
    mail = next(m for m in demo_emails if CONTACT in m.to)
    await _contact_raises_a_concern(browser, zone_url, PAGE_LINK.findall(mail.text)[0])
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = await staff_page(browser, zone_url, "official", lang, viewport)
        problems = watch_console(page)
        await page.goto(f"{zone_url}/responses")
        await shot(page, f"responses-queue-{lang}-{name}")
        await page.locator("#response-queue a[href^='/responses/']").first.click()
        await shot(page, f"responses-file-{lang}-{name}")
        if name == "phone":
            assert await overflow(page) <= 0
        await page.goto(f"{zone_url}/dashboard")
        await shot(page, f"responses-dashboard-{lang}-{name}")
        assert problems == [], problems
        await page.context.close()
