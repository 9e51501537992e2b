"""Parsing of WTO document symbols (``G/TBT/N/USA/1234/Add.1/Corr.1``)."""

from __future__ import annotations

import re
from typing import cast

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
