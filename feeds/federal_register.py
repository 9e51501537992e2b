"""The ``federal_register`` source: US proposed rules, early signals of TBT measures.

``GET https://www.federalregister.gov/api/v1/documents.json`` (no key) with
``conditions[type][]=PRORULE``, the configured agencies or search terms, and
``conditions[publication_date][gte]``; pages are followed through
``next_page_url``. A proposed rule is stored as a notification without WTO
symbols, keyed ``fr:<document_number>``; the collector links it to a later
WTO notification of the same measure (``warning/storage/links.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from yarl import URL

from feeds.base import DOCUMENT, FetchResult, ParseResult, SourceContext
from feeds.json_depth import loads_bounded, too_deep, too_deep_reason
from feeds.sample_record import parse_date
from feeds.text import decode_utf8, html_page_reason, html_to_text, looks_like_html
from warning.config import FederalRegisterSourceConfig
from warning.exceptions import RecordError as RecordProblem
from warning.exceptions import SourceError
from warning.types import Notification, RawRecord, RecordError

NOTIFICATION_TYPE = "Proposed rule (US Federal Register)"
FIELDS = (
    "document_number",
    "title",
    "abstract",
    "agencies",
    "publication_date",
    "comments_close_on",
    "effective_on",
    "html_url",
    "cfr_references",
    "docket_ids",
)
#: A safety stop on ``next_page_url`` chains.
MAX_PAGES = 500


class FederalRegisterSource:
    """Proposed rules of the configured agencies, or matching the configured terms."""

    def __init__(self, config: FederalRegisterSourceConfig, context: SourceContext) -> None:
        self.name = config.name
        self.config = config
        self.context = context

    def _queries(self, since: dt.date) -> list[list[tuple[str, str]]]:
        base = [
            ("conditions[type][]", "PRORULE"),
            ("conditions[publication_date][gte]", since.isoformat()),
            ("per_page", str(self.config.page_size)),
            ("order", "oldest"),
            *(("fields[]", f) for f in FIELDS),
            *(("conditions[agencies][]", a) for a in self.config.agencies),
        ]
        return [[*base, ("conditions[term]", term)] for term in self.config.terms] or [base]

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        """Every page of every query since the last publication date seen.

        Raises:
            SourceError: the first page of a query could not be fetched.
        """
        today = self.context.clock.now().date()
        latest = cursor.get("latest_publication_date")
        since = (
            dt.date.fromisoformat(latest) - dt.timedelta(days=1)
            if isinstance(latest, str)
            else today - dt.timedelta(days=self.config.backfill_days)
        )
        raws: list[RawRecord] = []
        errors: list[str] = []
        for query in self._queries(since):
            error = await self._follow(URL(self.config.url).with_query(query), raws)
            if error:
                errors.append(error)
        if errors:
            return FetchResult(raws, cursor, error="; ".join(errors))
        dates = [d for raw in raws for d in _publication_dates(raw.payload)]
        new_cursor = dict(cursor)
        if dates:
            new_cursor["latest_publication_date"] = max(max(dates), str(latest or ""))
        return FetchResult(raws, new_cursor)

    async def _follow(self, url: URL, raws: list[RawRecord]) -> str | None:
        """Fetch ``url`` and its ``next_page_url`` chain into ``raws``; the error, if one stopped it."""
        http = self.context.require_http(self.name)
        origin = url.origin()
        for page in range(1, MAX_PAGES + 1):
            try:
                response = await http.get(str(url))
            except SourceError as exc:
                if page == 1 and not raws:
                    raise
                return f"page {page}: {exc}"
            content_type = response.content_type + (
                f"; charset={response.charset}" if response.charset else ""
            )
            raws.append(RawRecord(self.name, str(url), response.body, content_type, self.context.clock.now()))
            try:
                next_url = _next_page(response.body)
            except RecordProblem as exc:
                return f"page {page}: {exc}"
            if next_url is None:
                return None
            url = URL(next_url)
            if url.origin() != origin:
                # Never follow a payload to another host.
                return f"page {page}: next_page_url {next_url!r} leaves {origin}"
        return f"more than {MAX_PAGES} pages"

    def parse(self, raw: RawRecord) -> ParseResult:
        """One page of results: each a notification or an error naming the document."""
        try:
            data = _envelope(raw.payload, raw.content_type)
        except RecordProblem as exc:
            return [RecordError(self.name, DOCUMENT, str(exc), raw.payload[:2000].decode("utf-8", "replace"))]
        results: ParseResult = []
        for number, item in enumerate(data["results"], start=1):
            try:
                if too_deep(item):
                    raise RecordProblem(too_deep_reason())
                results.append(notification_from_fr(item, self.name))
            except RecordProblem as exc:
                results.append(RecordError(self.name, f"result {number}", str(exc), json.dumps(item)))
        return results


def _envelope(payload: bytes, content_type: str = "application/json") -> dict[str, Any]:
    if looks_like_html(payload):
        raise RecordProblem(html_page_reason(payload, content_type, "JSON"))
    try:
        data = loads_bounded(decode_utf8(payload, "the page"))
    except json.JSONDecodeError as exc:
        raise RecordProblem(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise RecordProblem("not a Federal Register result page: expected a JSON object")
    if not isinstance(data.get("results", []), list):
        raise RecordProblem("not a Federal Register result page: 'results' is not a list")
    data.setdefault("results", [])  # an empty search has no 'results' key
    return data


def _next_page(payload: bytes) -> str | None:
    value = _envelope(payload).get("next_page_url")
    return value if isinstance(value, str) and value else None


def _publication_dates(payload: bytes) -> list[str]:
    try:
        results = _envelope(payload)["results"]
    except RecordProblem:
        return []
    return [
        r["publication_date"]
        for r in results
        if isinstance(r, dict) and isinstance(r.get("publication_date"), str)
    ]


def cfr_text(references: Any) -> list[str]:
    """``16 CFR 1112`` for each CFR reference given as ``{title, part}``."""
    out = []
    for ref in references or []:
        if isinstance(ref, dict) and ref.get("title") and ref.get("part"):
            out.append(f"{ref['title']} CFR {ref['part']}")
    return out


def notification_from_fr(item: Any, source_name: str) -> Notification:
    """Convert one Federal Register document.

    Raises:
        RecordError: naming the field at fault.
    """
    if not isinstance(item, dict):
        raise RecordProblem(f"expected a JSON object, got {type(item).__name__}")
    number = str(item.get("document_number") or "").strip()
    if not number:
        raise RecordProblem("field 'document_number': missing")
    title = html_to_text(str(item.get("title") or ""))
    if not title:
        raise RecordProblem("field 'title': missing")
    abstract = html_to_text(str(item.get("abstract") or ""))
    # The CFR parts and dockets are what a later WTO notification cites:
    # kept in the text so readers (and the linker) see them.
    refs = cfr_text(item.get("cfr_references"))
    dockets = [d for d in item.get("docket_ids") or [] if isinstance(d, str)]
    tail = "; ".join(p for p in (", ".join(refs), ", ".join(f"Docket {d}" for d in dockets)) if p)
    agencies = [str(a["name"]) for a in item.get("agencies") or [] if isinstance(a, dict) and a.get("name")]
    url = str(item.get("html_url") or "").strip()
    return Notification(
        key=f"fr:{number}",
        symbols=(),
        area="TBT",
        member_codes=("USA",),
        member_name="United States of America" + (f" ({'; '.join(agencies)})" if agencies else ""),
        notification_type=NOTIFICATION_TYPE,
        title=title,
        description=f"{abstract}\n\nFR Doc. {number}" + (f"; {tail}" if tail else ""),
        distribution_date=parse_date(item.get("publication_date"), "publication_date"),
        comment_deadline=parse_date(item.get("comments_close_on"), "comments_close_on"),
        proposed_entry_into_force_date=parse_date(item.get("effective_on"), "effective_on"),
        links=(url,) if url else (),
        language="en",
        source_name=source_name,
        source_id=number,
    )
