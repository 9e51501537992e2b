"""The ``eping`` source: the WTO ePing notifications search API.

``GET {url}?language=1&page=N&pageSize=M&distributionDateFrom=...&distributionDateTo=...``
with the ``Ocp-Apim-Subscription-Key`` header; envelope ``{"items": [...], "totalCount": N}``.
Field names are in ``shared/data/eping/FIELDS.md``. Each page is one raw payload.

Incremental: the cursor keeps the latest distribution date seen; the next run
asks from the day before it (a day of overlap), and a first run reaches back
``backfill_days``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import os
import re
from dataclasses import replace
from typing import Any

from yarl import URL

from feeds.base import DOCUMENT, FetchResult, ParseResult, SourceContext
from feeds.http import HttpResponse
from feeds.json_depth import loads_bounded, too_deep, too_deep_reason
from feeds.sample_record import notification_from_sample
from feeds.text import decode_utf8, html_page_reason, html_to_text, looks_like_html
from warning.config import EpingSourceConfig
from warning.exceptions import RecordError as RecordProblem
from warning.exceptions import SourceError
from warning.types import Notification, RawRecord, RecordError

#: A safety stop: more pages than this in one run is a paging bug, not data.
MAX_PAGES = 2000
_LINK_SPLIT = re.compile(r"[\s,;]+")
_HS_DIGITS = re.compile(r"\D")


class EpingSource:
    """Pages through ePing search results for the configured window and filters."""

    def __init__(self, config: EpingSourceConfig, context: SourceContext) -> None:
        self.name = config.name
        self.config = config
        self.context = context

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        env = self.config.api_key_env
        if env:
            key = os.environ.get(env)
            if not key:
                raise SourceError(f"{self.name}: environment variable {env} (api_key_env) is not set")
            headers["Ocp-Apim-Subscription-Key"] = key
        return headers

    def _window(self, cursor: dict[str, Any]) -> tuple[dt.date, dt.date]:
        today = self.context.clock.now().date()
        latest = cursor.get("latest_distribution_date")
        if isinstance(latest, str):
            # A day of overlap: items distributed late on the last day seen.
            start = dt.date.fromisoformat(latest) - dt.timedelta(days=1)
        else:
            start = today - dt.timedelta(days=self.config.backfill_days)
        return min(start, today), today

    def _params(self, page: int, start: dt.date, end: dt.date) -> dict[str, str]:
        params = {
            "language": "1",
            "page": str(page),
            "pageSize": str(self.config.page_size),
            "distributionDateFrom": start.isoformat(),
            "distributionDateTo": end.isoformat(),
        }
        if self.config.domain_ids:
            params["domainIds"] = ",".join(str(i) for i in self.config.domain_ids)
        if self.config.country_ids:
            params["countryIds"] = ",".join(self.config.country_ids)
        if self.config.hs:
            params["hs"] = ",".join(self.config.hs)
        return params

    async def _page(self, page: int, start: dt.date, end: dt.date, headers: dict[str, str]) -> RawRecord:
        params = self._params(page, start, end)
        http = self.context.require_http(self.name)
        response = await http.get(self.config.url, params=params, headers=headers)
        return _raw(self.name, response, str(URL(self.config.url).update_query(params)), self.context)

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        """Fetch every page of the window: page 1, then the rest concurrently.

        Raises:
            SourceError: page 1 could not be fetched, or the key is missing.
        """
        headers = self._headers()
        start, end = self._window(cursor)
        first = await self._page(1, start, end, headers)
        try:
            total = _total_count(first.payload, first.content_type)
        except RecordProblem as exc:
            # Kept and quarantined by the parser; the source is marked failed.
            return FetchResult([first], cursor, error=f"page 1: {exc}")
        pages = min(MAX_PAGES, max(1, math.ceil(total / self.config.page_size)))
        rest = await asyncio.gather(
            *(self._page(n, start, end, headers) for n in range(2, pages + 1)), return_exceptions=True
        )
        raws = [first]
        errors = []
        for number, result in enumerate(rest, start=2):
            if isinstance(result, SourceError):
                errors.append(f"page {number}: {result}")
            elif isinstance(result, BaseException):
                raise result
            else:
                raws.append(result)
        if errors:
            return FetchResult(raws, cursor, error="; ".join(errors))
        latest = max((d for raw in raws for d in _distribution_dates(raw.payload)), default=None)
        new_cursor = dict(cursor)
        if latest is not None:
            new_cursor["latest_distribution_date"] = max(
                latest.isoformat(), str(cursor.get("latest_distribution_date", ""))
            )
        return FetchResult(raws, new_cursor)

    def parse(self, raw: RawRecord) -> ParseResult:
        """One page: each item a notification or an error naming the item."""
        return parse_page(raw.payload, raw.content_type, self.name, page_label(raw.locator))


def _raw(name: str, response: HttpResponse, locator: str, context: SourceContext) -> RawRecord:
    content_type = response.content_type
    if response.charset:
        content_type += f"; charset={response.charset}"
    return RawRecord(name, locator, response.body, content_type, context.clock.now())


def page_label(locator: str) -> str:
    """``page N`` from a page URL (for positions in quarantine)."""
    page = URL(locator).query.get("page")
    return f"page {page}" if page else "file"


def _envelope(payload: bytes, content_type: str = "application/json") -> Any:
    if looks_like_html(payload):
        raise RecordProblem(html_page_reason(payload, content_type, "JSON"))
    text = decode_utf8(payload, "the page")
    try:
        return loads_bounded(text)
    except json.JSONDecodeError as exc:
        raise RecordProblem(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def _total_count(payload: bytes, content_type: str) -> int:
    data = _envelope(payload, content_type.split(";")[0])
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise RecordProblem("not an ePing result page: no 'items' list")
    total = data.get("totalCount")
    return total if isinstance(total, int) and total >= 0 else len(data["items"])


def _distribution_dates(payload: bytes) -> list[dt.date]:
    try:
        items = _envelope(payload).get("items", [])
    except (RecordProblem, AttributeError):
        return []
    out = []
    for item in items:
        value = item.get("distributionDate") if isinstance(item, dict) else None
        if isinstance(value, str) and len(value) >= 10:
            try:
                out.append(dt.date.fromisoformat(value[:10]))
            except ValueError:
                continue
    return out


def parse_page(payload: bytes, content_type: str, source_name: str, label: str) -> ParseResult:
    """Parse an ePing page (an envelope, or a bare list of items as in saved files)."""
    try:
        data = _envelope(payload, content_type.split(";")[0])
    except RecordProblem as exc:
        return [
            RecordError(source_name, DOCUMENT, f"{label}: {exc}", payload[:2000].decode("utf-8", "replace"))
        ]
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        reason = f"{label}: not an ePing result page: no 'items' list"
        return [RecordError(source_name, DOCUMENT, reason, payload[:2000].decode("utf-8", "replace"))]
    results: ParseResult = []
    for number, item in enumerate(items, start=1):
        try:
            if too_deep(item):
                raise RecordProblem(too_deep_reason())
            results.append(notification_from_eping(item, source_name))
        except RecordProblem as exc:
            text = json.dumps(item, ensure_ascii=False)
            results.append(RecordError(source_name, f"item {number} of {label}", str(exc), text))
    return results


def _plain(item: dict[str, Any], field: str) -> str:
    """The ``<field>Plain`` text, else the HTML field stripped to text."""
    plain = item.get(f"{field}Plain")
    if isinstance(plain, str) and plain.strip():
        # Some "plain" fields still carry entities or stray tags.
        return html_to_text(plain)
    value = item.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordProblem(f"field {field!r}: expected text, got {type(value).__name__}")
    return html_to_text(value)


def _names(item: dict[str, Any], field: str) -> list[str]:
    value = item.get(field) or []
    if not isinstance(value, list):
        raise RecordProblem(f"field {field!r}: expected a list, got {value!r}")
    out = []
    for entry in value:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str) and name.strip():
            out.append(html_to_text(name))
    return out


def _hs_codes(item: dict[str, Any]) -> list[str]:
    value = item.get("hsCodes") or []
    if not isinstance(value, list):
        raise RecordProblem(f"field 'hsCodes': expected a list, got {value!r}")
    codes = []
    for entry in value:
        code = entry.get("code") if isinstance(entry, dict) else entry
        digits = _HS_DIGITS.sub("", str(code or ""))
        if not digits:
            raise RecordProblem(f"field 'hsCodes': no code in {entry!r}")
        codes.append(digits)
    return codes


def _member(item: dict[str, Any]) -> str:
    value = item.get("notifyingMember")
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) else ""


def _links(item: dict[str, Any]) -> tuple[str, ...]:
    links: list[str] = []
    for field in ("linkToNotification", "notifiedDocumentLink"):
        value = item.get(field)
        if isinstance(value, str):
            links += [p for p in _LINK_SPLIT.split(value) if p.startswith(("http://", "https://"))]
    return tuple(dict.fromkeys(links))


def notification_from_eping(item: Any, source_name: str) -> Notification:
    """Convert one ePing API item.

    Raises:
        RecordError: naming the field at fault (bad symbol, date, HS code...).
    """
    if not isinstance(item, dict):
        raise RecordProblem(f"expected a JSON object, got {type(item).__name__}")
    symbol_text = item.get("documentSymbol") or ""
    if not isinstance(symbol_text, str):
        raise RecordProblem(f"field 'documentSymbol': expected text, got {symbol_text!r}")
    links = _links(item)
    if not symbol_text.strip() and not links:
        raise RecordProblem("no 'documentSymbol' and no link to identify the record by")
    record = {
        "record_id": item.get("id"),
        "symbols": [symbol_text] if symbol_text.strip() else [],
        "area": item.get("area"),
        "notifying_member": _member(item),
        "notification_type": _plain(item, "notificationType"),
        "distribution_date": item.get("distributionDate"),
        "comment_deadline": item.get("commentDeadlineDate"),
        "proposed_entry_into_force_date": item.get("proposedEntryIntoForceDate"),
        "title": _plain(item, "title"),
        "description": _plain(item, "description"),
        "products": _plain(item, "productsFreeText"),
        "hs_codes": _hs_codes(item),
        "objectives": _names(item, "objectives"),
        "source_url": links[0] if links else None,
    }
    notification = notification_from_sample(record, source_name)
    return replace(notification, links=links, source_id=str(item.get("id") or notification.key))
