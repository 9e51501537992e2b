"""Reading one record in the schema of the bundled sample (``wto_sample.jsonl``).

The schema (``symbols, area, notifying_member, distribution_date, ...``) is
that of ``shared/data/notifications/``; the classifier's evaluation files use
it too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from warning.exceptions import RecordError, SymbolError
from warning.members import code_for_name, normalise_code
from warning.symbols import parse_symbols
from warning.types import FollowUpKind, Notification, Symbol

_TYPE_NAMES = {
    FollowUpKind.ADDENDUM: "Addendum",
    FollowUpKind.CORRIGENDUM: "Corrigendum",
    FollowUpKind.REVISION: "Revision",
    FollowUpKind.SUPPLEMENT: "Supplement",
}
_TITLE_FALLBACK_CHARS = 160


def parse_date(value: Any, field: str) -> dt.date | None:
    """An ISO date or datetime, or ``None``.

    Raises:
        RecordError: naming ``field`` when the value is not a date.
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"field {field!r}: expected an ISO date, got {value!r}")
    try:
        if len(value) > 10:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RecordError(f"field {field!r}: not a date: {value!r}") from None


def text_field(record: dict[str, Any], field: str) -> str:
    """A text field, stripped; ``""`` when absent or null.

    Raises:
        RecordError: when the value is not text.
    """
    value = record.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"field {field!r}: expected text, got {type(value).__name__}")
    return value.strip()


def list_field(record: dict[str, Any], field: str) -> tuple[str, ...]:
    """A list of strings; ``()`` when absent or null.

    Raises:
        RecordError: when the value is not a list of text.
    """
    value = record.get(field)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"field {field!r}: expected a list of text, got {value!r}")
    return tuple(v.strip() for v in value if v.strip())


def notification_type(symbols: tuple[Symbol, ...]) -> str:
    """The notification type implied by the first symbol's last follow-up."""
    if symbols and symbols[0].follow_ups:
        return _TYPE_NAMES[symbols[0].follow_ups[-1][0]]
    return "Regular notification"


def member_codes(symbols: tuple[Symbol, ...], member_name: str) -> tuple[str, ...]:
    """Member codes from the symbols, else from the member's printed name."""
    codes = [normalise_code(s.member) for s in symbols if s.member]
    if not codes and member_name:
        code = code_for_name(member_name)
        if code:
            codes.append(code)
    return tuple(dict.fromkeys(codes))


def derive_title(title: str, description: str, products: str) -> str:
    """The title, or the start of the description/products when a source gave none.

    Raises:
        RecordError: when there is no text at all to name the measure by.
    """
    if title:
        return title
    for text in (description, products):
        if text:
            return text if len(text) <= _TITLE_FALLBACK_CHARS else text[:_TITLE_FALLBACK_CHARS] + "…"
    raise RecordError("field 'title': missing, and no description or products to name the measure")


def notification_from_sample(record: Any, source_name: str) -> Notification:
    """Convert one sample-schema record.

    Raises:
        RecordError: naming the field at fault.
    """
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    raw_symbols = record.get("symbols") or []
    if isinstance(raw_symbols, str):
        raw_symbols = [raw_symbols]
    if not isinstance(raw_symbols, list) or not all(isinstance(s, str) for s in raw_symbols):
        raise RecordError(f"field 'symbols': expected a list of text, got {raw_symbols!r}")
    try:
        symbols = parse_symbols(raw_symbols)
    except SymbolError as exc:
        raise RecordError(f"field 'symbols': {exc}") from None
    area = record.get("area") or (symbols[0].area if symbols else None)
    if area not in ("TBT", "SPS"):
        raise RecordError(f"field 'area': expected 'TBT' or 'SPS', got {area!r}")
    description = text_field(record, "description")
    products = text_field(record, "products")
    title = derive_title(text_field(record, "title"), description, products)
    member_name = text_field(record, "notifying_member")
    source_url = text_field(record, "source_url")
    record_id = str(record.get("record_id", "")).strip()
    if symbols:
        key = symbols[0].text
    elif source_url:
        key = f"url:{source_url}"
    elif record_id:
        key = f"{source_name}:{record_id}"
    else:
        raise RecordError("no symbol, source_url or record_id to identify the record by")
    hs_codes = list_field(record, "hs_codes")
    for code in hs_codes:
        if not code.isdigit():
            raise RecordError(f"field 'hs_codes': not digits: {code!r}")
    return Notification(
        key=key,
        symbols=symbols,
        area=area,
        member_codes=member_codes(symbols, member_name),
        member_name=member_name,
        notification_type=text_field(record, "notification_type") or notification_type(symbols),
        title=title,
        description=description,
        products=products,
        distribution_date=parse_date(record.get("distribution_date"), "distribution_date"),
        comment_deadline=parse_date(record.get("comment_deadline"), "comment_deadline"),
        proposed_adoption_date=parse_date(record.get("proposed_adoption_date"), "proposed_adoption_date"),
        proposed_entry_into_force_date=parse_date(
            record.get("proposed_entry_into_force_date"), "proposed_entry_into_force_date"
        ),
        hs_codes=hs_codes,
        ics_codes=list_field(record, "ics_codes"),
        objectives=list_field(record, "objectives"),
        links=(source_url,) if source_url else (),
        language=text_field(record, "source_lang") or "en",
        source_name=source_name,
        source_id=record_id or key,
    )
