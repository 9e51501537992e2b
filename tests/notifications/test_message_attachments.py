"""Attachments on an outgoing email: parsed back by the standard library,
the body parts intact, non-ASCII file names preserved (RFC 2231)."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

from notifications.message import Attachment, build_message

NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


def _build(attachments: list[Attachment]) -> email.message.EmailMessage:
    data = build_message(
        sender="TBT <tbt@zone.example>",
        recipient="enquiry@point.example",
        subject="评议意见 G/TBT/N/EU/1100",
        text="plain body",
        html="<p>html body</p>",
        now=NOW,
        message_key="comment-1",
        attachments=attachments,
    )
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_attachments_round_trip_with_the_bodies_intact() -> None:
    docx = b"PK\x03\x04" + bytes(range(256)) * 40
    parsed = _build(
        [
            Attachment("评议意见-EU-1100.docx", docx, "application/vnd.openxmlformats-officedocument"),
            Attachment("companies.xlsx", b"PK\x03\x04xlsx", "application/octet-stream"),
        ]
    )
    assert parsed.get_content_type() == "multipart/mixed"
    found = {part.get_filename(): part.get_content() for part in parsed.iter_attachments()}
    assert found == {"评议意见-EU-1100.docx": docx, "companies.xlsx": b"PK\x03\x04xlsx"}
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content().strip() == "plain body"
    html = parsed.get_body(("html",))
    assert html is not None and "html body" in html.get_content()


def test_without_attachments_the_message_stays_alternative() -> None:
    assert _build([]).get_content_type() == "multipart/alternative"


def test_a_hostile_file_name_cannot_break_the_header() -> None:
    parsed = _build([Attachment('a"\r\nBcc: x@evil.example\r\n.pdf', b"%PDF-1.4", "application/pdf")])
    assert parsed["Bcc"] is None
    (part,) = parsed.iter_attachments()
    assert part.get_content() == b"%PDF-1.4"
