"""Sending the zone's comment and companies' full-text requests to the national
enquiry point (``[zone] enquiry_point_email``), exactly once.

The approval, the outbox message and the status changes are written in ONE
transaction (the caller's): after its commit the message is in the outbox with
a stable idempotency key (``response-comment:<file>:v<version>``), and the
outbox's own guarantee takes over (``notifications.deliver``: each message sent
once, a crash mid-delivery settled at the next start). A crash before the
commit leaves nothing: the file is still ``drafting`` and the official approves
again; a crash after it leaves a pending message that the next delivery run
sends. Approving again is refused (the file is ``sent``), and even a replayed
request meets the existing key and adds nothing.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.message import Attachment, build_message, message_id_for
from notifications.render import render
from warning.exceptions import ResponseError, ResponseTransitionError
from warning.responses import attachments
from warning.responses.comment_doc import DOCX_TYPE, money
from warning.responses.companies_xlsx import XLSX_TYPE
from warning.responses.dossier import Dossier, load_dossier
from warning.responses.lifecycle import transition
from warning.runtime import Runtime
from warning.storage.concerns import mark_full_text_sent
from warning.storage.outbox import enqueue
from warning.storage.responses import add_document, add_event, get_response_file

COMMENT_KIND = "response-comment"
FULL_TEXT_KIND = "response-fulltext"


def _file_names(d: Dossier, version: int) -> tuple[str, str]:
    base = "".join(ch if ch.isalnum() else "-" for ch in d.symbol).strip("-")
    return f"{base}-comment-v{version}.docx", f"{base}-companies.xlsx"


def _enquiry_address(rt: Runtime) -> str:
    address = rt.config.zone.enquiry_point_email.strip()
    if not address:
        raise ResponseError("no_enquiry_email", "no enquiry point address: set [zone] enquiry_point_email")
    return address


def _comment_email(rt: Runtime, d: Dossier, version: int) -> tuple[str, str, str]:
    zone = rt.config.zone
    subject = f"评议意见：{d.symbol}（{zone.name_zh}）"
    paragraphs = [
        f"{zone.enquiry_point_name_zh or '国家咨询点'}：",
        f"{zone.name_zh}就 {d.symbol}《{d.title}》提交评议意见，请转交通报成员。"
        "评议意见（中英文）见附件 Word 文档，"
        "关切企业清单见附件电子表格。",
    ]
    facts = [
        ("通报号", d.symbol),
        ("标题", d.title),
        ("WTO评议截止日期", d.comment_deadline.isoformat() if d.comment_deadline else "未注明"),
        ("关切企业", str(len({c.concern.exporter_id for c in d.concerns}))),
        ("涉及出口额（年）", money(d.at_stake, "zh")),
        ("版本", str(version)),
    ]
    context = {
        "subject": subject,
        "lang": "zh",
        "paragraphs": paragraphs,
        "facts": facts,
        "link": None,
        "footer": f"{zone.name_zh}（{rt.config.delivery.sender}）",
    }
    return subject, render("response_staff.txt", context), render("response_staff.html", context)


async def approve_and_send(rt: Runtime, conn: AsyncConnection, response_id: int, *, actor: str) -> int:
    """Approve the file's latest draft and queue it to the enquiry point, in the
    caller's transaction: the file goes ``drafting -> approved -> sent`` (each
    step's companies' status emails queued by :func:`transition`), the comment
    document is kept in the file; returns the outbox message's id.

    Raises:
        ResponseTransitionError: the file is not ``drafting``/``approved`` (already
            sent, closed...), or has no draft.
        ResponseError: ``no_enquiry_email``.
    """
    address = _enquiry_address(rt)
    d = await load_dossier(conn, response_id)
    if d is None:
        raise ResponseTransitionError("no_file", f"no response file {response_id}", id=str(response_id))
    if d.file.status == "approved" and d.file.approved_version is not None:
        version = d.file.approved_version  # approved before (an earlier step): send that version
    else:
        if d.latest is None:
            raise ResponseTransitionError("no_draft", "no draft to approve: save one first")
        version = d.latest.version
        await transition(
            conn,
            response_id,
            "approved",
            actor=actor,
            now=rt.now(),
            config=rt.config,
            approved_version=version,
        )
    draft = d.draft(version)
    assert draft is not None
    docx = d.docx(draft, rt.config.zone.name_zh, rt.config.zone.name, rt.today())
    xlsx = d.xlsx()
    docx_name, xlsx_name = _file_names(d, version)
    subject, text, html = _comment_email(rt, d, version)
    key = f"{COMMENT_KIND}:{response_id}:v{version}"
    sender = rt.config.delivery.sender
    message = build_message(
        sender=sender,
        recipient=address,
        subject=subject,
        text=text,
        html=html,
        now=rt.now(),
        message_key=key,
        attachments=[Attachment(docx_name, docx, DOCX_TYPE), Attachment(xlsx_name, xlsx, XLSX_TYPE)],
    )
    outbox_id, _ = await enqueue(
        conn,
        idempotency_key=key,
        recipient=address,
        kind=COMMENT_KIND,
        subject=subject,
        message=message,
        exporter_id=None,
        now=rt.now(),
        message_id=message_id_for(key, sender),
    )
    approved = await get_response_file(conn, response_id)
    assert approved is not None
    folder = rt.config.responses.attachments_dir
    for name, data, kind_type in ((docx_name, docx, DOCX_TYPE), (xlsx_name, xlsx, XLSX_TYPE)):
        # Content-addressed: a rollback leaves at most an unreferenced file, never a wrong one.
        digest = attachments.store(folder, data)
        await add_document(
            conn,
            approved,
            kind="comment",
            filename=name,
            content_type=kind_type,
            size=len(data),
            sha256=digest,
            author=actor,
            now=rt.now(),
        )
    await transition(conn, response_id, "sent", actor=actor, now=rt.now(), config=rt.config)
    return outbox_id


async def send_full_text_requests(rt: Runtime, conn: AsyncConnection, response_id: int, *, actor: str) -> int:
    """Queue one email to the enquiry point asking for the measure's full text on
    behalf of the companies whose requests are not yet sent, and mark them sent
    (same transaction, key fixed by the requests' ids); returns how many requests it carried.

    Raises:
        ResponseError: ``no_enquiry_email``.
    """
    d = await load_dossier(conn, response_id)
    if d is None:
        raise ResponseTransitionError("no_file", f"no response file {response_id}", id=str(response_id))
    waiting = [r for r in d.requests if r.sent_at is None]
    if not waiting:
        return 0
    address = _enquiry_address(rt)
    zone = rt.config.zone
    companies = "、".join(dict.fromkeys(d.company(r.exporter_id) for r in waiting))
    subject = f"全文索取：{d.symbol}（{zone.name_zh}）"
    context = {
        "subject": subject,
        "lang": "zh",
        "paragraphs": [
            f"{zone.enquiry_point_name_zh or '国家咨询点'}：",
            f"本区企业请求获取 {d.symbol}《{d.title}》的全文，请协助向通报成员索取并回复本邮箱。",
        ],
        "facts": [
            ("通报号", d.symbol),
            ("通报成员", d.member_name),
            ("标题", d.title),
            ("请求企业", companies),
        ],
        "link": None,
        "footer": f"{zone.name_zh}（{rt.config.delivery.sender}）",
    }
    ids = ",".join(str(r.id) for r in waiting)
    key = f"{FULL_TEXT_KIND}:{response_id}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"
    sender = rt.config.delivery.sender
    message = build_message(
        sender=sender,
        recipient=address,
        subject=subject,
        text=render("response_staff.txt", context),
        html=render("response_staff.html", context),
        now=rt.now(),
        message_key=key,
    )
    await enqueue(
        conn,
        idempotency_key=key,
        recipient=address,
        kind=FULL_TEXT_KIND,
        subject=subject,
        message=message,
        exporter_id=None,
        now=rt.now(),
        message_id=message_id_for(key, sender),
    )
    await mark_full_text_sent(conn, [r.id for r in waiting], rt.now())
    await add_event(
        conn,
        response_id=response_id,
        notification_id=d.file.notification_id,
        actor=actor,
        action="full_text_sent",
        after=f"{len(waiting)} requests to {address}",
        now=rt.now(),
    )
    return len(waiting)
