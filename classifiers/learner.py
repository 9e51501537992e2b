"""Learning from labelled notifications: nearest labelled neighbours vote for HS codes.

Labelled examples (:class:`warning.types.LabelledExample`) come from labelled
JSONL files now and from analysts' feedback later; the learner needs no more
than a list of them. With few examples a k-nearest-neighbour vote over TF-IDF
(scikit-learn) is what generalises: it only speaks when a new notification is
close to one already labelled.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifiers.member_codes import valid_code
from classifiers.nomenclature import Nomenclature
from classifiers.prepared import Prepared
from classifiers.textprep import strip_hs_codes
from warning.exceptions import TbtError
from warning.types import LabelledExample, Notification, ProductMatch

NEIGHBOURS = 5
MIN_SIMILARITY = 0.15


class ExamplesError(TbtError, ValueError):
    """A labelled-examples file is unreadable or malformed."""


def examples_from_jsonl(path: Path, nomenclature: Nomenclature) -> list[LabelledExample]:
    """Labelled examples from a file in the notifications' JSONL schema (``hs_codes`` as labels).

    Records without a valid HS 2022 code are skipped.

    Raises:
        ExamplesError: the file cannot be read or a line is not JSON (naming the line).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ExamplesError(f"{path}: cannot read labelled examples: {exc}") from None
    out = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExamplesError(f"{path} line {line_no}: not JSON: {exc}") from None
        codes = [valid_code(nomenclature, str(c)) for c in record.get("hs_codes") or []]
        valid = tuple(dict.fromkeys(c for c in codes if c))
        if not valid:
            continue
        text = " ".join(str(record.get(f) or "") for f in ("title", "products", "description"))
        language = str(record.get("source_lang") or "en")
        out.append(LabelledExample(strip_hs_codes(text), valid, language, f"file:{path.name}#{line_no}"))
    return out


def example_notification(example: LabelledExample) -> Notification:
    """A notification holding an example's text, for preparing it like any other."""
    return Notification(
        key=example.origin or "example",
        symbols=(),
        area="TBT",
        member_codes=(),
        member_name="",
        notification_type="",
        title="",
        products=example.text,
        language=example.language,
    )


class ExampleLearner:
    """k-nearest labelled neighbours (cosine over TF-IDF of bridged English tokens)."""

    name = "learned"

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer  # slow to import; only with examples

        self.vectorizer = TfidfVectorizer(analyzer=list, sublinear_tf=True, dtype=np.float32)
        self.labels: list[tuple[str, ...]] = []
        self.matrix: object = None

    def fit(self, examples: Sequence[Prepared], labels: Sequence[tuple[str, ...]]) -> ExampleLearner:
        """Learn from prepared example texts and their HS codes (replaces what was learnt)."""
        pairs = [(e.tokens, lab) for e, lab in zip(examples, labels, strict=True) if e.tokens and lab]
        self.labels = [lab for _, lab in pairs]
        if pairs:
            self.matrix = self.vectorizer.fit_transform([list(t) for t, _ in pairs]).T.tocsr()
        return self

    def classify_prepared(self, batch: Sequence[Prepared]) -> list[list[ProductMatch]]:
        """Codes voted by each notification's nearest labelled neighbours."""
        if not self.labels or not batch:
            return [[] for _ in batch]
        sims = (self.vectorizer.transform([list(p.tokens) for p in batch]) @ self.matrix).toarray()
        out = []
        for row in sims:
            votes: dict[str, float] = defaultdict(float)
            for index in np.argsort(-row)[:NEIGHBOURS]:
                if row[index] < MIN_SIMILARITY:
                    break
                for code in self.labels[index]:
                    votes[code] += float(row[index]) / len(self.labels[index])
            out.append(
                [
                    ProductMatch(code, len(code), min(1.0, v), self.name, "similar labelled notifications")
                    for code, v in sorted(votes.items(), key=lambda kv: -kv[1])[:5]
                ]
            )
        return out
