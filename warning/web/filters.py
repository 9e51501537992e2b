"""Reading the notification filters from a query string (shared by pages and the API)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from warning.storage.search import NotificationFilter
from warning.types import LEVELS, Level, Sector

#: The query parameters the list understands, for links that keep the filters.
FILTER_PARAMS = ("member", "sector", "hs", "level", "open", "from", "to", "q")
#: Other query parameters of the list (not filters).
LIST_PARAMS = ("page", "count")
_PAGE = re.compile(r"[0-9]{1,5}")


@dataclass(frozen=True)
class ParsedFilter:
    filter: NotificationFilter
    #: One message per bad parameter, naming it; those parameters are ignored.
    errors: tuple[str, ...]
    page: int
    #: The parameters as given, to refill the form.
    values: dict[str, str]


def _date(params: Mapping[str, str], name: str, errors: list[str]) -> dt.date | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(f"{name}: {text!r} is not a date (YYYY-MM-DD)")
        return None


def parse_filter(params: Mapping[str, str], sectors: Sequence[Sector], today: dt.date) -> ParsedFilter:
    """The filter a query string asks for; bad values are reported and left out."""
    errors: list[str] = []
    values = {name: params.get(name, "").strip() for name in FILTER_PARAMS}
    member = values["member"].upper()
    if member and not (member.isalpha() and 2 <= len(member) <= 5):
        errors.append(f"member: {member!r} is not a member code")
        member = ""
    hs = values["hs"]
    if hs and not (hs.isascii() and hs.isdigit() and 2 <= len(hs) <= 6):
        errors.append(f"hs: {hs!r} must be 2 to 6 digits")
        hs = ""
    prefixes: tuple[str, ...] = ()
    if values["sector"]:
        found = [s for s in sectors if s.key == values["sector"]]
        if found:
            prefixes = found[0].hs_prefixes
        else:
            errors.append(f"sector: no sector {values['sector']!r}")
    level: Level | None = None
    if values["level"]:
        if values["level"] in LEVELS:
            level = values["level"]
        else:
            errors.append(f"level: {values['level']!r} is not one of {', '.join(LEVELS)}")
    page_text = params.get("page", "1")
    page = int(page_text) if _PAGE.fullmatch(page_text) and int(page_text) > 0 else 1
    text = values["q"][:200]
    if any(unicodedata.category(c) == "Cc" and not c.isspace() for c in text):
        # A NUL reaches SQLite's full-text parser as a syntax error; none belongs in a search.
        errors.append(f"q: {text[:40]!r} holds control characters (use letters, digits and spaces)")
        text = ""
    f = NotificationFilter(
        member=member,
        sector_prefixes=prefixes,
        hs_prefix=hs,
        level=level,
        open_on=today if values["open"] in ("1", "on", "true") else None,
        date_from=_date(params, "from", errors),
        date_to=_date(params, "to", errors),
        text=text,
    )
    return ParsedFilter(f, tuple(errors), page, values)
