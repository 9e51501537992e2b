"""ICS titles in English and Chinese, and a search over them for the mapping editor.

``data/ics_titles.csv`` holds every ICS ed. 7 code (fields, groups, subgroups) with its
English title (from ``shared/data/ics/ics_ed7.csv``) and, for the fields and every code of
the shipped ICS-to-HS mapping, its Chinese title (see ``data/PROVENANCE.md``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class IcsTitle:
    """One ICS code's titles; ``zh`` is ``""`` where the project has not translated it."""

    code: str
    en: str
    zh: str


@cache
def load_ics_titles() -> dict[str, IcsTitle]:
    """Every ICS ed. 7 code's titles, by code."""
    text = (resources.files("classifiers") / "data" / "ics_titles.csv").read_text(encoding="utf-8")
    return {
        row["code"]: IcsTitle(row["code"], row["title_en"], row["title_zh"])
        for row in csv.DictReader(text.splitlines())
    }


def lineage(code: str, titles: dict[str, IcsTitle]) -> list[IcsTitle]:
    """The titles of ``code``'s field, group and the code itself (those known), broadest first."""
    parts = code.split(".")
    return [titles[c] for c in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if c in titles]


def matches(code: str, query: str, titles: dict[str, IcsTitle]) -> bool:
    """Whether an ICS code answers a search: a code or code prefix (``97.200``), or words
    (English, any case; Chinese) each found in the titles of the code, its group or field."""
    words = query.lower().split()
    if not words:
        return True
    haystack = " ".join(f"{t.en} {t.zh}" for t in lineage(code, titles)).lower()
    return all(code.startswith(w) or w in haystack for w in words)
