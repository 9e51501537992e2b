"""A notification's text prepared once for every text method."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.glossary import Glossary, Hit, hits_for
from classifiers.textprep import english_tokens, has_chinese
from classifiers.zh_bridge import Bridge
from classifiers.zh_segment import segment
from warning.types import Notification

_FIELDS = ("products", "title", "description")
# Products name what is regulated; the description mostly says how.
_REPEAT = {"products": 3, "title": 2, "description": 1}
# What a products line says it does NOT cover: "(excl. water, fruit juices and beer)",
# "(other than ...)", "(不包括...)", "除...外". Products named there are no evidence.
_EXCLUSIONS = re.compile(
    r"[(（]\s*(?:(?:excl|excluding|other than|not including|except)\b\.?|不包括|不含)[^()（）]*[)）]"
    r"|[(（][^()（）]{1,40}除外[)）]"
    r"|(?:不包括|除了?)[^,，;；。()（）]{1,40}?(?:以外|之外)",
    re.IGNORECASE,
)


def without_exclusions(text: str) -> str:
    """``text`` without the spans that name what it excludes."""
    return _EXCLUSIONS.sub(" ", text) if text else text


@dataclass(frozen=True)
class Prepared:
    """English tokens (Chinese bridged), glossary hits, the Chinese words found."""

    notification: Notification
    tokens: tuple[str, ...]
    hits: tuple[tuple[Hit, float], ...]
    chinese: bool


def prepare(notification: Notification, glossary: Glossary, bridge: Bridge) -> Prepared:
    """Segment, bridge and look up a notification's products, title and description."""
    tokens: list[str] = []
    zh_tokens: dict[str, list[str]] = {}
    texts = {field: without_exclusions(getattr(notification, field)) for field in _FIELDS}
    for field in _FIELDS:
        text = texts[field]
        if not text:
            continue
        field_tokens = english_tokens(text)
        if has_chinese(text):
            words = segment(text)
            zh_tokens[field] = words
            field_tokens += bridge.translate(words)
        tokens.extend(field_tokens * _REPEAT[field])
    hits = hits_for(glossary, notification, zh_tokens, texts)
    return Prepared(notification, tuple(tokens), tuple(hits), bool(zh_tokens))
