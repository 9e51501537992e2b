"""The ``rss`` source: any RSS 2.0 or Atom feed (WTO documents, EU TRIS, enquiry points).

WTO symbols are found in an item's title, summary or link; an item without a
symbol is kept as another measure, identified by its link (``url:<link>``).
The feed is fetched with a conditional GET (ETag / Last-Modified kept in the
cursor), so an unchanged feed costs one 304.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import unquote

import feedparser

from feeds.base import DOCUMENT, FetchResult, ParseResult, SourceContext
from feeds.sample_record import notification_type
from feeds.text import html_page_reason, html_to_text, looks_like_html
from feeds.xml_guard import xml_problem
from warning.config import RssSourceConfig
from warning.exceptions import RecordError as RecordProblem
from warning.members import display_name, normalise_code
from warning.symbols import find_symbols
from warning.types import Notification, RawRecord, RecordError

OTHER_MEASURE = "Other measure (feed item)"
_ENCODING_PROBLEMS = (feedparser.CharacterEncodingOverride, feedparser.CharacterEncodingUnknown)


class RssSource:
    """One feed URL."""

    def __init__(self, config: RssSourceConfig, context: SourceContext) -> None:
        self.name = config.name
        self.config = config
        self.context = context

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        """GET the feed, conditionally.

        Raises:
            SourceError: the feed could not be fetched.
        """
        http = self.context.require_http(self.name)
        response = await http.get(
            self.config.url,
            headers={"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"},
            etag=cursor.get("etag"),
            last_modified=cursor.get("last_modified"),
        )
        if response.not_modified:
            return FetchResult([], cursor)
        content_type = response.content_type + (f"; charset={response.charset}" if response.charset else "")
        raw = RawRecord(self.name, self.config.url, response.body, content_type, self.context.clock.now())
        new_cursor = {
            k: v for k, v in (("etag", response.etag), ("last_modified", response.last_modified)) if v
        }
        return FetchResult([raw], new_cursor)

    def parse(self, raw: RawRecord) -> ParseResult:
        """The feed's items; a feed that is not one (HTML, bad XML, bad encoding) is refused
        whole, and so is hostile XML (entity declarations, deep nesting: :mod:`feeds.xml_guard`)."""
        parsed = None
        problem = html_problem(raw) or xml_problem(raw.payload, raw.content_type)
        if problem is None:
            parsed = feedparser.parse(raw.payload, response_headers={"content-type": raw.content_type})
            problem = feed_problem(parsed)
        if problem is not None or parsed is None:
            reason = problem or "not a feed"
            return [RecordError(self.name, DOCUMENT, reason, raw.payload[:2000].decode("utf-8", "replace"))]
        results: ParseResult = []
        for number, entry in enumerate(parsed.entries, start=1):
            try:
                results.append(self.notification(entry))
            except RecordProblem as exc:
                fields = ("id", "title", "link", "published", "updated")
                raw_text = str({k: dict.get(entry, k) for k in fields})
                results.append(RecordError(self.name, f"item {number}", str(exc), raw_text))
        return results

    def notification(self, entry: Any) -> Notification:
        """Convert one feed entry.

        Raises:
            RecordError: no symbol and no link, or an unreadable date.
        """
        title = html_to_text(entry.get("title") or "")
        summary = html_to_text(entry.get("summary") or "")
        link = (entry.get("link") or "").strip()
        symbols = find_symbols(f"{title}\n{summary}\n{unquote(link)}")
        if not symbols and not link:
            raise RecordProblem("no WTO symbol and no link to identify the item by")
        key = symbols[0].text if symbols else f"url:{link}"
        members = tuple(dict.fromkeys(normalise_code(s.member) for s in symbols if s.member))
        if not members and self.config.member:
            members = (normalise_code(self.config.member),)
        if not title and not summary:
            raise RecordProblem("field 'title': missing, and no summary to name the measure")
        return Notification(
            key=key,
            symbols=symbols,
            area=symbols[0].area if symbols else self.config.area,
            member_codes=members,
            member_name=display_name(members[0], "en") if members else "",
            notification_type=notification_type(symbols) if symbols else OTHER_MEASURE,
            title=title or (summary[:160] + ("…" if len(summary) > 160 else "")),
            description=summary,
            distribution_date=entry_date(entry),
            links=(link,) if link else (),
            language=self.config.language,
            source_name=self.name,
            source_id=str(entry.get("id") or link or key),
        )


def entry_date(entry: Any) -> dt.date | None:
    """The published (else updated) date of an entry.

    Raises:
        RecordError: the entry has a date feedparser could not read.
    """
    for field in ("published", "updated"):
        # dict.get: FeedParserDict's own get maps absent keys onto others (with a warning).
        text = dict.get(entry, field)
        parsed: time.struct_time | None = dict.get(entry, f"{field}_parsed")
        if parsed is not None:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        if text:
            raise RecordProblem(f"field {field!r}: not a date: {text!r}")
    return None


def html_problem(raw: RawRecord) -> str | None:
    """Why a payload is an HTML page rather than a feed, or ``None``."""
    if looks_like_html(raw.payload):
        return html_page_reason(raw.payload, raw.content_type.split(";")[0].strip(), "an RSS or Atom feed")
    return None


def feed_problem(parsed: Any) -> str | None:
    """Why feedparser's result is not a readable feed (bad XML, wrong encoding), or ``None``."""
    if not parsed.bozo:
        return None if parsed.version else "not an RSS or Atom feed"
    exc = parsed.bozo_exception
    if isinstance(exc, _ENCODING_PROBLEMS):
        return f"wrong encoding: {exc}"
    if isinstance(exc, feedparser.NonXMLContentType) and parsed.version:
        return None  # a feed served as text/plain is still a feed
    line = getattr(exc, "getLineNumber", lambda: None)()
    where = f" at line {line}" if line else ""
    return f"bad XML{where}: {getattr(exc, 'getMessage', lambda: str(exc))()}"
