"""The zone's sectors: named groups of HS prefixes.

By default the 21 HS sections with their Chinese names; a zone may define its
own list in ``config.toml`` (``[[sectors]]`` with ``key``, ``name_en``,
``name_zh``, ``hs_prefixes``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from functools import cache
from importlib import resources

from classifiers.nomenclature import load_nomenclature
from warning.config import SectorConfig
from warning.types import Sector


@cache
def hs_sections() -> tuple[Sector, ...]:
    """The 21 HS sections as sectors, keyed by their Roman numeral."""
    root = resources.files("classifiers").joinpath("data/hs")
    chapters: dict[str, list[str]] = {}
    for entry in load_nomenclature().entries.values():
        if entry.level == 2:
            chapters.setdefault(entry.section, []).append(entry.code)
    rows = csv.DictReader(root.joinpath("hs_sections_zh.csv").read_text("utf-8-sig").splitlines())
    return tuple(
        Sector(
            key=row["section_roman"],
            name_en=row["name_en"],
            name_zh=row["name_zh"],
            hs_prefixes=tuple(sorted(chapters.get(row["section_roman"], []))),
        )
        for row in rows
    )


def sectors_of(hs_code: str, sectors: Sequence[Sector]) -> list[Sector]:
    """The sectors an HS code belongs to (a code may be in several custom sectors)."""
    return [s for s in sectors if s.covers(hs_code)]


def configured_sectors(configs: Sequence[SectorConfig]) -> tuple[Sector, ...]:
    """The zone's sectors from ``[[sectors]]`` config entries, or the HS sections if none."""
    if not configs:
        return hs_sections()
    return tuple(Sector(c.key, c.name_en, c.name_zh, tuple(c.hs_prefixes)) for c in configs)
