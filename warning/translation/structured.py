"""The structured parts of a notification in a reader's language, from our own data (no engine).

Member names (``warning/data/members.csv``), objectives (the form's ticked
objectives, ``warning/data/objectives.csv``), HS chapters and headings (the
HS 2022 nomenclature, the Chinese chapter names, and our glossary's Chinese
product names for the headings and subheadings it names alone), ICS titles
(``warning/data/ics_titles.csv``: English for every code, Chinese for the
fields) and dates. One language per email and page: where no Chinese name of
a code is known, a Chinese reader gets the code and its English name once,
never a Chinese chapter name glued to an English heading.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from classifiers.nomenclature import Nomenclature, load_nomenclature
from warning.members import display_name

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def member_name(code: str, language: str) -> str:
    """A member's name in ``zh`` or ``en`` (the code if unknown)."""
    return display_name(code, language)


def format_date(day: dt.date | None, language: str) -> str:
    """``2026年8月14日`` or ``14 August 2026``; empty for no date."""
    if day is None:
        return ""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


_OBJECTIVE_NOISE = re.compile(r"\((?:TBT|SPS)\)|[\s。.．、,，;；:：]+", re.IGNORECASE)


def _objective_key(text: str) -> str:
    return _OBJECTIVE_NOISE.sub("", text.casefold())


@cache
def _objectives() -> dict[str, tuple[str, str]]:
    text = resources.files("warning").joinpath("data/objectives.csv").read_text("utf-8")
    out: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(text.splitlines()):
        names = (row["en"], row["zh"])
        for alias in [row["en"], row["zh"], *(a for a in row["aliases"].split("|") if a)]:
            out[_objective_key(alias)] = names
    return out


def objective(text: str, language: str) -> str:
    """A ticked objective in ``zh`` or ``en``; a member's own free-text objective as written."""
    found = _objectives().get(_objective_key(text))
    if found is None:
        return text.strip()
    return found[1] if language == "zh" else found[0]


#: The kinds of WTO notification documents, in Chinese as China's TBT portals name them.
NOTIFICATION_TYPES_ZH = {
    "regular notification": "常规通报",
    "addendum": "补遗",
    "corrigendum": "勘误",
    "revision": "修订",
    "supplement": "增补",
    "emergency notification": "紧急通报",
}


def notification_type(text: str, language: str) -> str:
    """A notification's kind (``Regular notification``, ``Addendum``...) in ``zh``
    or ``en``; a kind we do not know as written."""
    folded = text.strip().casefold()
    if language == "zh":
        return NOTIFICATION_TYPES_ZH.get(folded, text)
    english = {zh: en for en, zh in NOTIFICATION_TYPES_ZH.items()}.get(text.strip())
    return english.capitalize() if english else text


@dataclass(frozen=True)
class CodeName:
    """An HS or ICS code with its name in one language."""

    code: str
    name: str
    #: The language ``name`` is in (``en`` when no Chinese name is known).
    language: str


@cache
def _hs_names_zh() -> dict[str, str]:
    """Chinese names of the headings and subheadings our glossary names alone."""
    text = resources.files("classifiers").joinpath("data/glossary.csv").read_text("utf-8")
    out: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        codes = [c.strip() for c in row["hs"].split(";") if c.strip()]
        zh = [t.strip() for t in row["zh"].split("|") if t.strip()]
        if len(codes) == 1 and len(codes[0]) in (4, 6) and zh:
            out.setdefault(codes[0], zh[0])
    return out


def hs_name(code: str, language: str, nomenclature: Nomenclature | None = None) -> CodeName:
    """An HS code's name: the chapter's Chinese title, our Chinese name of a
    heading, else (also for Chinese readers) the nomenclature's English description."""
    nomenclature = nomenclature or load_nomenclature()
    entry = nomenclature.get(code)
    if entry is None:
        return CodeName(code, "", language)
    if language == "zh":
        if entry.level == 2 and entry.name_zh:
            return CodeName(code, entry.name_zh, "zh")
        name = _hs_names_zh().get(code)
        if name:
            return CodeName(code, name, "zh")
    return CodeName(code, entry.description, "en")


@cache
def _ics_titles() -> dict[str, tuple[str, str]]:
    text = resources.files("warning").joinpath("data/ics_titles.csv").read_text("utf-8")
    return {row["code"]: (row["title_en"], row["title_zh"]) for row in csv.DictReader(text.splitlines())}


def ics_name(code: str, language: str) -> CodeName:
    """An ICS code's title in ``zh`` (known for the 40 fields) or English."""
    found = _ics_titles().get(code.strip())
    if found is None:
        return CodeName(code, "", language)
    if language == "zh" and found[1]:
        return CodeName(code, found[1], "zh")
    return CodeName(code, found[0], "en")
