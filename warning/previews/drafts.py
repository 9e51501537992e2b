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

from warning.storage.feedback import FeedbackView

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


def draft(item: FeedbackView, note: str) -> Draft:
    """A draft from one answer: the evidence's phrases (or the title's start when the
    evidence names none) and the alert's HS codes, most confident first."""
    phrases: list[str] = []
    for match in item.matches:
        phrases.extend(p for p in evidence_phrases(match.evidence) if p not in phrases)
    if not phrases:
        phrases = [item.title[:60]]
    codes = [m.hs_code for m in item.matches] or list(item.hs_codes)
    return Draft("\n".join(phrases[:MAX_PHRASES]), " ".join(dict.fromkeys(codes)), note)


def needs_fix(item: FeedbackView, threshold: float) -> bool:
    """A "not relevant" answer, or a "relevant" one whose best match scored below the threshold."""
    if not item.relevant:
        return True
    return bool(item.matches) and max(m.score for m in item.matches) < threshold
