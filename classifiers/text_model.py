"""Retrieval over the HS 2022 nomenclature text: a notification's words to HS headings.

Each heading is a document made of its own description (twice), its
subheadings' and its chapter's; words (with bigrams) and character n-grams are
weighted by TF-IDF, and a notification is scored against every heading by
cosine similarity. Chinese reaches it through :mod:`classifiers.zh_bridge`.

The indexes are fitted with scikit-learn once and cached
(:mod:`classifiers.model_cache`); notifications are vectorised by
:class:`Index` itself, in batches, with the same weighting as scikit-learn's
``TfidfVectorizer(sublinear_tf=True)`` but each distinct word's character
n-grams computed once, which is most of the speed.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
from scipy import sparse

from classifiers.model_cache import cached, source_of
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
        # Chapter 99 ("Commodities not specified according to kind") is for national use:
        # no goods to match, and its words ("according", "kind") are in every notice.
        if entry.level == 2 or code.startswith("99"):
            continue
        tokens = english_tokens(_EXCL.sub(" ", entry.description))
        heading = code[:4]
        docs[heading].extend(tokens * (2 if entry.level == 4 else 1))
    for heading, tokens in docs.items():
        chapter = nomenclature.get(heading[:2])
        if chapter is not None:
            tokens.extend(english_tokens(_EXCL.sub(" ", chapter.description)))
    return dict(docs)


_CHAR_RANGE = (3, 5)
_WORD_CACHE_LIMIT = 200_000


def char_wb_ngrams(word: str, low: int = _CHAR_RANGE[0], high: int = _CHAR_RANGE[1]) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one whitespace-free word (padded with spaces)."""
    padded = f" {word} "
    out = []
    for n in range(low, high + 1):
        if len(padded) <= n:
            # scikit-learn counts a word no longer than n once, as a whole, and stops.
            out.append(padded)
            break
        out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass
class Index:
    """A fitted TF-IDF space: feature -> column, idf weights, the headings' matrix (features x headings)."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    matrix: sparse.csr_matrix

    def vectors(self, lengths: Sequence[int], columns: Sequence[int]) -> sparse.csr_matrix:
        """L2-normalised sublinear TF-IDF rows; row i has the next ``lengths[i]`` columns (repeats add up)."""
        n = len(lengths)
        rows = np.repeat(np.arange(n, dtype=np.int32), np.array(lengths, dtype=np.int64))
        cols = np.array(columns, dtype=np.int32)
        counted = sparse.coo_matrix(
            (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(n, len(self.idf))
        ).tocsr()
        counted.sum_duplicates()
        data = (1.0 + np.log(counted.data)) * self.idf[counted.indices]
        row_of = np.repeat(np.arange(n), np.diff(counted.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=n))
        norms[norms == 0] = 1.0
        counted.data = (data / norms[row_of]).astype(np.float32)
        return counted


def _fit(analyzer: object, docs: list[object], **options: object) -> Index:
    from sklearn.feature_extraction.text import TfidfVectorizer  # only when (re)building the cache

    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32, **options)
    matrix = vectorizer.fit_transform(docs).T.tocsr()
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    return Index(vocabulary, vectorizer.idf_.astype(np.float32), matrix)


@dataclass
class _Fitted:
    headings: list[str]
    vocab: list[frozenset[str]]
    words: Index
    chars: Index


def _build(nomenclature: Nomenclature) -> _Fitted:
    docs = heading_documents(nomenclature)
    headings = sorted(docs)
    words = _fit(_with_bigrams, [docs[h] for h in headings])
    chars = _fit("char_wb", [" ".join(docs[h]) for h in headings], ngram_range=_CHAR_RANGE, min_df=2)
    return _Fitted(headings, [frozenset(docs[h]) for h in headings], words, chars)


def _nomenclature_bytes() -> bytes:
    return resources.files("classifiers").joinpath("data/hs/harmonized-system.csv").read_bytes()


class TextModel:
    """TF-IDF retrieval of HS headings (word uni/bigrams + character 3-5-grams)."""

    name = "text"

    def __init__(self, nomenclature: Nomenclature, *, use_cache: bool = True) -> None:
        if use_cache:
            inputs = [_nomenclature_bytes(), *source_of("text_model", "textprep")]
            fitted = cached("text-index", inputs, lambda: _build(nomenclature))
        else:
            fitted = _build(nomenclature)
        self.headings = fitted.headings
        self.vocab = fitted.vocab
        self.words = fitted.words
        self.chars = fitted.chars
        self._char_features: dict[str, tuple[int, ...]] = {}

    def _word_vectors(self, batch: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        lengths: list[int] = []
        columns: list[int] = []
        vocabulary = self.words.vocabulary
        for tokens in batch:
            found = [c for c in map(vocabulary.get, _with_bigrams(tokens)) if c is not None]
            columns.extend(found)
            lengths.append(len(found))
        return self.words.vectors(lengths, columns)

    def _char_vectors(self, batch: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        # A word's n-grams are the same wherever it occurs: each word is looked up once per process.
        lengths: list[int] = []
        columns: list[int] = []
        known = self._char_features
        if len(known) > _WORD_CACHE_LIMIT:
            known.clear()
        vocabulary = self.chars.vocabulary
        for tokens in batch:
            before = len(columns)
            # Products are repeated to weigh more: count each distinct word once, times its repeats.
            for word, times in Counter(tokens).items():
                found = known.get(word)
                if found is None:
                    found = known[word] = tuple(
                        c for c in map(vocabulary.get, char_wb_ngrams(word)) if c is not None
                    )
                columns.extend(found if times == 1 else found * times)
            lengths.append(len(columns) - before)
        return self.chars.vectors(lengths, columns)

    def similarities(self, batch: Sequence[Sequence[str]]) -> np.ndarray:
        """Cosine similarity of each token list to every heading (rows: texts)."""
        words = self._word_vectors(batch) @ self.words.matrix
        chars = self._char_vectors(batch) @ self.chars.matrix
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
