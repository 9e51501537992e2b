"""Our product glossary: everyday product words (en, zh) to HS prefixes.

``data/glossary.csv`` holds general product knowledge, one product family a
line: English terms and Chinese terms separated by ``|``, HS prefixes by ``;``.
It serves twice: as a method of its own (a product word names its HS prefix)
and as the bridge from Chinese words to the English of the nomenclature.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from classifiers.nomenclature import Nomenclature
from classifiers.textprep import has_chinese, singular
from warning.exceptions import TbtError
from warning.types import Notification, ProductMatch

_RAW_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_PUNCT = frozenset(",;:()/")
_RAW_WORD_OR_PUNCT = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[,;:()/]")
_MAX_ZH = 60
# The weight of a field: the products line names what is regulated.
FIELD_WEIGHTS = (("products", 1.0), ("title", 0.8), ("description", 0.4))
#: The title's and description's weights when the products line names a product itself.
NAMED_BY_PRODUCTS = {"title": 0.65, "description": 0.3}
#: The description's weight when neither the products line nor the title names any goods: the
#: title's own, since the description is then where the member names them.
ALONE_DESCRIPTION = 0.8


class GlossaryError(TbtError, ValueError):
    """A glossary line is malformed (bad HS prefix, no term)."""


@dataclass(frozen=True)
class GlossaryEntry:
    """One product family: its words and HS prefixes."""

    en: tuple[str, ...]
    zh: tuple[str, ...]
    hs: tuple[str, ...]
    #: The terms name whole chapters (a product group, or the nomenclature's own
    #: chapter or section title), as exactly as a heading word names its heading.
    whole: bool = False


@dataclass(frozen=True)
class Hit:
    """A glossary term found in a text."""

    term: str
    entry: GlossaryEntry
    start: int
    end: int
    weight: float


class Glossary:
    """Term look-ups in English (word sequences) and Chinese (substrings)."""

    def __init__(self, entries: Sequence[GlossaryEntry]) -> None:
        self.entries = list(entries)
        self.en: dict[tuple[str, ...], GlossaryEntry] = {}
        self.zh: dict[str, GlossaryEntry] = {}
        for entry in entries:
            for key in map(en_key, entry.en):
                if key not in self.en or _replaces(entry, self.en[key]):
                    self.en[key] = entry
            for term in entry.zh:
                if term not in self.zh or _replaces(entry, self.zh[term]):
                    self.zh[term] = entry
        self.max_en = max((len(k) for k in self.en), default=1)
        self.en_suffixes = frozenset(k[i:] for k in self.en for i in range(len(k)))
        self.zh_reversed = term_trie(t[::-1] for t in self.zh if 2 <= len(t) <= _MAX_ZH)

    def find_en(self, text: str) -> list[Hit]:
        """English terms in ``text``, not overlapping, longest first from the right: an English
        compound's head is its last word, so "fresh chilli peppers" is "chilli pepper", not
        "fresh chilli" + "pepper". Punctuation is kept as a unit so that items of a list
        ("seeders, planters") are not taken for modifiers of each other."""
        words: list[str] = []
        breaks: set[int] = set()
        for unit in _RAW_WORD_OR_PUNCT.findall(text.lower()):
            if unit in _PUNCT:
                breaks.add(len(words))
            else:
                words.append(singular(unit))
        suffixes, terms = self.en_suffixes, self.en
        hits: list[Hit] = []
        j = len(words)
        while j > 0:
            start, i = 0, j - 1
            # Grow the phrase leftwards while some term still ends this way; keep the longest term.
            while i >= 0 and tuple(words[i:j]) in suffixes:
                if tuple(words[i:j]) in terms:
                    start = i + 1
                i -= 1
            if start:
                key = tuple(words[start - 1 : j])
                hits.append(Hit(" ".join(key), terms[key], start - 1, j, 1.0))
                j = start - 1
            else:
                j -= 1
        hits.reverse()
        marked = _mark_modifiers(hits, words, ("for", "in", "of", "with", "on"), breaks)
        return _narrow_groups(marked, lambda h: " ".join(words[h.start : h.end]), breaks)

    def find_zh(self, text: str, tokens: Iterable[str] = ()) -> list[Hit]:
        """Chinese terms in ``text``: longest match first; one-character terms only as whole words."""
        # From the right: the longest term ending at each place, then on to its left.
        zh = self.zh
        hits = [
            Hit(term, zh[term], start, end, 1.0)
            for start, end, term in longest_matches_from_right(self.zh_reversed, text)
        ]
        tokens = list(tokens)
        if not any(len(t) == 1 and t in self.zh for t in tokens):
            return _read_zh(hits, text)
        covered = {pos for h in hits for pos in range(h.start, h.end)}
        position = 0
        for token in tokens:
            start = text.find(token, position)
            if start < 0:
                continue
            position = start + len(token)
            entry = self.zh.get(token) if len(token) == 1 else None
            if entry is not None and start not in covered:
                hits.append(Hit(token, entry, start, start + 1, 1.0))
        hits.sort(key=lambda h: h.start)
        return _read_zh(hits, text)


#: Characters that negate the term right after them: "非电力" (not electric), "无糖" (sugar-free).
_NEGATIONS = frozenset("非无")
#: What ends a Chinese noun phrase: everything before its "的" up to one of these describes its
#: head. "、" too: "可食用水果和坚果、柑橘类水果的果皮" lists fruit and nuts beside citrus peel.
_PHRASE_BREAKS = frozenset("，,；;。：:()（）、\n")


def _read_zh(hits: list[Hit], text: str) -> list[Hit]:
    """Chinese hits read in their phrase: negated terms dropped, modifiers weakened
    (:func:`_mark_modifiers`, :func:`_describe_before_de`), groups narrowed."""
    hits = [h for h in hits if h.start == 0 or text[h.start - 1] not in _NEGATIONS]
    marked = _mark_modifiers(hits, text, ("于",), before=("的",), used_for="用", near=2, made_of="制")
    return _narrow_groups(_describe_before_de(marked, text), lambda h: text[h.start : h.end])


def _describe_before_de(hits: list[Hit], text: str) -> list[Hit]:
    """What comes before "的" in a phrase describes the head after it: "柴油发动机使用的柴油" is
    diesel fuel (for diesel engines), "食品用的塑料容器" containers. A full-weight hit followed,
    in the same phrase, by "的" and then at most two characters later by another hit is
    weakened as :func:`_mark_modifiers` weakens one right before "的"."""
    out = list(hits)
    for index, hit in enumerate(hits):
        # A material made into the goods ("塑料制的餐具") is the head, as :func:`_mark_modifiers` reads it.
        if hit.weight < 1.0 or text[hit.end : hit.end + 1] == "制":
            continue
        for later in hits[index + 1 :]:
            between = text[hit.end : later.start]
            if any(ch in _PHRASE_BREAKS for ch in between):
                break
            de = between.rfind("的")
            if de >= 0 and len(between) - de - 1 <= 2 and de > 0:
                out[index] = Hit(hit.term, hit.entry, hit.start, hit.end, hit.weight * 0.6)
                break
    return out


def narrows(new: GlossaryEntry, old: GlossaryEntry) -> bool:
    """Whether ``new`` names a narrower part of what ``old`` names: every code of ``new``
    falls under one of ``old``'s, and they differ ("瓷砖": chapter 69 -> heading 6907;
    "叉车": 8426, 8427, 8428 -> 8427). The heading's words say more than the chapter's."""
    if old.whole or set(new.hs) == set(old.hs):
        return False
    return all(any(code.startswith(prefix) for prefix in old.hs) for code in new.hs)


def _replaces(new: GlossaryEntry, old: GlossaryEntry) -> bool:
    """Whether a later line holding an earlier line's term takes it over: when it narrows
    the codes, or when it is the nomenclature's own title of the same chapters ("谷物",
    "cereals": a product word of chapter 10 and its title), which names them as a whole."""
    return narrows(new, old) or (new.whole and not old.whole and set(new.hs) == set(old.hs))


def term_trie(terms: Iterable[str]) -> dict[str, Any]:
    """The terms as a character trie (``""`` marks a term's end)."""
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = term
    return trie


def longest_matches(trie: dict[str, Any], text: str) -> list[tuple[int, int, str]]:
    """Terms of ``trie`` in ``text``: at each place the longest, leftmost first, not overlapping
    (one dictionary step per character tried; a large glossary costs no more per position)."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        node = trie.get(text[i])
        if node is None:
            i += 1
            continue
        found: tuple[int, str] | None = None
        j = i + 1
        while True:
            term = node.get("")
            if term is not None:
                found = (j, term)
            if j >= n:
                break
            node = node.get(text[j])
            if node is None:
                break
            j += 1
        if found is None:
            i += 1
        else:
            out.append((i, found[0], found[1]))
            i = found[0]
    return out


def longest_matches_from_right(reversed_trie: dict[str, Any], text: str) -> list[tuple[int, int, str]]:
    """Terms in ``text`` found from its end: at each place the longest term ending there, then
    on to its left, not overlapping; in text order. A Chinese compound's head comes last, so
    reading from the right keeps it whole: "鲜果汁" is "鲜" + "果汁" (juice), where reading
    from the left would take "鲜果" (fresh fruit) and leave "汁"."""
    backwards = text[::-1]
    n = len(text)
    found = longest_matches(reversed_trie, backwards)
    return sorted((n - end, n - start, term[::-1]) for start, end, term in found)


def trie_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """A regex matching any of ``terms``, preferring the longest (terms share prefixes as a trie)."""
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            # Greedy "?": the longer term is tried first, this one is the fallback.
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return re.compile(emit(trie) or "(?!)")


#: Words joining the items of a list: an item joined to a modifier is a modifier too
#: ("tyres for buses and lorries", "用于公共汽车和卡车").
_COORDINATORS = frozenset(["and", "or", "和", "及", "与", "或", "、", ",", "，"])
#: Characters that part a Chinese compound into items or phrases rather than join it.
_NOT_COMPOUND = frozenset("和及与或的用于等其、以为中")


def _mark_modifiers(
    hits: list[Hit],
    units: Sequence[str],
    linkers: tuple[str, ...],
    breaks: AbstractSet[int] = frozenset(),
    before: tuple[str, ...] = (),
    used_for: str = "",
    near: int = 0,
    made_of: str = "",
) -> list[Hit]:
    """Weaken modifiers: in "car tyre" / "汽车轮胎" the head is the last noun.

    A hit directly followed by another names what the next is for, unless punctuation
    parts them (``breaks``: the units a comma or semicolon comes before: "seeders,
    planters" is a list); a hit after a linker (English "tyres for cars", Chinese
    "轮胎，用于汽车") is the modifier, and so is each item listed with it; a hit before a
    ``before`` linker ("过滤器的面罩": the filter of the mask) is the modifier, and so is a
    hit directly followed by ``used_for`` that is not "用于" ("汽车用充气轮胎": tyres for
    cars; "食品用塑料器具"). In Chinese a compound's modifier need not touch its head: up to
    ``near`` characters that join no list ("汽车安全座椅": the car's safety seat) may part them.
    A material directly followed by ``made_of`` ("塑料制的餐具": tableware made of plastic) is
    the head, as the nomenclature reads "articles of plastics", and the article its modifier.
    """
    out = []
    linked = False
    material = False
    for index, hit in enumerate(hits):
        weight = hit.weight * (0.6 if material else 1.0)
        following = hits[index + 1] if index + 1 < len(hits) else None
        material = bool(made_of) and units[hit.end : hit.end + 1] == made_of
        if material:
            linked = False
            out.append(Hit(hit.term, hit.entry, hit.start, hit.end, weight))
            continue
        if following is not None and following.start - hit.end <= 0 and following.start not in breaks:
            weight *= 0.5
        elif near and following is not None and following.start - hit.end <= near:
            joined = units[hit.end : following.start]
            if all("\u4e00" <= ch <= "\u9fff" and ch not in _NOT_COMPOUND for ch in joined):
                weight *= 0.5
        gap = units[hit.end : following.start] if following is not None else ()
        used = bool(used_for) and units[hit.end : hit.end + 1] == used_for
        if (
            (0 < len(gap) <= 2 and any(w in before for w in gap))
            or _described(gap, before)
            or (used and units[hit.end + 1 : hit.end + 2] != "于")
        ):
            weight *= 0.6
        previous = hits[index - 1] if index > 0 else None
        now_linked = False
        if previous is not None and 0 < hit.start - previous.end <= 3:
            between = units[previous.end : hit.start]
            listed = linked and all(w in _COORDINATORS for w in between)
            now_linked = listed or any(w in linkers for w in between)
        if now_linked:
            weight *= 0.6
        linked = now_linked
        out.append(Hit(hit.term, hit.entry, hit.start, hit.end, weight))
    return out


def _described(gap: Sequence[str], before: tuple[str, ...]) -> bool:
    """Whether ``gap`` is a short verb phrase ending in a ``before`` linker that makes the hit
    before it describe the hit after it: "麦芽酿造的啤酒" (beer brewed from malt),
    "大豆制成的饮料"; not a list ("和") nor a measure ("超过50%的")."""
    if not before or not 2 < len(gap) <= 4 or gap[-1] not in before:
        return False
    return all("\u4e00" <= ch <= "\u9fff" and ch not in _NOT_COMPOUND for ch in gap[:-1])


def _narrow_groups(
    hits: list[Hit], spelled: Callable[[Hit], str], breaks: AbstractSet[int] = frozenset()
) -> list[Hit]:
    """A product group that a product word directly before it qualifies names only the group's
    goods of that word's chapters: "陶瓷建筑材料" / "ceramic building materials" are the ceramic
    building materials of heading 6907, not the cement, glass and steel the group also spans."""
    out = list(hits)
    for index in range(1, len(out)):
        word, group = out[index - 1], out[index]
        if not group.entry.whole or len(group.entry.hs) < 2 or word.entry.whole:
            continue
        if group.start != word.end or group.start in breaks:
            continue
        chapters = {code[:2] for code in word.entry.hs}
        kept = tuple(code for code in group.entry.hs if code[:2] in chapters)
        if kept and len(kept) < len(group.entry.hs):
            entry = GlossaryEntry(group.entry.en, group.entry.zh, kept, whole=True)
            term = f"{spelled(word)}{'' if has_chinese(group.term) else ' '}{group.term}"
            out[index] = Hit(term, entry, group.start, group.end, group.weight)
    return out


def en_key(term: str) -> tuple[str, ...]:
    """A glossary term as the singular word sequence it is looked up by."""
    return tuple(singular(w) for w in _RAW_WORD.findall(term.lower()))


def parse_glossary(text: str, nomenclature: Nomenclature, *, whole: bool = False) -> Glossary:
    """Parse glossary CSV text (columns ``en,zh,hs``; others are ignored).

    ``whole`` marks every line as a product group naming whole chapters.

    Raises:
        GlossaryError: naming the line with an HS prefix not in HS 2022 or no term.
    """
    entries = []
    for line_no, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        en = tuple(t.strip() for t in (row.get("en") or "").split("|") if t.strip())
        zh = tuple(t.strip() for t in (row.get("zh") or "").split("|") if t.strip())
        hs = tuple(c.strip() for c in (row.get("hs") or "").split(";") if c.strip())
        if not en and not zh:
            raise GlossaryError(f"glossary line {line_no}: no term")
        for code in hs:
            if code not in nomenclature:
                raise GlossaryError(f"glossary line {line_no}: HS prefix {code!r} is not in HS 2022")
        if not hs:
            raise GlossaryError(f"glossary line {line_no}: no HS prefix")
        entries.append(GlossaryEntry(en, zh, hs, whole))
    return Glossary(entries)


_ZH_PARTS = re.compile(r"[；;]")


def chapter_title_entries(nomenclature: Nomenclature) -> list[GlossaryEntry]:
    """The HS chapter titles as glossary terms of their chapter.

    Notifications (and the portals translating them) often quote the
    nomenclature's own titles ("无机化学品；贵金属…", "Apparel and clothing
    accessories; not knitted or crocheted"): the whole English title, the whole
    Chinese one and each Chinese part of four characters or more that belongs
    to one chapter only name that chapter.
    """
    chapters = [e for e in nomenclature.entries.values() if e.level == 2]
    owners: dict[str, set[str]] = {}
    for entry in chapters:
        for part in _ZH_PARTS.split(entry.name_zh):
            owners.setdefault(part.strip(), set()).add(entry.code)
    out = []
    for entry in chapters:
        en = (entry.description,) if len(en_key(entry.description)) >= 2 else ()
        parts = [p.strip() for p in _ZH_PARTS.split(entry.name_zh)]
        zh = tuple(
            dict.fromkeys([entry.name_zh, *(p for p in parts if len(p) >= 4 and owners[p] == {entry.code})])
        )
        if en or any(zh):
            out.append(GlossaryEntry(en, tuple(t for t in zh if t), (entry.code,), whole=True))
    return out


def section_title_entries(nomenclature: Nomenclature) -> list[GlossaryEntry]:
    """The 21 HS section titles (English and Chinese, whole) as product groups of their chapters.

    A notification naming "Products of the chemical or allied industries" or
    "纺织原料及纺织制品" covers every chapter of that section.
    """
    text = resources.files("classifiers").joinpath("data/hs/hs_sections_zh.csv").read_text("utf-8")
    chapters: dict[str, list[str]] = {}
    for entry in nomenclature.entries.values():
        if entry.level == 2 and entry.section:
            chapters.setdefault(entry.section, []).append(entry.code)
    out = []
    for row in csv.DictReader(text.splitlines()):
        codes = tuple(sorted(chapters.get(row["section_roman"], ())))
        en = (row["name_en"],) if len(en_key(row["name_en"])) >= 2 else ()
        zh = (row["name_zh"],) if len(row["name_zh"]) >= 4 else ()
        if codes and (en or zh):
            out.append(GlossaryEntry(en, zh, codes, whole=True))
    return out


@cache
def load_glossary() -> Glossary:
    """The bundled glossary (read once).

    Our product words first, then our heading-level product words
    (``glossary_headings.csv``, each line with the HS text it renders), then our product
    groups, then the HS chapter and section titles: the first line holding a term wins,
    unless a later line narrows its codes (:func:`narrows`).
    """
    from classifiers.nomenclature import load_nomenclature

    nomenclature = load_nomenclature()
    data = resources.files("classifiers").joinpath("data")
    ours = parse_glossary(data.joinpath("glossary.csv").read_text("utf-8"), nomenclature)
    headings = parse_glossary(data.joinpath("glossary_headings.csv").read_text("utf-8"), nomenclature)
    groups = parse_glossary(data.joinpath("product_groups.csv").read_text("utf-8"), nomenclature, whole=True)
    return Glossary(
        [
            *ours.entries,
            *headings.entries,
            *groups.entries,
            *chapter_title_entries(nomenclature),
            *section_title_entries(nomenclature),
        ]
    )


#: Items of a products line that must each name a chapter by a chapter-wide word or a group
#: for the line to be read as a list of chapters (a residue notification's "肉类和可食用肉类
#: 内脏; 乳制品和禽蛋; 谷类; 动物油脂", "Live animals; Meat and edible meat offal; Dairy produce").
CHAPTER_LIST_MIN = 3
# Not "。": portals render an ICS title's full stops as it ("通风机。风扇。空调(ICS 23.120)").
# An item also ends after the codes a member gives it in brackets: "肉类(HS 02) 鱼类(HS 03)".
_ITEM_BREAK = re.compile(r"[;；•\n]|[(（]\s*HS\b[^()（）]*[)）]", re.IGNORECASE)
_EN_UNIT = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[;；•\n]|[(（]\s*hs\b[^()（）]*[)）]")
_ICS_NOTE = re.compile(r"[(（]\s*ICS", re.IGNORECASE)

#: An item of a products line: where it starts and ends (in the positions of its hits:
#: characters for Chinese, words for English) and whether an ICS code annotates it.
_Item = tuple[int, int, bool]


def zh_items(text: str) -> list[_Item]:
    """The items of a products line, in character positions (:data:`_Item`)."""
    bounds = [0] + [m.end() for m in _ITEM_BREAK.finditer(text)] + [len(text) + 1]
    return [(low, high, bool(_ICS_NOTE.search(text, low, high))) for low, high in itertools.pairwise(bounds)]


def en_items(text: str) -> list[_Item]:
    """The items of a products line, in the word positions :meth:`Glossary.find_en` gives hits."""
    items: list[_Item] = []
    words = low = 0
    char_low = 0
    for unit in _EN_UNIT.finditer(text.lower()):
        if _ITEM_BREAK.fullmatch(unit.group()):
            items.append((low, words, bool(_ICS_NOTE.search(text, char_low, unit.start()))))
            low, char_low = words, unit.end()
        else:
            words += 1
    items.append((low, words + 1, bool(_ICS_NOTE.search(text, char_low))))
    return items


def as_chapter_list(items: Sequence[_Item], hits: list[Hit]) -> list[Hit]:
    """A products line listing whole chapters, item by item, names each of them as a whole:
    the word each such item leads with ("谷类": 10, "乳制品": 04, "live animals": 01) counts as
    the nomenclature's chapter title does, not as a vague word of one product. An item
    annotated with its ICS code ("橡胶和塑料工业(ICS分类号:83)") names a standards field, not
    goods, and is no item of the list. Other lines' hits are returned as they are."""
    leads: list[int] = []
    for low, high, ics in items:
        inside = [i for i, h in enumerate(hits) if low <= h.start < high]
        if not inside or ics:
            continue
        lead = hits[inside[0]]
        if lead.weight >= 1.0 and (lead.entry.whole or all(len(c) == 2 for c in lead.entry.hs)):
            leads.append(inside[0])
    if len(leads) < CHAPTER_LIST_MIN:
        return hits
    out = list(hits)
    for i in leads:
        h = out[i]
        if not h.entry.whole:
            whole = GlossaryEntry(h.entry.en, h.entry.zh, h.entry.hs, whole=True)
            out[i] = Hit(h.term, whole, h.start, h.end, h.weight)
    return out


#: The weight of a product word in an item of the products line that an ICS code annotates
#: ("Spices and condiments (ICS code(s): 67.220.10)"): the item restates the standards
#: field's title, which the ICS method already counts, rather than naming the goods.
ICS_ITEM_WEIGHT = 0.6


def _in_items(items: Sequence[_Item], hits: list[Hit]) -> list[tuple[Hit, float]]:
    """The products line's hits (a list of chapters read as such, :func:`as_chapter_list`),
    each with its weight: :data:`ICS_ITEM_WEIGHT` in an item an ICS code annotates, else 1."""
    annotated = [(low, high) for low, high, ics in items if ics]
    return [
        (hit, ICS_ITEM_WEIGHT if any(low <= hit.start < high for low, high in annotated) else 1.0)
        for hit in as_chapter_list(items, hits)
    ]


def hits_for(
    glossary: Glossary,
    notification: Notification,
    zh_tokens: dict[str, list[str]],
    texts: dict[str, str] | None = None,
    modifiers: dict[str, list[tuple[int, int]]] | None = None,
) -> list[tuple[Hit, float]]:
    """Every glossary hit in a notification's fields (or in ``texts``, the fields as
    prepared), with the field's weight.

    Where the products line names a product, the title and description weigh less
    (:data:`NAMED_BY_PRODUCTS`): the member's own words for what is regulated come first,
    and a title's other words ("Cassava seed" above "Seeders, planters") are context.
    """
    found: list[tuple[Hit, float]] = []
    weights = dict(FIELD_WEIGHTS)
    for field, _ in FIELD_WEIGHTS:
        text = texts[field] if texts is not None else getattr(notification, field)
        if not text:
            continue
        en_hits = glossary.find_en(text)
        zh_hits = glossary.find_zh(text, zh_tokens[field]) if field in zh_tokens else []
        if modifiers is not None:
            modifiers[field] = [(h.start, h.end) for h in zh_hits if h.weight < 1.0]
        if field == "description" and not any(h.weight >= 1.0 for h, _ in found):
            # Nothing above names goods: the description is where the member names them
            # ("... the crops: cassava, sweet potato, gherkin").
            weights["description"] = ALONE_DESCRIPTION
        if field != "products":
            found.extend((hit, weights[field]) for hit in en_hits + zh_hits)
            continue
        # Items are found only where there are hits to place in them (every notification passes here).
        weighed = (_in_items(en_items(text), en_hits) if en_hits else []) + (
            _in_items(zh_items(text), zh_hits) if zh_hits else []
        )
        if any(weight == 1.0 for _, weight in weighed):
            weights.update(NAMED_BY_PRODUCTS)
        found.extend((hit, weights[field] * weight) for hit, weight in weighed)
    return found


class GlossaryClassifier:
    """Product words of the glossary to their HS prefixes."""

    name = "glossary"

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary

    def classify_hits(self, hits: Sequence[tuple[Hit, float]]) -> list[ProductMatch]:
        """Matches from glossary hits: the best-weighted hit per prefix, a bonus per repeat."""
        best: dict[str, tuple[float, str, int]] = {}
        for hit, field_weight in hits:
            # A group's or title's chapters are named as a whole ("group"); a word names
            # the goods of its codes ("word").
            label = f"group “{hit.term}”" if hit.entry.whole else f"word “{hit.term}”"
            for code in hit.entry.hs:
                # A chapter-wide word ("meat", "machinery") says less than a heading word;
                # a group's or title's chapters are named as a whole, not guessed.
                vague = len(code) == 2 and not hit.entry.whole
                score = hit.weight * field_weight * (0.8 if vague else 1.0)
                old = best.get(code)
                if old is None:
                    best[code] = (score, label, 1)
                else:
                    top, term = (score, label) if score > old[0] else (old[0], old[1])
                    best[code] = (top, term, old[2] + 1)
        return [
            ProductMatch(code, len(code), min(1.0, s + 0.05 * (n - 1)), self.name, label)
            for code, (s, label, n) in sorted(best.items(), key=lambda kv: -kv[1][0])
        ]
