"""A notification's text prepared once for every text method."""

from __future__ import annotations

from dataclasses import dataclass

from classifiers.glossary import Glossary, Hit, hits_for
from classifiers.textprep import english_tokens, has_chinese
from classifiers.zh_bridge import Bridge
from classifiers.zh_segment import segment
from warning.types import Notification

_FIELDS = ("products", "title", "description")
# Products name what is regulated; the description mostly says how.
_REPEAT = {"products": 3, "title": 2, "description": 1}


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
    for field in _FIELDS:
        text = getattr(notification, field)
        if not text:
            continue
        field_tokens = english_tokens(text)
        if has_chinese(text):
            words = segment(text)
            zh_tokens[field] = words
            field_tokens += bridge.translate(words)
        tokens.extend(field_tokens * _REPEAT[field])
    hits = hits_for(glossary, notification, zh_tokens)
    return Prepared(notification, tuple(tokens), tuple(hits), bool(zh_tokens))
