"""The HS 2022 nomenclature, with Chinese chapter names."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from warning.types import HsEntry


class Nomenclature:
    """Look-ups in HS 2022: chapters (2 digits), headings (4), subheadings (6)."""

    def __init__(self, entries: dict[str, HsEntry], sections_zh: dict[str, str]) -> None:
        self.entries = entries
        self.sections_zh = sections_zh

    def get(self, code: str) -> HsEntry | None:
        """The entry for an exact 2/4/6-digit code, or ``None``."""
        return self.entries.get(code)

    def __contains__(self, code: str) -> bool:
        return code in self.entries

    def normalise(self, code: str) -> str | None:
        """Cut a member-given code (up to 10 digits) to the longest valid HS 2022 code.

        National lines (8 or 10 digits) are cut to 6; a code whose subheading
        does not exist in HS 2022 falls back to its heading, then chapter.
        Returns ``None`` when not even the chapter exists (or for non-digits).
        """
        digits = code.strip().replace(".", "").replace(" ", "")
        if not digits.isdigit() or len(digits) < 2:
            return None
        for length in (6, 4, 2):
            if len(digits) >= length and digits[:length] in self.entries:
                return digits[:length]
        return None

    def chapter_name(self, code: str, language: str) -> str:
        """The name of the code's chapter in ``zh`` or ``en``."""
        entry = self.entries.get(code[:2])
        if entry is None:
            return ""
        return entry.name_zh if language == "zh" else entry.description

    def label(self, code: str, language: str) -> str:
        """A short human label: the description, prefixed in Chinese by the chapter name."""
        entry = self.entries.get(code)
        if entry is None:
            return code
        if language == "zh":
            if entry.level == 2:
                return entry.name_zh
            return f"{entry.name_zh}：{entry.description}"
        return entry.description


@cache
def load_nomenclature() -> Nomenclature:
    """The bundled HS 2022 nomenclature (read once)."""
    root = resources.files("classifiers").joinpath("data/hs")
    chapters_zh = {
        row["chapter"]: row["name_zh"]
        for row in csv.DictReader(root.joinpath("hs_chapters_zh.csv").read_text("utf-8").splitlines())
    }
    sections_zh = {
        row["section_roman"]: row["name_zh"]
        for row in csv.DictReader(root.joinpath("hs_sections_zh.csv").read_text("utf-8").splitlines())
    }
    entries: dict[str, HsEntry] = {}
    text = root.joinpath("harmonized-system.csv").read_text("utf-8-sig")
    for row in csv.DictReader(text.splitlines()):
        code = row["hscode"]
        if code == "TOTAL" or not code.isdigit():
            continue
        entries[code] = HsEntry(
            code=code,
            level=int(row["level"]),
            description=row["description"],
            name_zh=chapters_zh.get(code[:2], ""),
            section=row["section"],
        )
    return Nomenclature(entries, sections_zh)
