"""Untrusted text made safe where it leaves the service: CSV cells and one-line headers.

Feed text is untrusted. In a spreadsheet, a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is read as a formula (a title
``=HYPERLINK(...)`` would run when an analyst opens the export); in an email
subject, control characters (``\\x01``, ESC) garble the line or drive a terminal.
Every CSV the service writes goes through :func:`csv_text`; every subject
through :func:`strip_controls`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: Prepended to a CSV file so that Excel reads it as UTF-8 (Chinese text intact).
UTF8_BOM = "\ufeff"

#: First characters that make a spreadsheet read a text cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: C0 and C1 control characters and DEL, except the whitespace a line may hold
#: (tab, newline, carriage return: folded to spaces by whoever builds one line).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def spreadsheet_cell(value: Any) -> Any:
    """A value safe as a CSV cell: text that a spreadsheet would read as a
    formula gets a leading ``'`` (OWASP's advice); numbers stay numbers, so a
    negative number is still a number and ``None`` is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A CSV document with a UTF-8 BOM, the ``header`` row, then one row per
    mapping (keys outside ``header`` ignored, missing ones empty), every text
    cell passed through :func:`spreadsheet_cell`."""
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_cell(row.get(column)) for column in header])
    return out.getvalue()


def strip_controls(text: str) -> str:
    """``text`` without control characters (C0, DEL, C1); tabs and line breaks
    are kept for the caller to fold."""
    return _CONTROLS.sub("", text)
