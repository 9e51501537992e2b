"""The approved comment reaches the enquiry point exactly once, with its .docx
and .xlsx, whatever crashes between the approval and the delivery."""

from __future__ import annotations

import datetime as dt
import email
import io
from email import policy
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from notifications.deliver import deliver_pending
from tests.conftest import WriteConfig
from tests.responses.queue_helpers import CONFIG_EXTRA, SYMBOL, measure_with_concern
from warning.clock import FixedClock
from warning.config import load_config
from warning.exceptions import ResponseTransitionError
from warning.responses.lifecycle import transition
from warning.responses.sending import approve_and_send, send_full_text_requests
from warning.runtime import Runtime
from warning.storage.concerns import add_full_text_request, load_full_text_requests
from warning.storage.outbox import list_messages
from warning.storage.responses import add_draft, get_response_file

NOW = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)
ENQUIRY = "tbt-enquiry@example.gov.cn"
OFFICIAL = "official@zone.example.gov.cn"


class Crash(Exception):
    """The process dying at a chosen point."""


async def _drafted(rt: Runtime) -> int:
    response_id = await measure_with_concern(rt, dt.date(2026, 7, 20))
    async with rt.db.begin() as conn:
        file = await get_response_file(conn, response_id)
        assert file is not None
        await transition(conn, response_id, "drafting", actor="analyst", now=rt.now(), config=rt.config)
        await add_draft(
            conn, file, text_zh="本区意见：请延长过渡期。", text_en="Please extend.", author="a", now=rt.now()
        )
    return response_id


def sent_to(folder: Path, recipient: str) -> list[EmailMessage]:
    """The .eml files the outbox transport wrote for ``recipient``."""
    out = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == recipient:
            out.append(message)
    return out


def attachments_of(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[str(part.get_filename())] = payload
    return found


async def test_a_crash_after_the_approval_commits_sends_the_comment_once(
    write_config: WriteConfig, database_url: str, tmp_path: Path
) -> None:
    config = load_config(write_config(extra=CONFIG_EXTRA)).model_copy(update={"database_url": database_url})
    rt = await Runtime.open(config, FixedClock(NOW))
    try:
        response_id = await _drafted(rt)
        with pytest.raises(Crash):
            async with rt.db.begin() as conn:
                await approve_and_send(rt, conn, response_id, actor=OFFICIAL)
            raise Crash  # committed; the process dies before any delivery
    finally:
        await rt.close()
    # Restart: the approval stands, the message waits in the outbox.
    rt = await Runtime.open(config, FixedClock(NOW + dt.timedelta(minutes=1)))
    try:
        async with rt.db.begin() as conn:
            file = await get_response_file(conn, response_id)
            assert file is not None and file.status == "sent" and file.approved_version == 1
            with pytest.raises(ResponseTransitionError):  # approving again is refused
                await approve_and_send(rt, conn, response_id, actor=OFFICIAL)
        await deliver_pending(rt)
        await deliver_pending(rt)  # a second run finds nothing to send
        async with rt.db.begin() as conn:
            comments = [m for m in await list_messages(conn) if m.kind == "response-comment"]
        assert len(comments) == 1 and comments[0].status == "sent"
        mails = sent_to(config.delivery.outbox_dir, ENQUIRY)
        assert len(mails) == 1
        files = attachments_of(mails[0])
        (docx_name,) = [n for n in files if n.endswith(".docx")]
        (xlsx_name,) = [n for n in files if n.endswith(".xlsx")]
        document = docx.Document(io.BytesIO(files[docx_name]))
        text = "\n".join(
            [p.text for p in document.paragraphs]
            + [c.text for t in document.tables for r in t.rows for c in r.cells]
        )
        assert SYMBOL in text and "延长过渡期至12个月" in text and "1,250,000" in text
        assert "本区意见：请延长过渡期。" in text
        sheet = load_workbook(io.BytesIO(files[xlsx_name])).active
        assert sheet["H3"].value == 1_250_000
        # The company heard of each step (drafting, approved, sent), once each.
        contact = sent_to(config.delivery.outbox_dir, "export@luyuan-cosmetics.example.com")
        assert len(contact) == 3 and len({str(m["Subject"]) for m in contact}) == 3
    finally:
        await rt.close()


async def test_a_crash_before_the_commit_leaves_nothing_and_the_retry_sends_once(
    write_config: WriteConfig,
    database_url: str,
) -> None:
    config = load_config(write_config(extra=CONFIG_EXTRA)).model_copy(update={"database_url": database_url})
    rt = await Runtime.open(config, FixedClock(NOW))
    try:
        response_id = await _drafted(rt)
        with pytest.raises(Crash):
            async with rt.db.begin() as conn:
                await approve_and_send(rt, conn, response_id, actor=OFFICIAL)
                raise Crash  # inside the transaction: rolled back
        async with rt.db.begin() as conn:
            file = await get_response_file(conn, response_id)
            assert file is not None and file.status == "drafting"
            kinds = [m.idempotency_key.split(":")[:3] for m in await list_messages(conn)]
            assert kinds == [["response-status", str(response_id), "drafting"]]  # from before the crash
            await approve_and_send(rt, conn, response_id, actor=OFFICIAL)
        await deliver_pending(rt)
        assert len(sent_to(config.delivery.outbox_dir, ENQUIRY)) == 1
    finally:
        await rt.close()


async def test_full_text_requests_go_once(write_config: WriteConfig, database_url: str) -> None:
    config = load_config(write_config(extra=CONFIG_EXTRA)).model_copy(update={"database_url": database_url})
    rt = await Runtime.open(config, FixedClock(NOW))
    try:
        response_id = await measure_with_concern(rt, dt.date(2026, 7, 20))
        async with rt.db.begin() as conn:
            file = await get_response_file(conn, response_id)
            assert file is not None
            await add_full_text_request(
                conn,
                file,
                exporter_id=1,
                contact_email="export@luyuan-cosmetics.example.com",
                language="zh",
                now=rt.now(),
            )
            assert await send_full_text_requests(rt, conn, response_id, actor=OFFICIAL) == 1
            assert await send_full_text_requests(rt, conn, response_id, actor=OFFICIAL) == 0
            assert all(
                r.sent_at is not None for r in await load_full_text_requests(conn, response_id=response_id)
            )
        await deliver_pending(rt)
        (mail,) = sent_to(config.delivery.outbox_dir, ENQUIRY)
        assert "全文索取" in str(mail["Subject"]) and SYMBOL in str(mail["Subject"])
    finally:
        await rt.close()
