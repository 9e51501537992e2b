"""A company's concern from the exporter notification page, on what ``make run`` wrote:
the form in the contact's language, files judged by content, errors naming the field,
"My concerns" showing only the contact's own companies, attachments for staff only."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage
from html import escape, unescape

import aiohttp
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from tests.web.conftest import SECRET, SignIn, email_of
from tests.web.demo_run import PAGE_LINK, Client, Email
from warning.runtime import Runtime
from warning.storage.concerns import load_concerns
from warning.storage.notifications import load_notifications
from warning.storage.outbox import list_messages
from warning.storage.response_tables import response_files
from warning.storage.review_actions import record_change
from warning.storage.schema import notifications
from warning.storage.translations import save_translations, source_hash
from warning.storage.users import add_user
from warning.tokens import Signer
from warning.types import Translation
from warning.web.app import create_app

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300


def _link(emails: list[Email], who: str) -> str:
    mail = next(m for m in emails if who in m.to)
    return next(p for p in PAGE_LINK.findall(mail.text) if "/notifications/" in p)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def _open_form(client: Client, page_link: str) -> tuple[str, str, str]:
    """(form action, csrf token, form html) from the notification page's "raise a concern" button."""
    page = await (await client.get(page_link)).text()
    found = re.search(r'id="raise-concern" href="([^"]+)"', page)
    assert found is not None
    form_url = unescape(found.group(1))
    response = await client.get(form_url)
    html = await response.text()
    assert response.status == 200, html[:400]
    action = re.search(r'id="concern-form"', html) and re.search(r'action="([^"]+)" enctype', html)
    assert action
    return unescape(action.group(1)), _csrf(html), html


def _form(csrf: str, fields: dict[str, str | list[str]], files: list[tuple[str, bytes]]) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("csrf_token", csrf)  # first: the streamed form reads it before the rest
    for name, value in fields.items():
        for v in [value] if isinstance(value, str) else value:
            data.add_field(name, v)
    for filename, content in files:
        data.add_field("files", content, filename=filename, content_type="application/pdf")
    return data


GOOD = {
    "company": "",
    "products": ["3304"],
    "markets": ["KEN"],
    "cost": "20000",
    "lost_sales": "150000",
    "months": "9",
    "export_value": "480000",
    "request": "请允许以中文标签加贴斯瓦希里语和英文说明，过渡期延长至12个月。",
}


async def test_a_chinese_contact_raises_a_concern_with_a_file(
    demo_emails: list[Email], demo_client: Client, demo_rt: Runtime
) -> None:
    action, csrf, html = await _open_form(demo_client, _link(demo_emails, "luyuan"))
    assert '<html lang="zh-CN"' in html and "受影响的产品" in html
    assert re.search(r'name="products" value="3304" checked', html)  # the product the measure matched
    assert re.search(r'name="markets" value="KEN" checked', html)  # the notifying member
    value = re.search(r'name="export_value" value="([^"]*)"', html)
    assert value is not None and float(value.group(1)) > 0  # prefilled from the register's figures
    company = re.search(r'name="company" value="(\d+)"', html)
    assert company is not None
    fields = {**GOOD, "company": company.group(1)}
    response = await demo_client.post(
        action, data=_form(csrf, fields, [("测算.pdf", PDF)]), allow_redirects=False
    )
    assert response.status == 303, await response.text()
    mine = await (await demo_client.get(response.headers["Location"])).text()
    assert 'id="concern-received"' in mine and "已收到贵司的评议意见" in mine
    assert "请允许以中文标签加贴斯瓦希里语和英文说明" in mine and "测算.pdf" in mine
    assert "/responses/attachments/" not in mine  # the file is listed, never served to exporters
    async with demo_rt.db.begin() as conn:
        (stored,) = await load_concerns(conn)
        outbox = [m for m in await list_messages(conn) if m.kind == "concern-receipt"]
    assert stored.concern.contact_email == "export@luyuan-cosmetics.example.com"
    assert (stored.attachments[0].content_type, stored.attachments[0].size) == ("application/pdf", len(PDF))
    assert [m.recipient for m in outbox] == ["export@luyuan-cosmetics.example.com"]


async def test_an_executable_renamed_pdf_is_refused_naming_the_file(
    demo_emails: list[Email], demo_client: Client, demo_rt: Runtime
) -> None:
    action, csrf, _ = await _open_form(demo_client, _link(demo_emails, "luyuan"))
    response = await demo_client.post(action, data=_form(csrf, GOOD, [("发票.pdf", ELF)]))
    html = await response.text()
    assert response.status == 400
    assert "文件发票.pdf被拒收：根据其内容，它不是PDF、图片、办公文档或文本文件。" in html
    assert "请重新附上文件" in html and "请允许以中文标签" in html  # what was typed is kept
    async with demo_rt.db.begin() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(response_files))).scalar() == 0


async def test_errors_name_each_field_in_the_contacts_language(
    demo_emails: list[Email], demo_client: Client
) -> None:
    action, csrf, _ = await _open_form(demo_client, _link(demo_emails, "harbour-med"))
    fields = {"cost": "lots", "months": "1.5", "request": " "}
    response = await demo_client.post(action, data=_form(csrf, fields, []))
    html = unescape(await response.text())
    assert response.status == 400
    for message in (
        "Your products concerned: tick at least one of your products.",
        "Markets concerned: tick at least one market.",
        "Cost of complying: write an amount in US dollars",
        "Time to comply: write a whole number of months",
        "What should change: say what the notifying member should change.",
    ):
        assert message in html, message


async def test_a_form_without_the_csrf_token_is_refused(
    demo_emails: list[Email], demo_client: Client
) -> None:
    action, _, _ = await _open_form(demo_client, _link(demo_emails, "luyuan"))
    response = await demo_client.post(action, data=_form("forged", GOOD, [("a.pdf", PDF)]))
    assert response.status == 403


async def test_a_contact_never_sees_another_companys_concerns_nor_files(
    demo_emails: list[Email], demo_client: Client, demo_rt: Runtime
) -> None:
    luyuan = _link(demo_emails, "luyuan")
    action, csrf, html = await _open_form(demo_client, luyuan)
    company = re.search(r'name="company" value="(\d+)"', html)
    assert company is not None
    await demo_client.post(action, data=_form(csrf, {**GOOD, "company": company.group(1)}, [("a.pdf", PDF)]))
    demo_client.session.cookie_jar.clear()
    harbour = _link(demo_emails, "harbour-med")
    token = harbour.split("?token=", 1)[1]
    theirs = await (await demo_client.get(f"/exporter/concerns?token={token}")).text()
    assert 'id="no-concerns"' in theirs and "请允许以中文标签" not in theirs and "a.pdf" not in theirs
    # Nor the cosmetics maker's measure: it did not alert the medical devices maker.
    measure = luyuan.split("?", 1)[0]
    refused = await demo_client.get(f"{measure}/concern?token={token}")
    assert refused.status == 404
    # The attachment is for staff: an exporter's link or session gets the sign-in page, never the file.
    async with demo_rt.db.begin() as conn:
        (stored,) = await load_concerns(conn)
    file_path = f"/responses/attachments/{stored.attachments[0].id}"
    for path in (file_path, f"{file_path}?token={token}"):
        got = await demo_client.get(path, allow_redirects=False)
        assert got.status == 303 and got.headers["Location"].startswith("/login")
    await SignIn(demo_rt).exporter(demo_client, "export@luyuan-cosmetics.example.com")
    assert (await demo_client.get(file_path, allow_redirects=False)).status == 303
    async with demo_rt.db.begin() as conn:
        await add_user(conn, email_of("analyst"), "x", "analyst", demo_rt.now())
    await SignIn(demo_rt)(demo_client, "analyst")
    served = await demo_client.get(file_path)
    assert served.status == 200 and await served.read() == PDF
    assert served.headers["Content-Disposition"] == "attachment; filename*=utf-8''a.pdf"


async def test_asking_for_the_full_text_is_recorded_once(
    demo_emails: list[Email], demo_client: Client
) -> None:
    link = _link(demo_emails, "luyuan")
    page = await (await demo_client.get(link)).text()
    found = re.search(r'<form method="post" action="([^"]+)" class="xp-inline">', page)
    assert found is not None
    response = await demo_client.post(unescape(found.group(1)), data={"csrf_token": _csrf(page)})
    mine = await response.text()
    assert 'id="full-text-received"' in mine and "贵司已于2026-08-03索取全文。" in mine
    again = await (await demo_client.get(link)).text()
    assert 'id="full-text-asked"' in again and 'id="ask-full-text"' not in again


async def test_a_file_over_the_limit_is_refused_unread(demo_emails: list[Email], demo_rt: Runtime) -> None:
    small = demo_rt.config.model_copy(
        update={"responses": demo_rt.config.responses.model_copy(update={"max_attachment_bytes": 1000})}
    )
    rt = Runtime(small, demo_rt.db, demo_rt.clock)
    async with TestClient(TestServer(create_app(rt, Signer(SECRET)))) as client:
        action, csrf, _ = await _open_form(client, _link(demo_emails, "luyuan"))
        big = PDF + b"0" * 5_000_000  # 5 MB: past the 1 MB the app reads of an ordinary form, too
        response = await client.post(action, data=_form(csrf, GOOD, [("大文件.pdf", big)]))
        html = await response.text()
    assert response.status == 400
    assert "文件大文件.pdf超过1 KB：请发送较小的文件。" in html
    async with demo_rt.db.begin() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(response_files))).scalar() == 0


async def test_my_concerns_shows_the_title_in_the_contacts_language_where_translated(
    demo_emails: list[Email], demo_client: Client, demo_rt: Runtime
) -> None:
    action, csrf, html = await _open_form(demo_client, _link(demo_emails, "luyuan"))
    company = re.search(r'name="company" value="(\d+)"', html)
    assert company is not None
    form = _form(csrf, {**GOOD, "company": company.group(1)}, [])
    response = await demo_client.post(action, data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    async with demo_rt.db.begin() as conn:
        (stored,) = await load_concerns(conn)
        nid = stored.concern.notification_id
        ((_, note),) = await load_notifications(conn, notifications.c.id == nid)
        row = Translation(
            nid,
            "title",
            "zh",
            "化妆品中铅汞砷含量测定方法",
            "en",
            source_hash(note.title),
            "machine",
            "libretranslate",
            demo_rt.now(),
        )
        await save_translations(conn, [row])
    mine = await (await demo_client.get(response.headers["Location"])).text()
    assert "化妆品中铅汞砷含量测定方法" in mine and escape(note.title) not in mine
    # A machine translation says so beside the title.
    assert "机器翻译" in mine.split("化妆品中铅汞砷含量测定方法", 1)[1].split("</p>", 1)[0]


async def test_the_receipt_email_links_to_my_concerns_in_its_html_part(
    demo_emails: list[Email], demo_client: Client, demo_rt: Runtime
) -> None:
    action, csrf, html = await _open_form(demo_client, _link(demo_emails, "luyuan"))
    company = re.search(r'name="company" value="(\d+)"', html)
    assert company is not None
    form = _form(csrf, {**GOOD, "company": company.group(1)}, [])
    assert (await demo_client.post(action, data=form, allow_redirects=False)).status == 303
    async with demo_rt.db.begin() as conn:
        (receipt,) = [m for m in await list_messages(conn, bodies=True) if m.kind == "concern-receipt"]
    parsed = email.message_from_bytes(receipt.message, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    part = parsed.get_body(("html",))
    assert part is not None
    body = part.get_content()
    link = re.search(r'<a href="(https?://[^"]+)">', body)
    assert link is not None and "/exporter/concerns" in unescape(link.group(1))


async def test_no_concern_form_for_an_alert_the_officials_held_back(
    demo_emails: list[Email], demo_client: Client, demo_rt: Runtime
) -> None:
    luyuan = _link(demo_emails, "luyuan")
    measure, token = luyuan.split("?", 1)[0], luyuan.split("?token=", 1)[1]
    assert (await demo_client.get(f"{measure}/concern?token={token}")).status == 200
    notification_id = int(measure.rstrip("/").rsplit("/", 1)[1])
    async with demo_rt.db.begin() as conn:
        await record_change(
            conn,
            notification_id=notification_id,
            exporter_id=None,
            action="suppress",
            reason="not this zone's trade",
            by_email=email_of("official"),
            now=demo_rt.now(),
        )
    # The URL typed again: the alert was held back, so there is no form to raise a concern.
    assert (await demo_client.get(f"{measure}/concern?token={token}")).status == 404
