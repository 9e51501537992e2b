"""ePing "Export Search Results" spreadsheets (xlsx and csv), read with pandas.

Column headings are matched loosely (case, spaces and punctuation ignored,
several known spellings); unknown columns are ignored. Rows above the
heading row (an export title, a date) are skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from feeds.base import DOCUMENT, ParseResult
from feeds.sample_record import notification_from_sample
from feeds.text import html_to_text
from warning.exceptions import RecordError as RecordProblem
from warning.types import RecordError

#: Field -> normalised headings that hold it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "symbols": ("documentsymbol", "symbol", "notificationsymbol", "documentsymbols"),
    "notifying_member": ("notifyingmember", "member", "notifyingmembers"),
    "area": ("area", "domain"),
    "notification_type": ("notificationtype", "type", "typeofnotification"),
    "distribution_date": ("distributiondate", "dateofdistribution", "datedistributed"),
    "comment_deadline": (
        "finaldateforcomments",
        "commentdeadline",
        "commentdeadlinedate",
        "commentsdeadline",
    ),
    "proposed_adoption_date": ("proposeddateofadoption", "proposedadoptiondate"),
    "proposed_entry_into_force_date": ("proposeddateofentryintoforce", "proposedentryintoforcedate"),
    "title": ("title",),
    "description": ("description", "descriptionofcontent"),
    "products": ("productscovered", "products", "productsfreetext"),
    "hs_codes": ("hscodes", "hscode", "hs"),
    "ics_codes": ("icscodes", "icscode", "ics"),
    "objectives": ("objectives", "objective", "objectiveandrationale"),
    "source_url": ("linktonotification", "link", "notificationlink", "url"),
    "record_id": ("id", "epingid", "notificationid"),
}
_HEADING_INDEX = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}
_LIST_SPLIT = re.compile(r"[;\n]+")
_CODE_RE = re.compile(r"^\s*(\d[\d.]*)")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_HEADER_SEARCH_ROWS = 10


def _normalise(heading: Any) -> str:
    return re.sub(r"[^a-z]", "", str(heading).lower())


#: Default bound on an xlsx file's unzipped content (``max_unpacked_bytes``).
MAX_UNPACKED_BYTES = 100_000_000


def check_unpacked_size(payload: bytes, limit: int) -> None:
    """Refuse an xlsx (zip) file whose members add up to more than ``limit``
    bytes once unzipped, from the sizes its directory declares, before any
    is inflated. A member cannot lie its way past: :mod:`zipfile` (which
    openpyxl reads through) stops at the declared size and the CRC then fails.

    Raises:
        RecordError: too large unpacked, or not a zip archive at all.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise RecordProblem(f"not a readable xlsx file: {exc}") from None
    if total > limit:
        raise RecordProblem(
            f"refused: the xlsx file unpacks to {total:,} bytes, more than {limit:,} "
            "(max_unpacked_bytes; a zip bomb, or raise the limit)"
        )


def read_table(payload: bytes, fmt: str, max_unpacked: int = MAX_UNPACKED_BYTES) -> list[list[str]]:
    """All cells as text (empty for blanks), row by row.

    Raises:
        RecordError: the bytes are not a readable spreadsheet of that format,
            or an xlsx file unpacks to more than ``max_unpacked`` bytes.
    """
    if fmt == "xlsx":
        check_unpacked_size(payload, max_unpacked)
    # Imported here (after the check: a refused file costs nothing more):
    # pandas costs every start of the daemon and the web app seconds, for the
    # sources that read export files alone.
    import pandas as pd

    try:
        if fmt == "xlsx":
            frame = pd.read_excel(io.BytesIO(payload), header=None, dtype=str, engine="openpyxl")
        else:
            text = payload.decode("utf-8-sig")
            frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False)
    except UnicodeDecodeError as exc:
        raise RecordProblem(f"wrong encoding: the CSV file is not UTF-8 (byte {exc.start})") from None
    except Exception as exc:  # pandas and openpyxl raise many unrelated types for a bad file
        raise RecordProblem(f"not a readable {fmt} file: {exc.__class__.__name__}: {exc}") from None
    frame = frame.fillna("")
    return [[str(cell).strip() for cell in row] for row in frame.itertuples(index=False, name=None)]


def _date(value: str, field: str) -> str | None:
    """An ISO date from the export's date forms (ISO, ``YYYY-MM-DD 00:00:00``, ``DD/MM/YYYY``)."""
    if not value:
        return None
    match = _DAY_FIRST.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            raise RecordProblem(f"field {field!r}: not a date: {value!r}") from None
    return value[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", value) else value


def _codes(value: str) -> list[str]:
    """Codes from ``380891 - Insecticides; 3304.99 - ...``: the leading code of each part."""
    out = []
    for part in _LIST_SPLIT.split(value):
        match = _CODE_RE.match(part)
        if match:
            out.append(match.group(1).replace(".", "").rstrip("."))
    return out


def _record(row: dict[str, str]) -> dict[str, Any]:
    get = row.get
    return {
        "record_id": get("record_id", ""),
        "symbols": [get("symbols", "")] if get("symbols") else [],
        "area": get("area") or None,
        "notifying_member": get("notifying_member", ""),
        "notification_type": get("notification_type", ""),
        "distribution_date": _date(get("distribution_date", ""), "distribution_date"),
        "comment_deadline": _date(get("comment_deadline", ""), "comment_deadline"),
        "proposed_adoption_date": _date(get("proposed_adoption_date", ""), "proposed_adoption_date"),
        "proposed_entry_into_force_date": _date(
            get("proposed_entry_into_force_date", ""), "proposed_entry_into_force_date"
        ),
        "title": html_to_text(get("title", "")),
        "description": html_to_text(get("description", "")),
        "products": html_to_text(get("products", "")),
        "hs_codes": _codes(get("hs_codes", "")),
        "ics_codes": [c for c in _codes(get("ics_codes", ""))],
        "objectives": [p.strip() for p in _LIST_SPLIT.split(get("objectives", "")) if p.strip()],
        "source_url": get("source_url", ""),
    }


def parse_export(
    payload: bytes, fmt: str, source_name: str, max_unpacked: int = MAX_UNPACKED_BYTES
) -> ParseResult:
    """Parse an ePing export; each bad row is an error value naming its row."""
    try:
        table = read_table(payload, fmt, max_unpacked)
    except RecordProblem as exc:
        return [RecordError(source_name, DOCUMENT, str(exc), payload[:2000].decode("utf-8", "replace"))]
    header_at = next(
        (
            i
            for i, row in enumerate(table[:_HEADER_SEARCH_ROWS])
            if "symbols" in {_HEADING_INDEX.get(_normalise(c)) for c in row}
        ),
        None,
    )
    if header_at is None:
        reason = f"no 'Document symbol' column heading in the first {_HEADER_SEARCH_ROWS} rows"
        return [RecordError(source_name, DOCUMENT, reason, repr(table[:3])[:2000])]
    fields = [_HEADING_INDEX.get(_normalise(c)) for c in table[header_at]]
    results: ParseResult = []
    for number, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        if not any(cells):
            continue
        row = {field: cell for field, cell in zip(fields, cells, strict=False) if field}
        try:
            if not row.get("symbols") and not row.get("source_url"):
                raise RecordProblem("no document symbol and no link to identify the row by")
            if row.get("area") not in ("TBT", "SPS"):
                row.pop("area", None)  # derived from the symbol
            results.append(notification_from_sample(_record(row), source_name))
        except RecordProblem as exc:
            results.append(RecordError(source_name, f"row {number}", str(exc), " | ".join(cells)))
    return results
