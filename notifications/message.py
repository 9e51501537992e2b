"""Building the MIME message of an email."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.header import Header
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr


@dataclass(frozen=True)
class InlineImage:
    """An image shown in the HTML part as ``<img src="cid:{cid}">``."""

    cid: str
    data: bytes
    subtype: str = "png"


def message_id_for(key: str, sender: str) -> str:
    """A Message-ID fixed by the idempotency key, so a re-delivery is recognisable."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    now: dt.datetime,
    message_key: str,
    unsubscribe_url: str | None = None,
    images: Sequence[InlineImage] = (),
) -> MIMEMultipart:
    """A multipart/alternative message (text, then HTML with any inline images).

    ``message_key`` makes the Message-ID stable for the same email. With an
    ``unsubscribe_url`` the message carries RFC 8058 one-click headers.
    """
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(text, "plain", "utf-8"))
    html_part = MIMEText(html, "html", "utf-8")
    if images:
        related = MIMEMultipart("related")
        related.attach(html_part)
        for image in images:
            part = MIMEImage(image.data, image.subtype)
            part["Content-ID"] = f"<{image.cid}>"
            part["Content-Disposition"] = f'inline; filename="{image.cid}.{image.subtype}"'
            related.attach(part)
        alternative.attach(related)
    else:
        alternative.attach(html_part)
    alternative["From"] = formataddr(parseaddr(sender), "utf-8")
    alternative["To"] = recipient
    alternative["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    alternative["Date"] = format_datetime(now)
    alternative["Message-ID"] = message_id_for(message_key, sender)
    if unsubscribe_url:
        alternative["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        alternative["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return alternative
