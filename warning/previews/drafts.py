"""Drafts of a rule or an exclusion from an exporter's answer on an alert.

An analyst who reads "not relevant" (or "relevant" on a match that scored below the
alert threshold) starts from the alert's evidence: the words that made the match
(glossary words and rule phrases are quoted in it, the text model lists its words) and
the HS codes it alerted. The draft only fills the rule form; the preview shows what it
would do before anything is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from warning.levels.matching import shares_prefix
from warning.storage.feedback import FeedbackView
from warning.types import ProductMatch

_QUOTED = re.compile(r"“([^”]+)”")
_TEXT_WORDS = re.compile(r"text: words ([^;]+)")
#: Phrases a draft offers at most (the analyst edits the list).
MAX_PHRASES = 3


@dataclass(frozen=True)
class Draft:
    """The rule form's fields, prefilled."""

    phrases: str
    hs_codes: str
    note: str


def evidence_phrases(evidence: str) -> list[str]:
    """The words an alert's evidence names: quoted glossary words and rule phrases first,
    then the text model's words."""
    quoted = _QUOTED.findall(evidence)
    words = [w.strip() for found in _TEXT_WORDS.findall(evidence) for w in found.split(",")]
    return list(dict.fromkeys(p for p in (*quoted, *words) if p))


def concerning(item: FeedbackView) -> list[ProductMatch]:
    """The notification's current matches that concern the exporter (share a prefix with
    one of its HS codes), best first."""
    return [m for m in item.current if any(shares_prefix(m.hs_code, c) for c in item.exporter_codes)]


def _below(item: FeedbackView, threshold: float) -> list[ProductMatch] | None:
    """For a "relevant" answer, the matches concerning the exporter when the best of them
    now scores below ``threshold`` (or none is left); ``None`` when it still alerts.

    The alert's own matches alerted when it was made, so the notification's matches as
    classified now are what tell: a reclassification, a rule or a higher threshold can
    have taken the exporter's products below it. A notification with no stored match at
    all is judged by the alert's matches.
    """
    if not item.current:
        best = max((m.score for m in item.matches), default=0.0)
        return list(item.matches) if best < threshold else None
    mine = concerning(item)
    return mine if max((m.score for m in mine), default=0.0) < threshold else None


def draft(item: FeedbackView, note: str, threshold: float | None = None) -> Draft:
    """A draft from one answer: the evidence's phrases (or the title's start when the
    evidence names none) and the HS codes, most confident first.

    For "not relevant", the alert's codes (to exclude); for "relevant" below
    ``threshold``, the exporter's codes the notification should have matched, from the
    phrases of the matches that concern it.
    """
    below = _below(item, threshold) if item.relevant and threshold is not None else None
    sources = below if below else item.matches
    phrases: list[str] = []
    for match in sources:
        phrases.extend(p for p in evidence_phrases(match.evidence) if p not in phrases)
    if not phrases:
        phrases = [item.title[:60]]
    if below is not None and item.exporter_codes:
        codes = [c for c in item.exporter_codes if any(shares_prefix(c, m.hs_code) for m in below)]
        codes = codes or list(item.exporter_codes)
    else:
        codes = [m.hs_code for m in item.matches] or list(item.hs_codes)
    return Draft("\n".join(phrases[:MAX_PHRASES]), " ".join(dict.fromkeys(codes)), note)


def needs_fix(item: FeedbackView, threshold: float) -> bool:
    """A "not relevant" answer, or a "relevant" one whose products (the notification's
    current matches concerning the exporter) score below the threshold."""
    if not item.relevant:
        return True
    return _below(item, threshold) is not None
