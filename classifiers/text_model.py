"""Retrieval over the HS 2022 nomenclature text: a notification's words to HS headings.

Each heading is a document made of its own description (twice), its
subheadings' and its chapter's; words (with bigrams) and character n-grams are
weighted by TF-IDF, and a notification is scored against every heading by
cosine similarity. Chinese reaches it through :mod:`classifiers.zh_bridge`.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from classifiers.nomenclature import Nomenclature
from classifiers.prepared import Prepared
from classifiers.textprep import english_tokens
from warning.types import ProductMatch

# "(excl. ...)" lists name what a line is NOT: keep them out of its document.
_EXCL = re.compile(r"\((?:excl|other than|not including)[^()]*(?:\([^()]*\)[^()]*)*\)", re.IGNORECASE)
_WORD_WEIGHT = 0.65
TOP_HEADINGS = 5


def _with_bigrams(tokens: Sequence[str]) -> list[str]:
    return list(tokens) + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def heading_documents(nomenclature: Nomenclature) -> dict[str, list[str]]:
    """Token lists of every HS heading: its text, its subheadings', its chapter's."""
    docs: dict[str, list[str]] = defaultdict(list)
    for code, entry in nomenclature.entries.items():
        if entry.level == 2:
            continue
        tokens = english_tokens(_EXCL.sub(" ", entry.description))
        heading = code[:4]
        docs[heading].extend(tokens * (2 if entry.level == 4 else 1))
    for heading, tokens in docs.items():
        chapter = nomenclature.get(heading[:2])
        if chapter is not None:
            tokens.extend(english_tokens(_EXCL.sub(" ", chapter.description)))
    return dict(docs)


class TextModel:
    """TF-IDF retrieval of HS headings (word uni/bigrams + character 3-5-grams)."""

    name = "text"

    def __init__(self, nomenclature: Nomenclature) -> None:
        docs = heading_documents(nomenclature)
        self.headings = sorted(docs)
        self.vocab = [frozenset(docs[h]) for h in self.headings]
        self.words = TfidfVectorizer(analyzer=_with_bigrams, sublinear_tf=True, dtype=np.float32)
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32, min_df=2
        )
        self.word_matrix = self.words.fit_transform([docs[h] for h in self.headings]).T.tocsr()
        self.char_matrix = self.chars.fit_transform([" ".join(docs[h]) for h in self.headings]).T.tocsr()

    def similarities(self, batch: Sequence[Sequence[str]]) -> np.ndarray:
        """Cosine similarity of each token list to every heading (rows: texts)."""
        words = self.words.transform([list(t) for t in batch]) @ self.word_matrix
        chars = self.chars.transform([" ".join(t) for t in batch]) @ self.char_matrix
        sims: np.ndarray = _WORD_WEIGHT * words.toarray() + (1 - _WORD_WEIGHT) * chars.toarray()
        return sims

    def classify_prepared(self, batch: Sequence[Prepared]) -> list[list[ProductMatch]]:
        """The best headings for each prepared notification, raw similarity as score."""
        if not batch:
            return []
        sims = self.similarities([p.tokens for p in batch])
        out: list[list[ProductMatch]] = []
        for row, prepared in zip(sims, batch, strict=True):
            if not prepared.tokens:
                out.append([])
                continue
            best = np.argsort(-row)[:TOP_HEADINGS]
            query = set(prepared.tokens)
            matches = []
            for index in best:
                score = float(row[index])
                if score <= 0.0:
                    break
                shared = sorted(query & self.vocab[index])[:6]
                evidence = "words " + ", ".join(shared) if shared else "character n-grams"
                matches.append(ProductMatch(self.headings[index], 4, min(1.0, score), self.name, evidence))
            out.append(matches)
        return out
