"""Parsing of WTO document symbols (``G/TBT/N/USA/1234/Add.1/Corr.1``), and how a
notification is named to people (:func:`reference`)."""

from __future__ import annotations

import re
from typing import cast
from urllib.parse import parse_qsl, urlsplit

from warning.exceptions import SymbolError
from warning.types import Area, FollowUpKind, Symbol

# The number may be missing: canonical text of an unnumbered follow-up.
_FOLLOW_UP = r"(?:Add|Corr|Rev|Suppl)\.?\d*"
_SYMBOL_RE = re.compile(
    rf"^G/(?P<area>TBT|SPS)/N/(?P<member>[A-Z]{{2,4}})/(?P<number>\d{{1,6}})"
    rf"(?P<follow>(?:/{_FOLLOW_UP})*)$",
    re.IGNORECASE,
)
_LEGACY_RE = re.compile(r"^G/(?P<area>TBT|SPS)/Notif\.(?P<year>\d{2})/(?P<number>\d{1,6})$", re.IGNORECASE)
_FOLLOW_UP_RE = re.compile(r"/(Add|Corr|Rev|Suppl)\.?(\d*)", re.IGNORECASE)
# A trailing annotation such as "(corrigendum)" that some portals print after
# the symbol instead of the numbered part.
_ANNOTATION_RE = re.compile(r"\((addendum|corrigendum|revision)\)$", re.IGNORECASE)
_ANNOTATION_KIND = {
    "addendum": FollowUpKind.ADDENDUM,
    "corrigendum": FollowUpKind.CORRIGENDUM,
    "revision": FollowUpKind.REVISION,
}
_KIND_BY_NAME = {kind.value.lower(): kind for kind in FollowUpKind}

#: Finds symbols inside free text (titles, summaries, links).
SYMBOL_IN_TEXT_RE = re.compile(rf"G/(?:TBT|SPS)/N/[A-Z]{{2,4}}/\d{{1,6}}(?:/{_FOLLOW_UP})*", re.IGNORECASE)


def parse_symbol(text: str) -> Symbol:
    """Parse one WTO symbol; stray whitespace is ignored.

    Raises:
        SymbolError: when the text is not a WTO notification symbol.
    """
    compact = re.sub(r"\s+", "", text)
    follow_ups: list[tuple[FollowUpKind, int]] = []
    annotation = _ANNOTATION_RE.search(compact)
    if annotation:
        compact = compact[: annotation.start()]
    match = _SYMBOL_RE.match(compact)
    if match:
        member: str | None = match["member"].upper()
        number = int(match["number"])
        legacy_year = None
        for kind, n in _FOLLOW_UP_RE.findall(match["follow"]):
            follow_ups.append((_KIND_BY_NAME[kind.lower()], int(n) if n else 0))
    else:
        legacy = _LEGACY_RE.match(compact)
        if not legacy:
            raise SymbolError(
                f"invalid WTO symbol {text.strip()!r}: expected "
                "G/TBT/N/<member>/<number>[/Add.n][/Corr.n][/Rev.n]"
            )
        member, number, legacy_year = None, int(legacy["number"]), int(legacy["year"])
        match = legacy
    if annotation:
        # Unnumbered follow-up: 0 stands for "number not given".
        follow_ups.append((_ANNOTATION_KIND[annotation[1].lower()], 0))
    area = cast(Area, match["area"].upper())
    return Symbol(area, member, number, tuple(follow_ups), legacy_year)


def split_symbols(text: str) -> list[str]:
    """Split a field that may hold several comma/semicolon/newline-joined symbols."""
    return [part.strip() for part in re.split(r"[,;\n]+", text) if part.strip()]


def parse_symbols(values: str | list[str] | tuple[str, ...]) -> tuple[Symbol, ...]:
    """Parse one or several symbols, each possibly comma-joined; duplicates dropped.

    Raises:
        SymbolError: naming the first symbol that does not parse.
    """
    items = [values] if isinstance(values, str) else list(values)
    seen: dict[str, Symbol] = {}
    for item in items:
        for part in split_symbols(item):
            symbol = parse_symbol(part)
            seen.setdefault(symbol.text, symbol)
    return tuple(seen.values())


def find_symbols(text: str) -> tuple[Symbol, ...]:
    """All WTO symbols found in free text, in order, duplicates dropped."""
    return parse_symbols([m.group(0) for m in SYMBOL_IN_TEXT_RE.finditer(text)])


#: Stored keys of measures without a WTO symbol (see the sources in ``feeds/``):
#: ``url:<link>`` (an RSS item, a sample record), ``fr:<document number>``
#: (the Federal Register), ``<source>:<record id>``.
_URL_KEY, _FR_KEY = "url:", "fr:"
_PAGE_SUFFIX_RE = re.compile(r"\.(?:s?html?|aspx?|php|jsp|pdf)$", re.IGNORECASE)
_ITEM_CHARS = 40


def _item_of(link: str) -> str:
    """A web page's own part of its address: the last query value, else the last path
    segment without its extension (``note-416632.html`` -> ``note-416632``)."""
    parts = urlsplit(link)
    values = [v for _, v in parse_qsl(parts.query) if v.strip()]
    segments = [s for s in parts.path.split("/") if s]
    item = _PAGE_SUFFIX_RE.sub("", values[-1] if values else segments[-1] if segments else "")
    return item if len(item) <= _ITEM_CHARS else item[: _ITEM_CHARS - 1] + "…"


def reference(key: str) -> str:
    """How a stored notification is named to people: its WTO symbol, or a readable name.

    A notification's key is its first WTO symbol when it has one, and is shown as
    is. A measure without one is stored under an internal key (kept for storage and
    deduplication), named here by where it comes from and its own number:
    ``url:http://www.xzfsj.cn/html/note-416632.html`` -> ``xzfsj.cn note-416632``,
    ``fr:2026-01234`` -> ``FR Doc. 2026-01234``, ``eu-tris:2026/123`` ->
    ``eu-tris 2026/123``. Never raises: a key of no known form is shown as is.
    """
    if key.startswith("G/"):
        return key
    if key.startswith(_URL_KEY):
        link = key[len(_URL_KEY) :]
        try:
            host = (urlsplit(link).hostname or "").removeprefix("www.")
        except ValueError:  # a malformed address (bad port, brackets)
            host = ""
        if not host:
            return link
        item = _item_of(link)
        return f"{host} {item}" if item else host
    if key.startswith(_FR_KEY):
        return f"FR Doc. {key[len(_FR_KEY) :]}"
    source, sep, record = key.partition(":")
    return f"{source} {record}" if sep and source and record else key
