"""The emails companies get about their concerns: a receipt, then one at each status change.

Each goes to every active contact of the companies that raised a concern or
asked for the full text, in that contact's language, through the outbox. The
idempotency keys make each email once: ``concern-receipt:<concern id>:<email>``
and ``response-status:<file id>:<status>:<n>:<email>``, where ``n`` counts the
times the file entered that status (a comment approved, sent back to drafting
and approved again tells the companies twice, a repeated call never does).
:func:`warning.responses.lifecycle.transition` calls :func:`queue_status_emails`
itself: the staff side changes statuses through it and never calls this directly.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncConnection

from notifications.links import NOTIFICATION_PAGE
from notifications.message import build_message, message_id_for
from notifications.plain import display_text
from warning.config import Config
from warning.storage.concerns import load_concerns, load_full_text_requests
from warning.storage.notifications import load_notifications
from warning.storage.outbox import NewMessage, enqueue_many
from warning.storage.responses import get_response_file, status_entries
from warning.storage.schema import notifications
from warning.storage.subscriptions import load_subscriptions
from warning.symbols import reference
from warning.tokens import service_signer
from warning.types import ResponseStatus

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "receipt_subject": "We received your concern about {symbol}",
        "receipt_body": (
            "Thank you: the zone's trade office received {company}'s concern about {symbol} ({title}).\n\n"
            "Officials read every concern and may include it in the zone's comment to the national enquiry "
            "point{by}. We will email you at each step.\n\nYour concerns and their status: {url}"
        ),
        "by": ", which must receive comments by {date}",
        "status_subject": "{symbol}: {status}",
        "status_body": "{what}\n\nMeasure: {symbol} ({title}).\n\nYour concerns and their status: {url}",
        "drafting": "The zone's comment on this measure is being written, with your concern.",
        "approved": "An official approved the zone's comment on this measure; it goes to the national "
        "enquiry point next.",
        "sent": "The zone's comment on this measure was sent to the national enquiry point, which "
        "forwards it to the notifying member.",
        "answered": "The notifying member answered the comments on this measure; the trade office will tell "
        "you what it means for you.",
        "closed": "The trade office closed this measure's file. The reason: {reason}",
        "open": "The trade office reopened this measure's file.",
        "subject_drafting": "comment being written",
        "subject_approved": "comment approved",
        "subject_sent": "comment sent to the enquiry point",
        "subject_answered": "the notifying member answered",
        "subject_closed": "file closed",
        "subject_open": "file reopened",
    },
    "zh": {
        "receipt_subject": "已收到贵司关于{symbol}的评议意见",
        "receipt_body": (
            "感谢：区贸易主管部门已收到{company}关于{symbol}（{title}）的评议意见。\n\n"
            "主管部门会阅读每一条意见，并可能将其纳入本区提交国家咨询点的评议意见{by}。"
            "每一步进展我们都会邮件告知。\n\n贵司的意见及其进展：{url}"
        ),
        "by": "（国家咨询点收件截止日：{date}）",
        "status_subject": "{symbol}：{status}",
        "status_body": "{what}\n\n措施：{symbol}（{title}）。\n\n贵司的意见及其进展：{url}",
        "drafting": "本区正在撰写对该措施的评议意见，已纳入贵司的意见。",
        "approved": "主管部门已批准本区对该措施的评议意见，下一步将提交国家咨询点。",
        "sent": "本区对该措施的评议意见已提交国家咨询点，由其转交通报成员。",
        "answered": "通报成员已就该措施的评议意见作出答复；贸易主管部门将告知对贵司的影响。",
        "closed": "贸易主管部门已关闭该措施的评议档案。原因：{reason}",
        "open": "贸易主管部门已重新开启该措施的评议档案。",
        "subject_drafting": "评议意见撰写中",
        "subject_approved": "评议意见已批准",
        "subject_sent": "评议意见已提交国家咨询点",
        "subject_answered": "通报成员已答复",
        "subject_closed": "档案已关闭",
        "subject_open": "档案已重新开启",
    },
}


@dataclass(frozen=True)
class Contact:
    email: str
    language: str
    exporter_id: int
    company: str


async def company_contacts(conn: AsyncConnection, exporter_ids: set[int]) -> list[Contact]:
    """Active contacts of these companies, one per address (the first company's), by address."""
    seen: dict[str, Contact] = {}
    for s in await load_subscriptions(conn):
        if s.exporter_id in exporter_ids and s.subscription.email not in seen:
            sub = s.subscription
            seen[sub.email] = Contact(sub.email, sub.language, s.exporter_id, sub.exporter)
    return [seen[k] for k in sorted(seen)]


async def _measure(conn: AsyncConnection, notification_id: int, language: str) -> tuple[str, str]:
    """(symbol, short title) of the measure."""
    found = await load_notifications(conn, notifications.c.id == notification_id)
    if not found:
        return str(notification_id), ""
    n = found[0][1]
    title = " ".join(display_text(n, "title", language).text.split())
    return (n.symbols[0].text if n.symbols else reference(n.key)), (
        title[:100] + "…" if len(title) > 100 else title
    )


#: The links these emails carry (the contact's signed "my concerns" page).
_URL = re.compile(r"https?://[^\s<>\"']+")


def _linked(text: str) -> str:
    """Escaped text with its web addresses as links (the HTML part's only markup)."""
    out, last = [], 0
    for m in _URL.finditer(text):
        url = m.group(0)
        out += [html.escape(text[last : m.start()]), f'<a href="{html.escape(url)}">{html.escape(url)}</a>']
        last = m.end()
    return "".join([*out, html.escape(text[last:])])


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{_linked(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
    return f'<!doctype html><html><body style="font-family:sans-serif">{paragraphs}</body></html>'


def _message(
    config: Config, key: str, contact: Contact, exporter_id: int, subject: str, text: str, now: dt.datetime
) -> NewMessage:
    sender = config.delivery.sender
    body = build_message(
        sender=sender,
        recipient=contact.email,
        subject=subject,
        text=text + "\n",
        html=_html(text),
        now=now,
        message_key=key,
    )
    kind = key.split(":", 1)[0]
    return NewMessage(key, contact.email, kind, subject, body, exporter_id, message_id_for(key, sender))


def concerns_url(config: Config, email: str, language: str, now: dt.datetime) -> str:
    """The contact's "My concerns" page, signed for them as the notification-page links are
    (it opens without an account, for ``[digest] link_valid_days``)."""
    signer = service_signer(config.base_dir / "var", now)
    expires = now + dt.timedelta(days=config.digest.link_valid_days)
    token = signer.sign(NOTIFICATION_PAGE, {"e": email, "l": language}, expires)
    return f"{config.zone.base_url.rstrip('/')}/exporter/concerns?token={quote(token)}"


async def queue_concern_receipt(
    conn: AsyncConnection,
    concern_id: int,
    *,
    contact_email: str,
    language: str,
    exporter_id: int,
    company: str,
    notification_id: int,
    enquiry_date: dt.date | None,
    now: dt.datetime,
    config: Config,
) -> bool:
    """Queue the receipt of a concern to the contact who raised it; whether it was new."""
    t = TEXTS["zh" if language == "zh" else "en"]
    symbol, title = await _measure(conn, notification_id, language)
    by = t["by"].format(date=enquiry_date.isoformat()) if enquiry_date else ""
    text = t["receipt_body"].format(
        company=company,
        symbol=symbol,
        title=title,
        by=by,
        url=concerns_url(config, contact_email, language, now),
    )
    contact = Contact(contact_email, language, exporter_id, company)
    key = f"concern-receipt:{concern_id}:{contact_email}"
    message = _message(
        config, key, contact, exporter_id, t["receipt_subject"].format(symbol=symbol), text, now
    )
    ((_, created),) = await enqueue_many(conn, [message], now)
    return created


async def queue_status_emails(
    conn: AsyncConnection, response_id: int, new_status: ResponseStatus, now: dt.datetime, config: Config
) -> int:
    """Queue the status email of the file's latest entry into ``new_status`` to every contact
    of the companies concerned; the number of emails newly queued (0 when already queued)."""
    file = await get_response_file(conn, response_id)
    if file is None:
        return 0
    exporter_ids = {c.concern.exporter_id for c in await load_concerns(conn, response_id=response_id)}
    exporter_ids |= {r.exporter_id for r in await load_full_text_requests(conn, response_id=response_id)}
    n = await status_entries(conn, response_id, new_status)
    messages = []
    for contact in await company_contacts(conn, exporter_ids):
        t = TEXTS["zh" if contact.language == "zh" else "en"]
        symbol, title = await _measure(conn, file.notification_id, contact.language)
        what = t[new_status].format(reason=file.closed_reason)
        subject = t["status_subject"].format(symbol=symbol, status=t[f"subject_{new_status}"])
        url = concerns_url(config, contact.email, contact.language, now)
        text = t["status_body"].format(what=what, symbol=symbol, title=title, url=url)
        key = f"response-status:{response_id}:{new_status}:{n}:{contact.email}"
        messages.append(_message(config, key, contact, contact.exporter_id, subject, text, now))
    stored = await enqueue_many(conn, messages, now)
    return sum(1 for _, created in stored if created)
