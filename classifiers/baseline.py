"""The baseline the issue compares against, computed in the same run.

English: plain TF-IDF (scikit-learn defaults) over the HS heading and
subheading descriptions. Chinese: character n-grams over the Chinese chapter
names. Each returns one ranked chapter-level list per notification.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from classifiers.nomenclature import Nomenclature
from classifiers.textprep import has_chinese
from warning.types import Notification, ProductMatch


class Baseline:
    """Plain TF-IDF retrieval (English over HS descriptions, Chinese over chapter names)."""

    name = "baseline"

    def __init__(self, nomenclature: Nomenclature) -> None:
        # Imported here: scikit-learn (with SciPy's stats) costs every start of
        # the web app and the daemon seconds, for the evaluation page alone.
        from sklearn.feature_extraction.text import TfidfVectorizer

        lines = [e for e in nomenclature.entries.values() if e.level > 2]
        self.codes = [e.code for e in lines]
        self.en = TfidfVectorizer()
        self.en_matrix = self.en.fit_transform([e.description for e in lines]).T.tocsr()
        chapters = [e for e in nomenclature.entries.values() if e.level == 2 and e.name_zh]
        self.chapters = [e.code for e in chapters]
        self.zh = TfidfVectorizer(analyzer="char", ngram_range=(1, 2))
        self.zh_matrix = self.zh.fit_transform([e.name_zh for e in chapters]).T.tocsr()

    def classify(self, notification: Notification) -> list[ProductMatch]:
        text = " ".join(p for p in (notification.title, notification.products, notification.description) if p)
        if has_chinese(text):
            row = (self.zh.transform([text]) @ self.zh_matrix).toarray()[0]
            codes = self.chapters
        else:
            row = (self.en.transform([text]) @ self.en_matrix).toarray()[0]
            codes = self.codes
        return [
            ProductMatch(codes[i], len(codes[i]), float(row[i]), self.name, "tf-idf")
            for i in np.argsort(-row)[:50]
            if row[i] > 0
        ]

    def classify_many(self, batch: Sequence[Notification]) -> list[list[ProductMatch]]:
        return [self.classify(n) for n in batch]
