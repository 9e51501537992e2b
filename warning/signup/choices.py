"""A contact's markets and HS prefixes, validated the same way everywhere.

The sign-up form, the subscriptions page, ``tbtwarn subscriptions set`` and
the register import accept the same values: markets are WTO members (by code
or by name in English or Chinese), ``EU`` as one market, or ``*`` for all
markets; HS prefixes are 2, 4 or 6 digits that exist in HS 2022. Values are
deduplicated in the order given. Every bad value is named, in the language
of the page (or English for the command line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from classifiers.nomenclature import load_nomenclature
from warning.exceptions import SubscriptionError
from warning.members import ALL_MARKETS, code_for_name, members, normalise_code

#: More distinct values than this in one list is refused (a form is not a bulk import).
MAX_VALUES = 300

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "unknown_market": "unknown market(s): {values} (pick WTO members, EU, or all markets)",
        "hs_format": "HS code(s) {values} must be 2, 4 or 6 digits",
        "hs_unknown": "HS code(s) {values} do not exist in HS 2022",
        "too_many": "too many {field}: {values} (at most {max})",
        "unknown_sector": "unknown sector(s) {values} (see [[sectors]] or HS sections I-XXI)",
        "bad_choice": "{field} must be one of {allowed}, not {values}",
        "empty": "{field}: choose at least one",
    },
    "zh": {
        "unknown_market": "未知市场：{values}（请选择WTO成员、欧盟或全部市场）",
        "hs_format": "HS编码 {values} 须为2、4或6位数字",
        "hs_unknown": "HS编码 {values} 在HS 2022中不存在",
        "too_many": "{field}过多：{values}（最多{max}个）",
        "unknown_sector": "未知行业：{values}",
        "bad_choice": "{field}须为 {allowed} 之一，而不是 {values}",
        "empty": "{field}：请至少选择一项",
    },
}

FIELD_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "markets": "markets",
        "hs": "products (HS codes)",
        "sectors": "sectors",
        "min_level": "minimum level",
        "frequency": "frequency",
        "language": "language",
    },
    "zh": {
        "markets": "市场",
        "hs": "产品（HS编码）",
        "sectors": "行业",
        "min_level": "最低等级",
        "frequency": "频率",
        "language": "语言",
    },
}


@dataclass(frozen=True)
class ChoiceProblem:
    """One kind of bad value in one field, with every value at fault."""

    field: str
    #: Key of :data:`MESSAGES`.
    why: str
    values: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()

    def text(self, lang: str) -> str:
        messages = MESSAGES["zh" if lang == "zh" else "en"]
        field_name = FIELD_NAMES["zh" if lang == "zh" else "en"].get(self.field, self.field)
        joiner = "、" if lang == "zh" else ", "
        return messages[self.why].format(
            values=joiner.join(self.values),
            field=field_name,
            allowed=", ".join(self.allowed),
            max=MAX_VALUES,
        )


def describe(problems: Iterable[ChoiceProblem], lang: str) -> str:
    """Every problem in one line, in ``lang`` (``zh`` or ``en``)."""
    return ("；" if lang == "zh" else "; ").join(p.text(lang) for p in problems)


class ChoiceError(SubscriptionError):
    """Bad markets, HS codes or other choices; ``problems`` name every bad value."""

    def __init__(self, problems: list[ChoiceProblem], lang: str = "en") -> None:
        super().__init__(describe(problems, lang))
        self.problems = problems

    def text(self, lang: str) -> str:
        return describe(self.problems, lang)


def split_values(value: str | Iterable[str], *, spaces: bool = True) -> list[str]:
    """Values from a comma, semicolon, 、 (and, with ``spaces``, space) separated
    text, or from a list of such texts."""
    texts = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for text in texts:
        for sep in (";", "，", "、", "；"):
            text = text.replace(sep, ",")
        if spaces:
            text = text.replace(" ", ",")
        out.extend(p.strip() for p in text.split(",") if p.strip())
    return out


def _market_code(raw: str) -> str | None:
    code = normalise_code(raw)
    if code in members():
        return code
    return code_for_name(raw)


def _too_many(field: str, values: list[str]) -> ChoiceProblem | None:
    if len(values) <= MAX_VALUES:
        return None
    return ChoiceProblem(field, "too_many", (str(len(values)),))


def parse_markets(value: str | Iterable[str]) -> tuple[tuple[str, ...], list[ChoiceProblem]]:
    """Market codes (deduplicated; ``("*",)`` when all markets are chosen) and the problems.

    A market may be given by code (``usa``, ``EEC`` for the EU) or by name (``Kenya``, ``肯尼亚``).
    """
    found: list[str] = []
    unknown: list[str] = []
    for raw in split_values(value, spaces=False):
        if raw == ALL_MARKETS:
            found.append(ALL_MARKETS)
            continue
        code = _market_code(raw)
        if code is not None:
            found.append(code)
            continue
        # "USA KEN" as the command line used to accept: each word a market.
        parts = raw.split()
        codes = [_market_code(p) for p in parts] if len(parts) > 1 else [None]
        if all(c is not None for c in codes):
            found.extend(c for c in codes if c is not None)
        else:
            unknown.extend(p for p, c in zip(parts or [raw], codes, strict=False) if c is None)
    unique = list(dict.fromkeys(found))
    problems = [ChoiceProblem("markets", "unknown_market", tuple(dict.fromkeys(unknown)))] if unknown else []
    too_many = _too_many("markets", unique)
    if too_many:
        problems.append(too_many)
    if ALL_MARKETS in unique:
        unique = [ALL_MARKETS]
    return tuple(unique), problems


def parse_hs(value: str | Iterable[str]) -> tuple[tuple[str, ...], list[ChoiceProblem]]:
    """HS prefixes (2, 4 or 6 digits of HS 2022, deduplicated) and the problems."""
    nomenclature = load_nomenclature()
    raw_values = [v.replace(".", "") for v in split_values(value)]
    malformed = [v for v in raw_values if not v.isdigit() or len(v) not in (2, 4, 6)]
    missing = [v for v in raw_values if v not in malformed and v not in nomenclature]
    unique = list(dict.fromkeys(v for v in raw_values if v not in malformed and v not in missing))
    problems = []
    if malformed:
        problems.append(ChoiceProblem("hs", "hs_format", tuple(dict.fromkeys(malformed))))
    if missing:
        problems.append(ChoiceProblem("hs", "hs_unknown", tuple(dict.fromkeys(missing))))
    too_many = _too_many("hs", unique)
    if too_many:
        problems.append(too_many)
    return tuple(unique), problems
