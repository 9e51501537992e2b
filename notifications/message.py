"""Building the MIME message of an email."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.message import EmailMessage
from email.utils import format_datetime


def build_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    now: dt.datetime,
    message_key: str,
) -> EmailMessage:
    """A multipart/alternative message with a text and an HTML part.

    ``message_key`` makes the Message-ID stable for the same email, so a
    re-delivery after a crash can be recognised by the receiver.
    """
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    domain = sender.rsplit("@", 1)[-1].rstrip(">") or "localhost"
    digest = hashlib.sha256(message_key.encode()).hexdigest()[:32]
    msg["Message-ID"] = f"<{digest}@{domain}>"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg
