"""A notification's text prepared once for every text method."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from classifiers.glossary import Glossary, Hit, hits_for
from classifiers.textprep import english_tokens, has_chinese, simplified
from classifiers.zh_bridge import Bridge
from classifiers.zh_segment import segment
from warning.types import Notification

_FIELDS = ("products", "title", "description")
# Products name what is regulated; the description mostly says how.
_REPEAT = {"products": 3, "title": 2, "description": 1}
# What a products line says it does NOT cover: "(excl. water, fruit juices and beer)",
# "(other than ...)", "(不包括...)", "除...外", "铁路或轨道车辆以外的车辆", "没有...的",
# "without ...". Products named there are no evidence.
_EXCLUSIONS = re.compile(
    r"[(（]\s*(?:(?:excl|excluding|other than|not including|except)\b\.?|不包括|不含)[^()（）]*[)）]"
    r"|[(（][^()（）]{1,40}除外[)）]"
    r"|(?:不包括|除了?)[^,，;；。()（）]{1,40}?(?:以外|之外)"
    # "没有机械部件和可更换过滤器的面罩": the mask has no mechanical parts.
    r"|(?:没有|不带|不含|不具有)[^,，;；。()（）:：\s]{1,16}?的"
    r"|(?<!or )\bwithout\s[a-z][a-z -]{0,40}?(?=[,;.)]|\sand\b|\sor\b|$)"
    # "food preparations ..., not containing cocoa": what the goods do not contain.
    r"|\bnot\scontaining\s[a-z][a-z -]{0,30}?(?=[,;.)]|\sor\b|$)",
    re.IGNORECASE,
)
# "铁路或轨道车辆以外的车辆": the vehicles are not railway ones (tried only where "以外"/"之外" is).
_OTHER_THAN = re.compile(r"(?:^|(?<=[,，;；。:：(（\s]))[^,，;；。()（）:：\s]{1,20}?(?:以外|之外)的")


# What a measure limits IN a product is no product of its own: "玩具中铅和镉的限量",
# "食品中农药最大残留限量", "污染物限量：铅、镉、汞", "maximum residue limits for
# acetamiprid in fruit", "lead content of paints". The substances are cut, the product kept.
_ZH_SEP = r"[^，,。;；:：()（）\n]"
_LIMIT_WORDS = r"(?:最大)?(?:残留)?(?:限量|含量|迁移量|释放量|限值|残留量|残留)"
# "乳含量超过50%的食品" defines the product by what it contains: that is kept.
_MEASURED = r"超过|不超过|不低于|低于|高于|大于|小于|以上|以下|为|在|[≥≤><%\d]"
_LIMITED = re.compile(
    rf"(?P<zh>中(?:的)?)(?:(?!中){_ZH_SEP}){{1,24}}?(?=(?:的)?{_LIMIT_WORDS}(?!{_MEASURED}))"
    rf"|(?P<list>限量[:：]){_ZH_SEP}{{1,40}}"
    r"|(?P<en>\b(?:(?:maximum\s)?(?:residue\s)?limits?|levels?|migration|release|residues?|concentrations?)"
    r"\s(?:of|for)\s)[a-z0-9 ,()-]{1,60}?(?=\s(?:in|on|from)\b)",
    re.IGNORECASE,
)


def _kept(match: re.Match[str]) -> str:
    return (match["zh"] or match["list"] or match["en"] or "") + " "


#: Words without which no span of :data:`_LIMITED` can match (checked first: it is cheaper).
_LIMIT_HINTS = (
    "限",
    "含量",
    "迁移量",
    "释放量",
    "残留",
    "limit",
    "level",
    "migration",
    "release",
    "residue",
    "concentration",
)


# The name of a list a measure amends, which names what its entries are for, not goods: Brazil's
# monographs of pesticide active ingredients ("Monograph List of Active Ingredients for Pesticides,
# Household Cleaning Products and Wood Preservatives", "杀虫剂、家庭清洁产品及木材防腐剂活性成分
# 专项表"), amended by a hundred resolutions a year whose goods are the crops of the residue limits.
_LIST_NAMES = re.compile(
    r"\b(?:monograph\s+list|relation\s+of\s+monograph(?:ie)?s)\s+of\s+active\s+ingredients\s+(?:for|of)\s+"
    r"pesticides,?\s+household\s+"
    r"(?:cleaning|disinfectant|sanitizing)\s+products,?\s+and\s+wood\s+preserv(?:atives|ers)"
    r"|(?:杀虫剂|农药)、家庭(?:清洁|消毒|卫生)产品(?:及|和)木材防腐剂活性成[分份](?:专项表|专论清单|目录)",
    re.IGNORECASE,
)


def without_exclusions(text: str) -> str:
    """``text`` without the spans that name what it excludes, or what it limits in a product,
    or the name of a list of substances it amends (:data:`_LIST_NAMES`)."""
    if not text:
        return text
    text = _EXCLUSIONS.sub(" ", text)
    if "onograph" in text or "专项表" in text or "目录" in text or "专论" in text:
        text = _LIST_NAMES.sub(" ", text)
    if "以外" in text or "之外" in text:
        text = _OTHER_THAN.sub(" ", text)
    lowered = text.lower()
    if any(hint in lowered for hint in _LIMIT_HINTS):
        text = _LIMITED.sub(_kept, text)
    return text


@dataclass(frozen=True)
class Prepared:
    """English tokens (Chinese bridged), glossary hits, the Chinese words found."""

    notification: Notification
    tokens: tuple[str, ...]
    hits: tuple[tuple[Hit, float], ...]
    chinese: bool


def _heads(text: str, words: list[str], modifiers: list[tuple[int, int]]) -> list[str]:
    """The segmented words of ``text`` but those overlapping a glossary modifier ("摩托车的防护头盔":
    the motorcycle the helmet is for; "奶山羊饲料": the goats the feed is for), so that the text
    model reads the goods, as the glossary does."""
    if not modifiers:
        return words
    kept: list[str] = []
    position = 0
    for word in words:
        start = text.find(word, position)
        if start < 0:
            kept.append(word)
            continue
        position = start + len(word)
        if not any(start < high and low < position for low, high in modifiers):
            kept.append(word)
    return kept


def in_simplified(notification: Notification) -> Notification:
    """The notification with its products, title and description in simplified Chinese
    where they are written in traditional characters (:func:`classifiers.textprep.simplified`)."""
    n = notification
    products, title, description = simplified(n.products), simplified(n.title), simplified(n.description)
    if (products, title, description) == (n.products, n.title, n.description):
        return n
    return replace(n, products=products, title=title, description=description)


def prepare(notification: Notification, glossary: Glossary, bridge: Bridge) -> Prepared:
    """Segment, bridge and look up a notification's products, title and description
    (read in simplified Chinese: ``notification`` of the result is that reading)."""
    notification = in_simplified(notification)
    tokens: list[str] = []
    texts = {field: without_exclusions(getattr(notification, field)) for field in _FIELDS}
    zh_tokens = {field: segment(text) for field, text in texts.items() if text and has_chinese(text)}
    modifiers: dict[str, list[tuple[int, int]]] = {}
    hits = hits_for(glossary, notification, zh_tokens, texts, modifiers)
    for field in _FIELDS:
        text = texts[field]
        if not text:
            continue
        field_tokens = english_tokens(text)
        if field in zh_tokens:
            field_tokens += bridge.translate(_heads(text, zh_tokens[field], modifiers.get(field, [])))
        tokens.extend(field_tokens * _REPEAT[field])
    return Prepared(notification, tuple(tokens), tuple(hits), bool(zh_tokens))
