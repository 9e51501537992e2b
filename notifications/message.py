"""Building the MIME message of an email, as the bytes that go on the wire.

The structure is always the same (multipart/alternative: text, then HTML,
the HTML optionally in multipart/related with inline images), so it is
written directly: the standard library's generic generator was most of the
cost of rendering 10,000 digests. Bodies are base64 (UTF-8), lines end in
CRLF, and every header is ASCII (RFC 2047 encoded words where needed).
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache, lru_cache
from urllib.parse import quote

from warning.safe_text import strip_controls

CRLF = b"\r\n"


@dataclass(frozen=True)
class InlineImage:
    """An image shown in the HTML part as ``<img src="cid:{cid}">``."""

    cid: str
    data: bytes
    subtype: str = "png"


@dataclass(frozen=True)
class Attachment:
    """A file attached to the message (``Content-Disposition: attachment``)."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


def _attachment_part(a: Attachment) -> bytes:
    """An attachment part; a non-ASCII file name is written as RFC 2231 says
    (``filename*=utf-8''...``), as the standard library writes it."""
    name = " ".join(strip_controls(a.filename).split()).replace('"', "") or "attachment"
    if name.isascii():
        disposition = f'Content-Disposition: attachment; filename="{name}"'
    else:
        disposition = f"Content-Disposition: attachment; filename*=utf-8''{quote(name, safe='')}"
    return _part(a.content_type, a.data, [disposition])


@cache
def _sender(sender: str) -> tuple[str, str]:
    """The From header and the Message-ID domain of a configured sender (parsed once)."""
    name, address = parseaddr(sender)
    return formataddr((name, address), "utf-8"), address.rpartition("@")[2] or "localhost"


def message_id_for(key: str, sender: str) -> str:
    """A Message-ID fixed by the idempotency key, so a re-delivery is recognisable."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{_sender(sender)[1]}>"


@lru_cache(maxsize=1024)  # subjects repeat across thousands of digests
def _header_text(value: str) -> str:
    """A header value safe on the wire: one line, RFC 2047 encoded if not ASCII."""
    # Feed text may hold CR/LF (no header injection) and other control characters.
    value = " ".join(strip_controls(value).split())
    return value if value.isascii() else Header(value, "utf-8").encode()


def _b64(data: bytes) -> bytes:
    """Base64 in 76-character CRLF lines, as ``base64.encodebytes`` writes them
    (one encoding of the whole body, then cut: not one call per line)."""
    if not data:
        return b""
    full = binascii.b2a_base64(data, newline=False)
    return CRLF.join([full[i : i + 76] for i in range(0, len(full), 76)]) + CRLF


def _part(content_type: str, body: bytes, extra: Sequence[str] = ()) -> bytes:
    head = [f"Content-Type: {content_type}", "Content-Transfer-Encoding: base64", *extra]
    return "\r\n".join(head).encode() + CRLF + CRLF + _b64(body)


def _multipart(subtype: str, boundary: str, parts: Sequence[bytes]) -> bytes:
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"'.encode(), CRLF, CRLF]
    for part in parts:
        out += [b"--", boundary.encode(), CRLF, part, CRLF]
    out += [b"--", boundary.encode(), b"--", CRLF]
    return b"".join(out)


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
    attachments: Sequence[Attachment] = (),
) -> bytes:
    """A multipart/alternative message (text, then HTML with any inline images),
    inside multipart/mixed with the ``attachments`` when there are any.

    ``message_key`` makes the Message-ID (and the MIME boundaries) stable for
    the same email. With an ``unsubscribe_url`` the message carries RFC 8058
    one-click headers.
    """
    # Base64 never contains "_", so these boundaries cannot occur in a body.
    tag = hashlib.sha256(message_key.encode()).hexdigest()[:24]
    html_part = _part('text/html; charset="utf-8"', html.encode())
    if images:
        inline = [
            _part(
                f"image/{i.subtype}",
                i.data,
                [f"Content-ID: <{i.cid}>", f'Content-Disposition: inline; filename="{i.cid}.{i.subtype}"'],
            )
            for i in images
        ]
        html_part = _multipart("related", f"=_rel_{tag}", [html_part, *inline])
    headers = [
        f"From: {_sender(sender)[0]}",
        f"To: {recipient}",
        f"Subject: {_header_text(subject)}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: {message_id_for(message_key, sender)}",
        "MIME-Version: 1.0",
    ]
    if unsubscribe_url:
        headers += [
            f"List-Unsubscribe: <{unsubscribe_url}>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        ]
    body = _multipart(
        "alternative", f"=_alt_{tag}", [_part('text/plain; charset="utf-8"', text.encode()), html_part]
    )
    if attachments:
        body = _multipart("mixed", f"=_mix_{tag}", [body, *(_attachment_part(a) for a in attachments)])
    return "\r\n".join(headers).encode() + CRLF + body
