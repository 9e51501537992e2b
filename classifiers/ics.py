"""ICS codes (standards classification) to HS prefixes.

The mapping is data analysts edit: ``data/ics_hs.csv`` (``ics,hs,note``), one
ICS field, group or subgroup a line. A notification's ICS code is looked up at
its own level, then its group, then its field; sectors follow from the HS
prefixes (:func:`classifiers.sectors.sectors_of`).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from classifiers.nomenclature import Nomenclature
from warning.exceptions import TbtError
from warning.types import Notification, ProductMatch


class IcsMappingError(TbtError, ValueError):
    """A line of the ICS mapping is malformed."""


def parse_ics_mapping(text: str, nomenclature: Nomenclature) -> dict[str, tuple[str, ...]]:
    """Parse the mapping CSV.

    Raises:
        IcsMappingError: naming the line whose ICS code is malformed or whose HS prefix is not in HS 2022.
    """
    mapping: dict[str, tuple[str, ...]] = {}
    for line_no, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        code = (row.get("ics") or "").strip()
        parts = code.split(".")
        if not parts or not all(p.isdigit() for p in parts) or len(parts[0]) != 2:
            raise IcsMappingError(f"ICS mapping line {line_no}: bad ICS code {code!r}")
        prefixes = tuple(p.strip() for p in (row.get("hs") or "").split(";") if p.strip())
        for prefix in prefixes:
            if prefix not in nomenclature:
                raise IcsMappingError(f"ICS mapping line {line_no}: HS prefix {prefix!r} is not in HS 2022")
        if not prefixes:
            raise IcsMappingError(f"ICS mapping line {line_no}: no HS prefix")
        mapping[code] = prefixes
    return mapping


@cache
def load_ics_mapping() -> dict[str, tuple[str, ...]]:
    """The bundled mapping (read once)."""
    from classifiers.nomenclature import load_nomenclature

    text = resources.files("classifiers").joinpath("data/ics_hs.csv").read_text("utf-8")
    return parse_ics_mapping(text, load_nomenclature())


class IcsClassifier:
    """Maps a notification's ICS codes to HS prefixes; finer ICS codes score higher."""

    name = "ics"

    def __init__(self, mapping: dict[str, tuple[str, ...]]) -> None:
        self.mapping = mapping

    def lookup(self, ics: str) -> tuple[str, tuple[str, ...]] | None:
        """The mapped ICS code (itself or an ancestor) and its prefixes."""
        parts = ics.strip().split(".")
        for size in range(len(parts), 0, -1):
            key = ".".join(parts[:size])
            if key in self.mapping:
                return key, self.mapping[key]
        return None

    def classify(self, notification: Notification) -> list[ProductMatch]:
        best: dict[str, ProductMatch] = {}
        for ics in notification.ics_codes:
            found = self.lookup(ics)
            if found is None:
                continue
            key, prefixes = found
            # One precise prefix says more than a list of eight; a field says least.
            depth = key.count(".") + 1
            score = (0.5 + 0.15 * depth) / (1 + 0.15 * (len(prefixes) - 1))
            for prefix in prefixes:
                match = ProductMatch(prefix, len(prefix), round(min(1.0, score), 4), self.name, f"ICS {ics}")
                if prefix not in best or match.score > best[prefix].score:
                    best[prefix] = match
        return sorted(best.values(), key=lambda m: -m.score)
