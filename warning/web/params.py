"""Whole numbers from URLs (ids, page numbers), read strictly and bounded.

``str.isdigit`` accepts ``²`` and ``٣`` and ``int`` any length, so a page
number of twenty digits reached the database and failed there (SQLite:
"Python int too large to convert", PostgreSQL: integer out of range) with a
500. Here only ASCII digits pass, and values beyond what a row id or a page can
be are refused up front: a 404 for an id in the path (no such thing), a 400 for
a query parameter (a bad request), each with the usual error body.
"""

from __future__ import annotations

import re
from typing import Final

from aiohttp import web

#: The largest row id (PostgreSQL ``integer``; SQLite's are wider, never that many rows).
MAX_ID: Final = 2**31 - 1
#: The largest page number asked for (at 50 a page, five million rows).
MAX_PAGE: Final = 99_999
_DIGITS = re.compile(r"[0-9]{1,12}")


def _whole(text: str, maximum: int) -> int | None:
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def path_id(request: web.Request, what: str, name: str = "id") -> int:
    """The id in the path (``{id}``).

    Raises:
        HTTPNotFound: not a row id (so no such ``what``).
    """
    text = request.match_info[name]
    value = _whole(text, MAX_ID)
    if value is None:
        raise web.HTTPNotFound(reason=f"no {what} {text[:40]!r}")
    return value


def query_id(request: web.Request, name: str) -> int | None:
    """An optional id in the query string (None when absent or empty).

    Raises:
        HTTPBadRequest: present but not an id.
    """
    text = request.query.get(name, "")
    if not text:
        return None
    value = _whole(text, MAX_ID)
    if value is None:
        raise web.HTTPBadRequest(reason=f"{name}: {text[:40]!r} must be a whole number from 0 to {MAX_ID}")
    return value


def page_number(request: web.Request) -> int:
    """The ``page`` query parameter, 1 when absent.

    Raises:
        HTTPBadRequest: not a whole number from 1 to :data:`MAX_PAGE`.
    """
    text = request.query.get("page", "1")
    value = _whole(text, MAX_PAGE)
    if value is None or value < 1:
        raise web.HTTPBadRequest(reason=f"page: {text[:40]!r} must be a whole number from 1 to {MAX_PAGE}")
    return value
