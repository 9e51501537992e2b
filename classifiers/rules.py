"""Analysts' keyword rules: a phrase in the text maps to HS prefixes, unless an exclusion is there.

Rules live in the database with their history (:mod:`warning.storage.rules`);
this module only matches them. English phrases match whole words (plural
forms folded: "toy" matches "Toys"), Chinese ones as substrings. An exclusion
found anywhere in the same field vetoes the rule for that field: a "toy" rule
excluding "toy sewing machine" does not fire on "toy sewing machines".

A rule with ``suppress`` set is an exclusion of another kind: where it fires (in
any field), no method's match to its HS prefixes is kept (:meth:`RulesClassifier.suppressed`;
the ensemble drops them before combining). Analysts draft these from exporters'
"not relevant" answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from classifiers.textprep import has_chinese, singular
from warning.types import ClassifierRule, Notification, ProductMatch

_WORD = re.compile(r"[a-z0-9]+")
_FIELDS = (("products", 1.0), ("title", 0.95), ("description", 0.8))


def _words(text: str) -> str:
    """Text as a space-padded sequence of singular words, for whole-word phrase search."""
    return " " + " ".join(singular(w) for w in _WORD.findall(text.lower())) + " "


def phrase_in(phrase: str, text: str, words: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` (Chinese: substring; other: whole words)."""
    if has_chinese(phrase):
        return phrase in text
    return _words(phrase) in words


def rule_fires(rule: ClassifierRule, text: str) -> str | None:
    """The phrase that fires ``rule`` on ``text``, or ``None`` (no phrase, or an exclusion found)."""
    words = _words(text)
    if any(phrase_in(x, text, words) for x in rule.exclusions):
        return None
    for phrase in rule.phrases:
        if phrase_in(phrase, text, words):
            return phrase
    return None


class RulesClassifier:
    """Applies the analysts' rules; a rule is trusted a little less in the description."""

    name = "rule"

    def __init__(self, rules: Sequence[ClassifierRule]) -> None:
        self.rules = [r for r in rules if not r.suppress]
        self.exclusions = [r for r in rules if r.suppress]

    def suppressed(self, notification: Notification) -> tuple[str, ...]:
        """The HS prefixes the exclusions firing on the notification veto."""
        out: list[str] = []
        for rule in self.exclusions:
            if any(rule_fires(rule, getattr(notification, field)) for field, _ in _FIELDS):
                out.extend(rule.hs_codes)
        return tuple(dict.fromkeys(out))

    def classify(self, notification: Notification) -> list[ProductMatch]:
        best: dict[str, ProductMatch] = {}
        for rule in self.rules:
            for field, weight in _FIELDS:
                phrase = rule_fires(rule, getattr(notification, field))
                if phrase is None:
                    continue
                for code in rule.hs_codes:
                    evidence = f"rule {rule.id or '(new)'} v{rule.version}: “{phrase}” in {field}"
                    match = ProductMatch(code, len(code), weight, self.name, evidence)
                    if code not in best or match.score > best[code].score:
                        best[code] = match
                break
        return sorted(best.values(), key=lambda m: (-m.score, m.hs_code))


def without(matches: Sequence[ProductMatch], vetoed: Sequence[str]) -> list[ProductMatch]:
    """``matches`` but those sharing a prefix with a vetoed HS prefix (``8415`` vetoes
    ``841510`` and the chapter-level ``84`` alike: either would alert an 8415 exporter)."""
    if not vetoed:
        return list(matches)
    return [m for m in matches if not any(m.hs_code.startswith(v) or v.startswith(m.hs_code) for v in vetoed)]
