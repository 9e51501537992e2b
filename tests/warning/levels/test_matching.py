from __future__ import annotations

import pytest

from warning.levels.matching import matching_products
from warning.types import Exporter, Notification, ProductMatch


def notification(*members: str) -> Notification:
    return Notification(
        key="k",
        symbols=(),
        area="TBT",
        member_codes=members,
        member_name="",
        notification_type="Regular notification",
        title="t",
    )


def exporter(codes: tuple[str, ...], markets: tuple[str, ...]) -> Exporter:
    return Exporter("E", ("e@example.com",), "en", codes, markets)


def match(code: str) -> ProductMatch:
    return ProductMatch(code, len(code), 1.0, "member", "")


@pytest.mark.parametrize(
    ("members", "matches", "codes", "markets", "expected"),
    [
        (("KEN",), ["330499"], ("3304",), ("KEN",), ["330499"]),  # heading covers subheading
        (("KEN",), ["33"], ("330499",), ("KEN",), ["33"]),  # chapter match concerns a subheading
        (("KEN",), ["3305"], ("3304",), ("KEN",), []),  # sibling heading
        (("KEN",), ["330499"], ("3304",), ("USA",), []),  # wrong market
        (("KEN",), ["330499"], ("3304",), ("*",), ["330499"]),  # all markets
        (("DNK",), ["2403"], ("2403",), ("EU",), ["2403"]),  # EU market covers member states
        (("EU",), ["8711"], ("8711",), ("DEU",), ["8711"]),  # EU measure applies in Germany
        (("EU",), ["8711"], ("8711",), ("GBR",), []),  # not after Brexit
        (("BDI", "KEN"), ["380891"], ("3808",), ("KEN",), ["380891"]),  # joint notification
        ((), ["380891"], ("3808",), ("KEN",), []),  # unknown member, named market
        ((), ["380891"], ("3808",), ("*",), ["380891"]),
        (("KEN",), ["220299", "3304"], ("2202", "9503"), ("KEN",), ["220299"]),
    ],
)
def test_matching(
    members: tuple[str, ...],
    matches: list[str],
    codes: tuple[str, ...],
    markets: tuple[str, ...],
    expected: list[str],
) -> None:
    found = matching_products(notification(*members), [match(c) for c in matches], exporter(codes, markets))
    assert [m.hs_code for m in found] == expected
