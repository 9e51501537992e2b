"""Helpers shared by the parsers: HTML to plain text, payload sniffing, decoding."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from warning.exceptions import RecordError

_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"}
_SKIP_TAGS = {"script", "style"}
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on lines.

    Feed text is untrusted; what comes out is text to be escaped where shown,
    never markup to be rendered.
    """
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def looks_like_html(payload: bytes) -> bool:
    """True when a payload is an HTML page (an error page served instead of data)."""
    head = payload[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]


def html_page_reason(payload: bytes, content_type: str, expected: str) -> str:
    """A quarantine reason for an HTML page received instead of ``expected``."""
    match = _TITLE_RE.search(payload[:4096])
    title = html_to_text(match.group(1).decode("utf-8", "replace"))[:120] if match else ""
    shown = f": {title!r}" if title else ""
    media_type = content_type.split(";")[0].strip() or "no content type"
    return f"expected {expected}, got an HTML page ({media_type}){shown}"


def decode_utf8(payload: bytes, what: str) -> str:
    """Decode UTF-8 text (a BOM is dropped).

    Raises:
        RecordError: naming the first bad byte's offset.
    """
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"wrong encoding: {what} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
