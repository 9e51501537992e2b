"""Term pairs given to engines, and the check that refuses garbage answers.

The term pairs are the fixed vocabulary of WTO notifications (技术法规 is a
technical regulation, not a "technical law") and our product glossary
(``classifiers/data/glossary.csv`` and the product groups): an engine that
takes instructions (``openai``) is told how to render the terms a batch
contains, so product names come out as the classifier and the exporters
know them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from importlib import resources

from warning.exceptions import TranslationError

#: The vocabulary of the WTO TBT/SPS agreements and of China's TBT portals,
#: always given (Chinese, English).
FIXED_TERMS: tuple[tuple[str, str], ...] = (
    ("技术法规", "technical regulation"),
    ("合格评定程序", "conformity assessment procedure"),
    ("通报", "notification"),
    ("评议意见", "comments"),
    ("评议期", "comment period"),
    ("标准", "standard"),
    ("咨询点", "enquiry point"),
    ("通报成员", "notifying member"),
    ("拟批准日期", "proposed date of adoption"),
    ("拟生效日期", "proposed date of entry into force"),
    ("技术性贸易壁垒", "technical barriers to trade"),
    ("卫生与植物卫生措施", "sanitary and phytosanitary measures"),
    ("世界贸易组织", "WTO"),
    ("标签", "labelling"),
    ("最大残留限量", "maximum residue limits"),
    ("补遗", "addendum"),
    ("勘误", "corrigendum"),
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
#: The same 2 to 12 characters five times or more in a row: a decoder stuck in a loop.
_LOOP = re.compile(r"(.{2,12}?)\1{4,}", re.DOTALL)
#: Chat-model preambles and refusals that are not a translation.
_CHATTER = re.compile(
    r"^\s*(as an ai\b|i'm sorry|i am sorry|i cannot|sure[,!]|here is|here are|translation:|"
    r"抱歉|对不起|作为一个?人工智能|以下是)",
    re.IGNORECASE,
)


def cjk_share(text: str) -> float:
    """The share of letters in ``text`` that are Chinese characters."""
    letters = len(_LETTER.findall(text))
    return len(_CJK.findall(text)) / letters if letters else 0.0


#: Characters of a field read to tell its language (a sample decides it; a
#: description runs to thousands, and every digest reads every field).
_SAMPLE = 300


@lru_cache(maxsize=16384)  # each field is asked once per reader language
def text_language(text: str, declared: str) -> str:
    """The language a field is written in: ``zh`` when mostly Chinese characters,
    else the notification's declared language (``en`` when that was ``zh``: a
    Chinese portal's record may leave a field in English)."""
    if cjk_share(text[:_SAMPLE]) >= 0.3:
        return "zh"
    return "en" if declared == "zh" else (declared or "en")


def check_translation(source: str, translated: str, target: str) -> str:
    """The translation stripped, if it can be one of ``source`` into ``target``.

    Raises:
        TranslationError: (``garbage``) empty, the source handed back, mostly
            in the wrong script, far too long, looping, or chat-model chatter.
    """
    out = translated.strip()
    reason = _garbage_reason(source.strip(), out, target)
    if reason:
        raise TranslationError(f"unusable translation ({reason}): {out[:80]!r}", garbage=True)
    return out


def _garbage_reason(source: str, out: str, target: str) -> str:
    if not out:
        return "empty"
    letters = len(_LETTER.findall(source))
    if out == source and letters > 3:
        return "the source handed back"
    share = cjk_share(out)
    if target == "zh" and letters > 3 and share < 0.2:
        return "not Chinese"
    if target != "zh" and share > 0.2:
        return "Chinese left in"
    # Chinese is about a third of the English length; 4x plus slack is no translation.
    if len(out) > 4 * len(source) + 80:
        return "far longer than the source"
    if _LOOP.search(out):
        return "repeats itself"
    if _CHATTER.match(out):
        return "chatter, not a translation"
    return ""


def _split_terms(cell: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in cell.split("|") if t.strip())


@cache
def product_terms() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Our glossary's product families as (English terms, Chinese terms)."""
    import csv

    data = resources.files("classifiers").joinpath("data")
    out = []
    for name in ("glossary.csv", "product_groups.csv"):
        for row in csv.DictReader(data.joinpath(name).read_text("utf-8").splitlines()):
            en, zh = _split_terms(row.get("en") or ""), _split_terms(row.get("zh") or "")
            if en and zh:
                out.append((en, zh))
    return tuple(out)


@cache
def _word(term: str) -> re.Pattern[str]:
    return re.compile(r"\b" + re.escape(term.casefold()) + r"(?:s|es)?\b")


def term_pairs(texts: Iterable[str], source: str) -> list[tuple[str, str]]:
    """(source term, target term) pairs for the terms found in ``texts``:
    the fixed vocabulary always, and each glossary product named in the texts
    (as written there, with the first name of the other language)."""
    joined = "\n".join(texts)
    folded = joined.casefold()
    to_en = source == "zh"
    pairs = [(zh, en) if to_en else (en, zh) for zh, en in FIXED_TERMS]
    seen = {p[0] for p in pairs}
    for en, zh in product_terms():
        found = next((t for t in zh if t in joined), None) if to_en else None
        if not to_en:
            found = next((t for t in en if _word(t).search(folded)), None)
        if found and found not in seen:
            seen.add(found)
            pairs.append((found, en[0] if to_en else zh[0]))
    return pairs


def glossary_lines(texts: Sequence[str], source: str) -> str:
    """The term pairs for a prompt, one ``source term => target term`` a line."""
    return "\n".join(f"{a} => {b}" for a, b in term_pairs(texts, source))
