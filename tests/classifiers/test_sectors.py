from __future__ import annotations

import pytest

from classifiers.nomenclature import load_nomenclature
from classifiers.sectors import configured_sectors, hs_sections, sectors_of
from warning.config import SectorConfig


def test_default_sectors_are_the_21_hs_sections_covering_every_chapter() -> None:
    sections = hs_sections()
    assert len(sections) == 21
    chapters = [p for s in sections for p in s.hs_prefixes]
    nomenclature = load_nomenclature()
    # Chapter 99 (commodities not specified) belongs to no section.
    every_chapter = {c for c, e in nomenclature.entries.items() if e.level == 2} - {"99"}
    assert len(chapters) == len(set(chapters)) and set(chapters) == every_chapter
    cosmetics = sectors_of("330499", sections)
    assert [s.key for s in cosmetics] == ["VI"]
    assert cosmetics[0].name_zh.startswith("化学工业")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("3304", ["beauty"]), ("33", ["beauty"]), ("330499", ["beauty"]), ("3401", ["beauty"]), ("8415", [])],
)
def test_configured_sectors_match_by_shared_prefix(code: str, expected: list[str]) -> None:
    sectors = configured_sectors(
        [SectorConfig(key="beauty", name_en="Beauty", name_zh="美容", hs_prefixes=["3304", "3401"])]
    )
    assert [s.key for s in sectors_of(code, sectors)] == expected


def test_sector_prefix_must_be_hs_digits() -> None:
    with pytest.raises(ValueError, match="2, 4 or 6 digits"):
        SectorConfig(key="x", name_en="x", name_zh="x", hs_prefixes=["33a"])
