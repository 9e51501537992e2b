from __future__ import annotations

import pytest

from warning.exceptions import SymbolError
from warning.symbols import find_symbols, parse_symbol, parse_symbols
from warning.types import FollowUpKind

ADD, CORR, REV = FollowUpKind.ADDENDUM, FollowUpKind.CORRIGENDUM, FollowUpKind.REVISION


@pytest.mark.parametrize(
    ("text", "area", "member", "number", "follow_ups", "canonical"),
    [
        ("G/TBT/N/USA/1234", "TBT", "USA", 1234, (), "G/TBT/N/USA/1234"),
        ("G/TBT/N/USA/1234/Add.1/Corr.1", "TBT", "USA", 1234, ((ADD, 1), (CORR, 1)), None),
        (" G/SPS/N/KOR/1", "SPS", "KOR", 1, (), "G/SPS/N/KOR/1"),
        ("G/TBT/N/ USA /874/ Add.13 ", "TBT", "USA", 874, ((ADD, 13),), "G/TBT/N/USA/874/Add.13"),
        ("g/tbt/n/eu/650", "TBT", "EU", 650, (), "G/TBT/N/EU/650"),
        ("G/TBT/N/TPKM/425/Add.5", "TBT", "TPKM", 425, ((ADD, 5),), None),
        ("G/TBT/N/PHL/196/Rev.1", "TBT", "PHL", 196, ((REV, 1),), None),
        ("G/TBT/N/KEN/0042", "TBT", "KEN", 42, (), "G/TBT/N/KEN/42"),
        ("G/TBT/N/BRA/165 (corrigendum)", "TBT", "BRA", 165, ((CORR, 0),), "G/TBT/N/BRA/165/Corr"),
        ("G/TBT/N/USA/1/Add1", "TBT", "USA", 1, ((ADD, 1),), "G/TBT/N/USA/1/Add.1"),
    ],
)
def test_parse_valid(
    text: str, area: str, member: str, number: int, follow_ups: tuple, canonical: str | None
) -> None:
    symbol = parse_symbol(text)
    assert (symbol.area, symbol.member, symbol.number, symbol.follow_ups) == (
        area,
        member,
        number,
        follow_ups,
    )
    assert symbol.text == (canonical or text.strip())
    # The canonical text parses back to the same symbol.
    assert parse_symbol(symbol.text) == symbol


def test_legacy_symbol() -> None:
    symbol = parse_symbol("G/TBT/Notif.00/012")
    assert (symbol.member, symbol.number, symbol.legacy_year) == (None, 12, 0)
    assert symbol.text == "G/TBT/Notif.00/012"


@pytest.mark.parametrize(
    "text",
    ["", "G/TBT/N/USA", "G/XYZ/N/USA/1", "TBT/N/USA/1", "G/TBT/N/USA/abc", "G/TBT/N/USA/1/Foo.2", "hello"],
)
def test_parse_invalid(text: str) -> None:
    with pytest.raises(SymbolError, match="invalid WTO symbol"):
        parse_symbol(text)


def test_addendum_links_to_base() -> None:
    symbol = parse_symbol("G/TBT/N/USA/1234/Add.1/Corr.1")
    assert symbol.is_follow_up
    assert symbol.base.text == "G/TBT/N/USA/1234"
    assert not symbol.base.is_follow_up


def test_split_comma_joined() -> None:
    symbols = parse_symbols(" G/TBT/N/BDI/383, G/TBT/N/KEN/1463;G/TBT/N/KEN/1463\nG/TBT/N/RWA/895")
    assert [s.text for s in symbols] == ["G/TBT/N/BDI/383", "G/TBT/N/KEN/1463", "G/TBT/N/RWA/895"]


def test_find_in_text() -> None:
    text = "WTO notified G/TBT/N/EU/1102/Add.2 (see also g/tbt/n/eu/1102) today"
    assert [s.text for s in find_symbols(text)] == ["G/TBT/N/EU/1102/Add.2", "G/TBT/N/EU/1102"]
