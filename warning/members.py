"""WTO members: codes as used in document symbols, names, EU membership."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: Symbols before 2009 used ``EEC`` for the European Union.
_ALIASES = {"EEC": "EU", "EC": "EU"}
ALL_MARKETS = "*"


@dataclass(frozen=True)
class Member:
    code: str
    name_en: str
    name_zh: str
    eu_member: bool


@cache
def members() -> dict[str, Member]:
    """All known members by code."""
    text = resources.files("warning").joinpath("data/members.csv").read_text("utf-8")
    return {
        row["code"]: Member(row["code"], row["name_en"], row["name_zh"], row["eu_member"] == "1")
        for row in csv.DictReader(text.splitlines())
    }


def normalise_code(code: str) -> str:
    """Upper-case a member code and map historical aliases (``EEC`` -> ``EU``)."""
    code = code.strip().upper()
    return _ALIASES.get(code, code)


def code_for_name(name: str) -> str | None:
    """The member code for a name as a source printed it.

    Accepts English (``Kenya``), Chinese (``日本``) and the portals' mixed form
    ``日本 (Japan)``; returns ``None`` when the name is unknown.
    """
    candidates = [name.strip()]
    bracketed = re.search(r"\(([^()]+)\)\s*$", name)
    if bracketed:
        candidates.insert(0, bracketed.group(1).strip())
        candidates.append(name[: bracketed.start()].strip())
    for candidate in candidates:
        folded = candidate.casefold()
        for member in members().values():
            if folded in (member.name_en.casefold(), member.name_zh, member.code.casefold()):
                return member.code
    return None


@cache  # pure, and asked for every (figure, measure) pair when levels are computed
def market_covers(market: str, member_code: str) -> bool:
    """Whether an exporter's market includes measures notified by ``member_code``.

    ``*`` covers everything. The EU as a market covers measures of the EU and
    of its member states; a member state as a market covers EU-wide measures.
    """
    market, member_code = normalise_code(market), normalise_code(member_code)
    if market in (ALL_MARKETS, member_code):
        return True
    known = members()
    if market == "EU":
        return member_code in known and known[member_code].eu_member
    if member_code == "EU":
        return market in known and known[market].eu_member
    return False


def display_name(code: str, language: str) -> str:
    """The member's name in ``zh`` or ``en``, or the code if unknown."""
    member = members().get(normalise_code(code))
    if member is None:
        return code
    return member.name_zh if language == "zh" else member.name_en


def symbol_codes(code: str) -> tuple[str, ...]:
    """The codes WTO symbols may use for a member: its own and historical ones (``EU``: ``EEC``, ``EC``)."""
    return (code, *sorted(alias for alias, target in _ALIASES.items() if target == code))
