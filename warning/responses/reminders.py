"""Reminders of response deadlines: 10, 5 and 2 days before the enquiry-point
date (the WTO comment deadline less ``[warning] enquiry_point_days``), for
measures with open concerns and no comment sent, to the person assigned and
the officials, through the outbox.

Each reminder goes once: its idempotency key is the response file, the
threshold and the address, so the daily job may run any number of times (or
be missed for a few days: the most urgent threshold reached is sent, the
earlier ones are not sent late).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from notifications.message import build_message, message_id_for
from notifications.render import render
from warning.runtime import Runtime
from warning.storage.outbox import NewMessage, enqueue_many

#: Days before the enquiry-point date at which a reminder goes.
THRESHOLDS: tuple[int, ...] = (10, 5, 2)
KIND = "response-reminder"


@dataclass(frozen=True)
class ReminderCase:
    """A response file as the reminders see it."""

    response_id: int
    symbol: str
    title: str
    enquiry_date: dt.date
    open_concerns: int
    comment_sent: bool
    assignee_name: str
    assignee_email: str
    #: The staff page of the response file.
    url: str


def threshold_due(enquiry_date: dt.date, today: dt.date) -> int | None:
    """The reminder threshold reached today: the smallest of :data:`THRESHOLDS`
    at or above the days left; None when more than 10 days are left or the date has passed."""
    left = (enquiry_date - today).days
    if left < 0:
        return None
    reached = [t for t in THRESHOLDS if t >= left]
    return min(reached) if reached else None


def due_reminders(cases: Sequence[ReminderCase], today: dt.date) -> list[tuple[ReminderCase, int]]:
    """The cases to remind today with their threshold: open concerns, no comment sent."""
    out = []
    for case in cases:
        if case.comment_sent or case.open_concerns == 0:
            continue
        threshold = threshold_due(case.enquiry_date, today)
        if threshold is not None:
            out.append((case, threshold))
    return out


def reminder_email(case: ReminderCase, today: dt.date, zone_zh: str) -> tuple[str, str, str]:
    """Subject, text and HTML of a reminder (in Chinese: the zone's staff and officials)."""
    left = (case.enquiry_date - today).days
    subject = f"评议提醒：{case.symbol} 距国家咨询点截止还有 {left} 天，评议意见尚未发送"
    paragraphs = [
        f"{case.symbol} 有 {case.open_concerns} 项企业关切，本区的评议意见尚未发送给国家咨询点。",
        f"评议意见须在 {case.enquiry_date.isoformat()} 前送达国家咨询点（还有 {left} 天）："
        "请起草、审批并发送。",
    ]
    facts = [
        ("通报号", case.symbol),
        ("标题", case.title),
        ("国家咨询点截止", case.enquiry_date.isoformat()),
        ("负责人", f"{case.assignee_name} <{case.assignee_email}>" if case.assignee_email else "未指派"),
    ]
    context = {
        "subject": subject,
        "lang": "zh",
        "paragraphs": paragraphs,
        "facts": facts,
        "link": (case.url, "打开应对档案"),
        "footer": f"{zone_zh} TBT 预警服务",
    }
    return subject, render("response_staff.txt", context), render("response_staff.html", context)


def reminder_messages(
    rt: Runtime, due: Sequence[tuple[ReminderCase, int]], today: dt.date
) -> list[NewMessage]:
    """One message per reminder and recipient (the assignee, then each official)."""
    sender = rt.config.delivery.sender
    out = []
    for case, threshold in due:
        subject, text, html = reminder_email(case, today, rt.config.zone.name_zh)
        recipients = [case.assignee_email] if case.assignee_email else []
        recipients += [o for o in rt.config.digest.officials if o not in recipients]
        for address in recipients:
            key = f"{KIND}:{case.response_id}:{threshold}:{address}"
            message = build_message(
                sender=sender,
                recipient=address,
                subject=subject,
                text=text,
                html=html,
                now=rt.now(),
                message_key=key,
            )
            out.append(NewMessage(key, address, KIND, subject, message, None, message_id_for(key, sender)))
    return out


async def compose_reminders(rt: Runtime) -> int:
    """Queue today's reminders (each at most once); returns how many messages are new."""
    from warning.storage.response_queue import NOT_SENT, queue_rows

    today = rt.today()
    base = rt.config.zone.base_url.rstrip("/")
    async with rt.db.begin() as conn:
        rows = await queue_rows(conn, statuses=NOT_SENT)
        cases = [
            ReminderCase(
                r.response_id,
                r.symbol,
                r.title,
                r.enquiry_date,
                r.concerns,
                False,
                r.assigned_name,
                r.assigned_email,
                f"{base}/responses/{r.response_id}",
            )
            for r in rows
            if r.enquiry_date is not None
        ]
        messages = reminder_messages(rt, due_reminders(cases, today), today)
        found = await enqueue_many(conn, messages, rt.now()) if messages else []
    return sum(1 for _, created in found if created)
