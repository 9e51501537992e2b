"""The staff's response queue through its own HTTP interface: the queue, a
file's page prefilled from the template, drafting with errors that keep what
was typed, the official's approval queuing the comment to the enquiry point,
the STC mark, closing, and the zip of the whole file."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import zipfile
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.responses.queue_helpers import SYMBOL, measure_with_concern
from tests.web.conftest import SECRET, SignIn
from warning.runtime import Runtime
from warning.storage.outbox import claim, list_messages, mark_failed, requeue
from warning.storage.responses import get_response_file
from warning.tokens import Signer
from warning.web.app import create_app
from warning.web.background_mail import TASKS

Client = TestClient[web.Request, web.Application]
ENQUIRY = "tbt-enquiry@example.gov.cn"


@pytest.fixture
async def zone_client(web_rt: Runtime) -> AsyncIterator[Client]:
    zone = web_rt.config.zone.model_copy(
        update={"enquiry_point_email": ENQUIRY, "name_zh": "济南片区", "name": "Jinan Area"}
    )
    web_rt.config = web_rt.config.model_copy(update={"zone": zone})
    async with TestClient(TestServer(create_app(web_rt, Signer(SECRET)))) as test_client:
        yield test_client


async def test_from_the_queue_to_the_enquiry_point(zone_client: Client, web_rt: Runtime) -> None:
    client, sign_in = zone_client, SignIn(web_rt)
    response_id = await measure_with_concern(web_rt, dt.date(2026, 7, 20))
    csrf = await sign_in(client, "analyst")
    queue = await (await client.get("/responses")).text()
    assert SYMBOL in queue and "USD 1,250,000" in queue and f'href="/responses/{response_id}"' in queue
    page = await (await client.get(f"/responses/{response_id}")).text()
    assert "延长过渡期至12个月" in page  # the concern, and the template quoting it
    assert page.count("延长过渡期至12个月") >= 2
    # A draft without its English text: refused, the Chinese kept.
    bad = await client.post(
        f"/responses/{response_id}/draft",
        data={"csrf_token": csrf, "provisions": "第4条", "text_zh": "我们的意见草稿", "text_en": ""},
    )
    assert bad.status == 400
    body = await bad.text()
    assert "我们的意见草稿" in body and "Comment in English: is required" in body
    saved = await client.post(
        f"/responses/{response_id}/draft",
        data={
            "csrf_token": csrf,
            "provisions": "Article 4",
            "text_zh": "意见第一版",
            "text_en": "First version",
        },
        allow_redirects=False,
    )
    assert saved.status == 303
    # An analyst may not approve.
    refused = await client.post(f"/responses/{response_id}/approve", data={"csrf_token": csrf})
    assert refused.status == 403
    csrf = await sign_in(client, "official")
    sent = await client.post(
        f"/responses/{response_id}/approve", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert sent.status == 303
    async with web_rt.db.begin() as conn:
        file = await get_response_file(conn, response_id)
        messages = await list_messages(conn)
    assert file is not None and file.status == "sent"
    comments = [m for m in messages if m.kind == "response-comment"]
    assert [m.recipient for m in comments] == [ENQUIRY]
    page = await (await client.get(f"/responses/{response_id}")).text()
    assert "rq-approve" not in page and "rq-answer" in page
    # The history names the statuses in the reader's language, not by their codes.
    chinese = await client.get(f"/responses/{response_id}", headers={"Accept-Language": "zh-CN"})
    html = (await chinese.text()).replace("\n", "")
    assert "<td>已批准</td><td>已发送</td>" in html and "<td>approved</td>" not in html
    history = html.split(">已批准</td><td>已发送</td>", 1)[1]
    assert "<td>已批准：第1版</td>" in history and "<td>第1版</td>" in history
    assert re.search(r"<td>关切 #\d+</td>", history) and "version 1" not in history
    assert "<td>评议意见：" in history and "comment:" not in history
    assert "<li>评议意见 · <a href=" in html and "<li>comment · " not in html  # the documents kept
    # "Sent" is the file's status; the page says what became of the email itself.
    await asyncio.gather(*client.app[TASKS])  # the delivery the approval started
    page = await (await client.get(f"/responses/{response_id}")).text()
    assert f"delivered {web_rt.now():%Y-%m-%d %H:%M} UTC" in page and "NOT delivered" not in page
    async with web_rt.db.begin() as conn:
        await mark_failed(conn, comments[0].id, "550 5.1.1 mailbox unknown", permanent=True)
    page = await (await client.get(f"/responses/{response_id}")).text()
    assert "NOT delivered: refused after 1 attempts (550 5.1.1 mailbox unknown)" in page
    async with web_rt.db.begin() as conn:
        await requeue(conn, comments[0].id, "requeued by the administrator")
    page = await (await client.get(f"/responses/{response_id}")).text()
    assert "not yet delivered (1 attempts; last error: requeued by the administrator)" in page
    async with web_rt.db.begin() as conn:
        await claim(conn, comments[0].id, web_rt.now() + dt.timedelta(minutes=10))
    page = await (await client.get(f"/responses/{response_id}")).text()
    assert "being sent now" in page and "not yet delivered" not in page
    # The whole file as a zip.
    archive = zipfile.ZipFile(
        io.BytesIO(await (await client.get(f"/responses/{response_id}/export.zip")).read())
    )
    names = archive.namelist()
    assert {"README.txt", "concerns.csv", "history.csv", "drafts/v1-zh.txt", "drafts/v1-en.txt"} <= set(names)
    assert any(n.startswith("documents/comment/") and n.endswith(".docx") for n in names)
    assert "延长过渡期至12个月" in archive.read("concerns.csv").decode("utf-8")


async def test_stc_mark_and_closing_check_their_input(zone_client: Client, web_rt: Runtime) -> None:
    client, sign_in = zone_client, SignIn(web_rt)
    response_id = await measure_with_concern(web_rt, dt.date(2026, 7, 20))
    csrf = await sign_in(client, "analyst")
    bad = await client.post(
        f"/responses/{response_id}/stc",
        data={"csrf_token": csrf, "stc_number": "812", "stc_url": "javascript:x"},
    )
    assert bad.status == 400 and "must start with https://" in await bad.text()
    good = await client.post(
        f"/responses/{response_id}/stc",
        data={
            "csrf_token": csrf,
            "stc_number": "812",
            "stc_url": "https://eping.wto.org/en/TradeConcerns/812",
        },
    )
    assert good.status == 200 and 'id="stc"' in await good.text()
    assert "STC 812" in await (await client.get("/responses")).text()
    async with web_rt.db.begin() as conn:
        file = await get_response_file(conn, response_id)
    assert file is not None
    staff_page = await (await client.get(f"/notifications/{file.notification_id}")).text()
    assert 'id="stc"' in staff_page and f'href="/responses/{response_id}"' in staff_page
    empty = await client.post(f"/responses/{response_id}/close", data={"csrf_token": csrf, "reason": " "})
    assert empty.status == 400
    closed = await client.post(
        f"/responses/{response_id}/close", data={"csrf_token": csrf, "reason": "已由商会统一提交"}
    )
    assert closed.status == 200 and "已由商会统一提交" in await closed.text()
    again = await client.post(f"/responses/{response_id}/close", data={"csrf_token": csrf, "reason": "x"})
    assert again.status == 409
    # A closed file can be reopened: it is back in the queue as open.
    assert 'id="rq-reopen-button"' in await (await client.get(f"/responses/{response_id}")).text()
    reopened = await client.post(f"/responses/{response_id}/reopen", data={"csrf_token": csrf})
    assert reopened.status == 200 and 'id="rq-reopen-button"' not in await reopened.text()
    async with web_rt.db.begin() as conn:
        file = await get_response_file(conn, response_id)
    assert file is not None and file.status == "open"
    twice = await client.post(f"/responses/{response_id}/reopen", data={"csrf_token": csrf})
    assert twice.status == 409


async def test_dashboard_and_calendar_show_the_response_deadlines(
    zone_client: Client, web_rt: Runtime
) -> None:
    client, sign_in = zone_client, SignIn(web_rt)
    response_id = await measure_with_concern(web_rt, dt.date(2026, 7, 20))
    await sign_in(client, "official")
    dashboard = await (await client.get("/dashboard")).text()
    assert "2 open · 0 drafting" in dashboard  # the fixture's file and this one
    assert f'href="/responses/{response_id}"' in dashboard and "2026-07-15" in dashboard
    calendar = await (await client.get("/calendar.ics")).text()
    assert f"UID:response-{response_id}@tbtwarn" in calendar
    assert "DTSTART;VALUE=DATE:20260715" in calendar and SYMBOL in calendar


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


async def test_the_reply_is_recorded_with_its_document_and_an_executable_is_refused(
    zone_client: Client, web_rt: Runtime
) -> None:
    client, sign_in = zone_client, SignIn(web_rt)
    response_id = await measure_with_concern(web_rt, dt.date(2026, 7, 20))
    csrf = await sign_in(client, "official")
    drafted = await client.post(
        f"/responses/{response_id}/draft",
        data={"csrf_token": csrf, "provisions": "", "text_zh": "意见", "text_en": "Comment"},
    )
    assert drafted.status == 200, await drafted.text()
    approved = await client.post(f"/responses/{response_id}/approve", data={"csrf_token": csrf})
    assert approved.status == 200, await approved.text()
    exe = aiohttp.FormData()
    exe.add_field("csrf_token", csrf)
    exe.add_field("file", b"MZ\x90\x00" + b"\x00" * 200, filename="reply.pdf", content_type="application/pdf")
    refused = await client.post(f"/responses/{response_id}/answer", data=exe)
    assert refused.status == 400 and "reply.pdf" in await refused.text()
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf)
    form.add_field("file", PDF, filename="member-reply.pdf", content_type="application/pdf")
    recorded = await client.post(f"/responses/{response_id}/answer", data=form)
    assert recorded.status == 200
    page = await recorded.text()
    assert "member-reply.pdf" in page and 'id="rq-status">answered' in page
    async with web_rt.db.begin() as conn:
        file = await get_response_file(conn, response_id)
    assert file is not None and file.status == "answered"
    link = f"/responses/{response_id}/documents/"
    doc_id = page.split('">member-reply.pdf', 1)[0].rsplit(link, 1)[1]
    served = await client.get(link + doc_id)
    assert served.status == 200 and await served.read() == PDF
    assert "attachment" in served.headers["Content-Disposition"]


async def test_full_text_requests_are_sent_from_the_page(zone_client: Client, web_rt: Runtime) -> None:
    from warning.storage.concerns import add_full_text_request

    client, sign_in = zone_client, SignIn(web_rt)
    response_id = await measure_with_concern(web_rt, dt.date(2026, 7, 20))
    async with web_rt.db.begin() as conn:
        file = await get_response_file(conn, response_id)
        assert file is not None
        await add_full_text_request(
            conn,
            file,
            exporter_id=1,
            contact_email="export@luyuan-cosmetics.example.com",
            language="zh",
            now=web_rt.now(),
        )
    csrf = await sign_in(client, "analyst")
    page = await (await client.get(f"/responses/{response_id}")).text()
    assert 'id="rq-send-requests"' in page
    sent = await client.post(f"/responses/{response_id}/full-text", data={"csrf_token": csrf})
    assert sent.status == 200 and 'id="rq-send-requests"' not in await sent.text()
    async with web_rt.db.begin() as conn:
        messages = [m for m in await list_messages(conn) if m.kind == "response-fulltext"]
    assert [m.recipient for m in messages] == [ENQUIRY]
