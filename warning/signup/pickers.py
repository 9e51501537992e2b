"""The product and market pickers: typed words or a code to HS codes and WTO members.

Products: a code (``3304``, ``33.04``) lists the codes starting with it; words
in Chinese or English find our glossary's terms (its product words, product
groups, and every HS chapter's and section's English and Chinese title), the
Chinese chapter names, and the English descriptions of every heading and
subheading (each typed word the start of a word of the description). Each
code is shown with a name in the reader's language: our glossary's term for
exactly that code, else the Chinese chapter name (with the English
description below chapter level), else the English description.

Markets: a WTO member by code or by (part of) its English or Chinese name,
``EU`` as one market, and "all markets" (``*``).

The index is built once per process (:func:`product_index`), then a query
touches only the vocabulary and the codes it matches.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from classifiers.glossary import load_glossary
from classifiers.nomenclature import Nomenclature, load_nomenclature
from warning.members import ALL_MARKETS, members

#: Results per query.
LIMIT = 20
_WORD = re.compile(r"[a-z0-9]+")
ALL_MARKETS_NAMES = {"en": "All markets", "zh": "全部市场"}


@dataclass(frozen=True)
class Pick:
    """One choice a picker offers: the stored value and its name in the reader's language."""

    code: str
    name: str


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


class ProductIndex:
    """HS 2022 codes by their words, in both languages."""

    def __init__(self, nomenclature: Nomenclature) -> None:
        self.nomenclature = nomenclature
        self.codes = sorted(nomenclature.entries)
        #: Description word -> codes whose description holds it.
        self.by_word: dict[str, set[str]] = defaultdict(set)
        for code, entry in nomenclature.entries.items():
            for word in _words(entry.description):
                self.by_word[word].add(code)
        self.vocabulary = sorted(self.by_word)
        #: Glossary term (English lower-cased, Chinese as written) -> its HS prefixes.
        self.terms: dict[str, tuple[str, ...]] = {}
        #: Our Chinese and English name for exactly one code.
        self.own_names: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
        for term_entry in load_glossary().entries:
            for lang, terms in (("en", term_entry.en), ("zh", term_entry.zh)):
                for term in terms:
                    self.terms.setdefault(term.casefold(), term_entry.hs)
                    if len(term_entry.hs) == 1:
                        self.own_names[lang].setdefault(term_entry.hs[0], term)
        for code, entry in nomenclature.entries.items():
            if entry.level == 2 and entry.name_zh:
                self.terms.setdefault(entry.name_zh, (code,))

    def name(self, code: str, lang: str) -> str:
        """The code's name in ``lang`` (see the module docstring)."""
        entry = self.nomenclature.get(code)
        if entry is None:
            return code
        if lang != "zh":
            return entry.description
        if entry.level == 2:
            return entry.name_zh or entry.description
        own = self.own_names["zh"].get(code) or self.own_names["zh"].get(code[:4])
        if own is not None:
            return f"{own}：{entry.description}"
        return self.nomenclature.label(code, "zh")

    def _by_code(self, digits: str) -> list[str]:
        # The sorted codes starting with the digits: a binary search would do; 7,000 is small.
        return [c for c in self.codes if c.startswith(digits)]

    def _by_words(self, query: str) -> list[str]:
        words = _words(query)
        if not words:
            return []
        found: set[str] | None = None
        for word in words:
            codes: set[str] = set()
            for known in self._starting(word):
                codes |= self.by_word[known]
            found = codes if found is None else found & codes
            if not found:
                return []
        return sorted(found or (), key=lambda c: (len(c), c))

    def _starting(self, prefix: str) -> list[str]:
        import bisect

        start = bisect.bisect_left(self.vocabulary, prefix)
        out = []
        for word in self.vocabulary[start:]:
            if not word.startswith(prefix):
                break
            out.append(word)
        return out

    def _by_terms(self, query: str) -> list[str]:
        ranked: list[tuple[int, str]] = []
        for term, codes in self.terms.items():
            if term == query:
                rank = 0
            elif term.startswith(query):
                rank = 1
            elif query in term:
                rank = 2
            else:
                continue
            ranked.extend((rank, c) for c in codes)
        ranked.sort(key=lambda rc: (rc[0], len(rc[1]), rc[1]))
        return [c for _, c in ranked]

    def search(self, query: str, lang: str, limit: int = LIMIT) -> list[Pick]:
        """Up to ``limit`` codes for a typed query, best first, named in ``lang``."""
        query = query.strip().casefold()
        if not query:
            return []
        digits = query.replace(".", "").replace(" ", "")
        if digits.isdigit():
            codes = self._by_code(digits[:6])
        else:
            codes = self._by_terms(query) + self._by_words(query)
        unique = list(dict.fromkeys(codes))[:limit]
        return [Pick(c, self.name(c, lang)) for c in unique]


@cache
def product_index() -> ProductIndex:
    """The product picker's index over the bundled nomenclature and glossary (built once)."""
    return ProductIndex(load_nomenclature())


def market_name(code: str, lang: str) -> str:
    """A market's name in ``lang``: a member's name, or "all markets" for ``*``."""
    if code == ALL_MARKETS:
        return ALL_MARKETS_NAMES["zh" if lang == "zh" else "en"]
    member = members().get(code)
    if member is None:
        return code
    return member.name_zh if lang == "zh" else member.name_en


def search_markets(query: str, lang: str, limit: int = LIMIT) -> list[Pick]:
    """Markets whose code or name (either language) holds the query; "all markets" matches its name."""
    folded = query.strip().casefold()
    if not folded:
        return []
    out: list[tuple[int, Pick]] = []
    for names in ALL_MARKETS_NAMES.values():
        if folded == "*" or folded in names.casefold():
            out.append((1, Pick(ALL_MARKETS, market_name(ALL_MARKETS, lang))))
            break
    for member in members().values():
        if folded == member.code.casefold():
            rank = 0
        elif member.name_en.casefold().startswith(folded) or member.name_zh.startswith(folded):
            rank = 1
        elif folded in member.name_en.casefold() or folded in member.name_zh:
            rank = 2
        else:
            continue
        out.append((rank, Pick(member.code, market_name(member.code, lang))))
    out.sort(key=lambda rp: (rp[0], rp[1].name))
    return [p for _, p in out[:limit]]
