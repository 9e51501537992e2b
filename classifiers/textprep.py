"""Text preparation shared by the text methods: HS-code stripping, English tokens.

English tokens are lower-cased words with plural forms folded to the singular,
stop words (including the regulatory vocabulary every notification shares)
removed, so "Toys" and "toy" meet, and "draft technical regulation" says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import cast

from warning.types import Notification

# "HS", "HS code(s):", "HS编码", "税号", "税目"... followed by a run of codes such as
# 380891, 3808.91, 3808 91, 6307.90-4010, 7217.30.11;7217.30.21 or 90.14、90.15.
_HS_WORD = (
    r"(?:H\.?S\.?(?:\s*(?:codes?|code\(s\)|headings?|subheadings?|nos?\.?|numbers?))?"
    r"|税号|税则号|税目|品目|子目|编码|代码|海关编码|稅號|稅則號|稅目|編碼|代碼|海關編碼)"
)
_CODE = r"\d{2}(?:[.\s-]?\d{2}){1,4}(?:[.\-]\d{1,4})*"
_HS_RUN = re.compile(
    _HS_WORD
    + r"\s*[:：]?\s*(?:为|号)?\s*"
    + _CODE
    + r"(?:\s*(?:[;,，、；/]|and|or|至|到|和|及|或)\s*(?:"
    + _HS_WORD
    + r")?\s*"
    + _CODE
    + r")*",
    re.IGNORECASE,
)
# Dotted codes without the word (3808.91, 7217.30.11) and bare 6/8/10-digit lines.
_DOTTED = re.compile(r"(?<![\d.])\d{4}\.\d{2}(?:[.\-]\d{2,4})*(?![\d.])")
_BARE = re.compile(r"(?<![\d.A-Za-z])(?:\d{6}|\d{8}|\d{10})(?![\d.A-Za-z])")
# A list of bare headings with no "HS" lead-in ("7309 7311 7419", "2709、2710"):
# two or more four-digit numbers in a row. A lone four-digit number is kept
# (a year, a standard's number).
_HEADING_LIST = re.compile(r"(?<![\d.A-Za-z])\d{4}(?:\s*[,，、;；/]?\s*\d{4}(?![\d.A-Za-z]))+(?![\d.A-Za-z])")

_WORD = re.compile(r"[a-z][a-z\-]*[a-z]|[a-z]")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "of",
        "the",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "as",
        "is",
        "are",
        "be",
        "been",
        "being",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
        "whom",
        "its",
        "their",
        "it",
        "such",
        "other",
        "others",
        "than",
        "not",
        "no",
        "nor",
        "any",
        "all",
        "each",
        "some",
        "into",
        "under",
        "over",
        "per",
        "via",
        "etc",
        "incl",
        "excl",
        "excluding",
        "including",
        "whether",
        "thereof",
        "therefor",
        "used",
        "use",
        "using",
        "whose",
        "also",
        "draft",
        "regulation",
        "regulations",
        "regulatory",
        "requirement",
        "requirements",
        "standard",
        "standards",
        "specification",
        "specifications",
        "technical",
        "decree",
        "order",
        "law",
        "act",
        "notice",
        "notification",
        "amendment",
        "amendments",
        "amending",
        "amend",
        "proposed",
        "proposal",
        "revision",
        "revised",
        "rule",
        "rules",
        "ministry",
        "ministerial",
        "resolution",
        "directive",
        "annex",
        "article",
        "part",
        "section",
        "safety",
        "method",
        "methods",
        "test",
        "testing",
        "sampling",
        "conformity",
        "assessment",
        "procedure",
        "procedures",
        "mandatory",
        "national",
        "official",
        "general",
        "product",
        "products",
        "good",
        "goods",
        "item",
        "items",
        "provision",
        "provisions",
        "related",
        "relating",
        "concerning",
        "regarding",
        "establish",
        "establishes",
        "establishing",
        "specify",
        "specifies",
        "specified",
        "apply",
        "applies",
        "applicable",
        "scope",
        "requirement",
        "quality",
        "labelling",
        "labeling",
        "label",
        "labels",
        "content",
        "contents",
        "type",
        "types",
        "new",
        "certain",
        "shall",
        "must",
        "may",
        "will",
        "would",
        "should",
        "can",
        "nes",
        "kind",
        "kinds",
        "form",
        "forms",
        "whole",
        "part",
        "parts",
        "thereof",
        "n",
        "e",
        "s",
        "gazette",
        "commission",
        "council",
        "committee",
        "implementing",
        "amended",
        "version",
        "edition",
        "first",
        "second",
        "third",
    ]
)


def strip_hs_codes(text: str) -> str:
    """``text`` with every HS code removed (with its "HS ..." lead-in)."""
    text = _HS_RUN.sub(" ", text)
    text = _DOTTED.sub(" ", text)
    text = _BARE.sub(" ", text)
    return _HEADING_LIST.sub(" ", text)


@lru_cache(maxsize=65536)
def singular(word: str) -> str:
    """Fold an English plural to its singular ("batteries" -> "battery")."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes", "oes")):
        return word[:-2]
    if word.endswith("ves") and word[:-3] + "f" in _F_PLURALS:
        return word[:-3] + "f"
    if word.endswith("s"):
        return word[:-1]
    return word


_F_PLURALS = frozenset({"leaf", "loaf", "shelf", "knif", "half", "calf", "wolf", "hoof"})


# American spellings to the British ones of the HS texts.
_SPELLING = {
    "sulfate": "sulphate",
    "sulfur": "sulphur",
    "sulfide": "sulphide",
    "sulfite": "sulphite",
    "sulfonate": "sulphonate",
    "aluminum": "aluminium",
    "tire": "tyre",
    "fiber": "fibre",
    "color": "colour",
    "liter": "litre",
    "fertilizer": "fertiliser",
    "vulcanized": "vulcanised",
    "jewelry": "jewellery",
    "molded": "moulded",
    "mold": "mould",
    "gray": "grey",
    "favor": "flavour",
    "flavor": "flavour",
    "odor": "odour",
    "yogurt": "yoghurt",
    "catalyzer": "catalyser",
    "organize": "organise",
    "analyzer": "analyser",
    "pajama": "pyjama",
}


def english_tokens(text: str) -> list[str]:
    """Content words of English ``text``, singular, lower-case, stop words removed."""
    out = []
    for word in _WORD.findall(text.lower()):
        for part in word.split("-"):
            if len(part) > 1 and part not in STOP_WORDS:
                token = singular(part)
                token = _SPELLING.get(token, token)
                if token not in STOP_WORDS:
                    out.append(token)
    return out


@cache
def _to_simplified() -> Callable[[str], str]:
    import opencc  # imported where used: ``tbtwarn --help`` does not load it

    return cast(Callable[[str], str], opencc.OpenCC("t2s").convert)


def simplified(text: str) -> str:
    """``text`` in simplified Chinese: traditional characters and phrases are converted
    ("汽車用制動器襯片" -> "汽车用制动器衬片"), the glossary and dictionaries being
    simplified; other text is unchanged."""
    if not text or not has_chinese(text):
        return text
    return _to_simplified()(text)


def has_chinese(text: str) -> bool:
    """True when ``text`` holds CJK ideographs."""
    return _CJK.search(text) is not None


_CJK = re.compile("[\u4e00-\u9fff]")


def notification_text(notification: Notification, *, strip_codes: bool = False) -> str:
    """Title, products and description of a notification, products first.

    The products field names what is regulated most directly, so it comes
    first and is repeated once to weigh more than the description.
    """
    parts = [notification.products, notification.title, notification.products, notification.description]
    text = "\n".join(p for p in parts if p)
    return strip_hs_codes(text) if strip_codes else text
