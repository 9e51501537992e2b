"""Chinese word segmentation with jieba's dictionary and its max-probability path.

jieba's precise mode without the HMM picks, over the graph of the dictionary's
words in a sentence, the path of greatest product of word frequencies. This
module does the same over runs of Chinese characters, with the dictionary
prepared once (log-probabilities and prefixes, cached by
:mod:`classifiers.model_cache`), which loads and runs several times faster than
``jieba.lcut(text, HMM=False)``; ``tests/classifiers`` checks both agree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from classifiers.model_cache import cached, source_of

_HAN = re.compile("[\u4e00-\u9fd5]+")


@dataclass
class Dictionary:
    """jieba's dictionary: log-probabilities of its words, the prefixes that are not words."""

    logp: dict[str, float]
    partial: frozenset[str]
    unknown: float

    def cut(self, run: str) -> list[str]:
        """The most probable split of a run of Chinese characters into words."""
        n = len(run)
        logp, partial = self.logp, self.partial
        score = [0.0] * (n + 1)
        nxt = [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            best, best_end = -math.inf, 0
            for j in range(i + 1, n + 1):
                fragment = run[i:j]
                p = logp.get(fragment)
                if p is None:
                    if fragment in partial:
                        continue
                    break
                # ">=": on a tie jieba keeps the longer word.
                if p + score[j] >= best:
                    best, best_end = p + score[j], j
            if not best_end:
                best, best_end = self.unknown + score[i + 1], i + 1
            score[i], nxt[i] = best, best_end
        words, i = [], 0
        while i < n:
            words.append(run[i : nxt[i]])
            i = nxt[i]
        return words


def _build() -> Dictionary:
    import jieba  # only to read its dictionary when (re)building the cache

    frequencies, total = jieba.Tokenizer.gen_pfdict(jieba.Tokenizer().get_dict_file())
    log_total = math.log(total)
    logp = {w: math.log(f) - log_total for w, f in frequencies.items() if f}
    # Only the prefixes that are not words themselves: a smaller set loads faster.
    return Dictionary(logp, frozenset(w for w, f in frequencies.items() if not f), -log_total)


def _dictionary_bytes() -> bytes:
    # Read as a resource: importing jieba itself is not needed once the cache exists.
    return resources.files("jieba").joinpath("dict.txt").read_bytes()


@cache
def dictionary() -> Dictionary:
    """jieba's bundled dictionary, prepared once and cached."""
    return cached("zh-dictionary", [_dictionary_bytes(), *source_of("zh_segment")], _build)


def segment(text: str) -> list[str]:
    """The Chinese words of ``text`` (other characters are left to the English tokeniser)."""
    words = dictionary()
    out: list[str] = []
    for run in _HAN.findall(text):
        out.extend(words.cut(run))
    return out
