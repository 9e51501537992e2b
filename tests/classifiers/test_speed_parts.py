"""The fast paths agree with what they replace: segmentation with jieba, TF-IDF
with scikit-learn, the trie with a term scan; the build cache rebuilds when stale."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import jieba
import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from classifiers import model_cache
from classifiers.glossary import longest_matches, term_trie, trie_pattern
from classifiers.nomenclature import load_nomenclature
from classifiers.text_model import TextModel, _with_bigrams, char_wb_ngrams, heading_documents
from classifiers.textprep import english_tokens
from classifiers.zh_segment import segment

SENTENCES = [
    "本技术法规规定了儿童玩具的安全要求和测试方法",
    "关于婴幼儿配方奶粉中污染物限量的食品安全国家标准",
    "中华人民共和国农业农村部关于农药最大残留限量的公告",
    "电动自行车用锂离子蓄电池组的安全技术规范",
    "医疗器械注册与备案管理办法修订草案",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_segment_agrees_with_jieba(sentence: str) -> None:
    jieba.setLogLevel(logging.WARNING)
    assert segment(sentence) == jieba.lcut(sentence, HMM=False)


def test_segment_keeps_only_chinese_runs() -> None:
    assert segment("Toys 玩具, HS 9503") == ["玩具"]


@pytest.mark.parametrize("word", ["a", "ab", "abc", "toy", "battery"])
def test_char_ngrams_match_scikit_learn(word: str) -> None:
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()
    assert char_wb_ngrams(word) == analyzer(word)


def test_text_model_scores_equal_scikit_learn_tfidf() -> None:
    nomenclature = load_nomenclature()
    model = TextModel(nomenclature)
    docs = heading_documents(nomenclature)
    headings = sorted(docs)
    assert model.headings == headings
    words = TfidfVectorizer(analyzer=_with_bigrams, sublinear_tf=True)
    word_matrix = words.fit_transform([docs[h] for h in headings]).T
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)
    char_matrix = chars.fit_transform([" ".join(docs[h]) for h in headings]).T
    texts = [
        english_tokens("Lithium batteries for electric bicycles; battery packs"),
        english_tokens("Toys toys and games"),
        ["x"],
        [],
    ]
    expected = (
        0.65 * (words.transform(texts) @ word_matrix).toarray()
        + 0.35 * (chars.transform([" ".join(t) for t in texts]) @ char_matrix).toarray()
    )
    assert np.allclose(model.similarities(texts), expected, atol=1e-5)
    assert headings[int(np.argmax(model.similarities(texts[:1])[0]))][:2] == "85"


def test_trie_pattern_takes_the_longest_term_leftmost() -> None:
    pattern = trie_pattern(["手机", "手机壳", "化妆品", "化妆", "机壳"])
    assert [m[0] for m in pattern.finditer("手机壳和手机，化妆品化妆")] == [
        "手机壳",
        "手机",
        "化妆品",
        "化妆",
    ]
    assert trie_pattern([]).search("anything") is None


def test_the_glossary_trie_finds_what_the_pattern_finds() -> None:
    terms = ["手机", "手机壳", "化妆品", "化妆", "机壳", "壳和手"]
    text = "手机壳和手机，化妆品化妆；手"
    expected = [(m.start(), m.end(), m[0]) for m in trie_pattern(terms).finditer(text)]
    assert longest_matches(term_trie(terms), text) == expected
    assert [t for *_, t in expected] == ["手机壳", "手机", "化妆品", "化妆"]
    assert longest_matches(term_trie([]), "anything") == []


def test_cache_builds_once_and_rebuilds_when_stale_or_corrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TBTWARN_CACHE_DIR", str(tmp_path))
    builds: list[int] = []

    def build() -> dict[str, int]:
        builds.append(1)
        return {"built": len(builds)}

    assert model_cache.cached("thing", [b"v1"], build) == {"built": 1}
    assert model_cache.cached("thing", [b"v1"], build) == {"built": 1}
    assert len(builds) == 1
    assert model_cache.cached("thing", [b"v2"], build) == {"built": 2}
    files = list(tmp_path.glob("thing-*.pkl"))
    assert len(files) == 1  # the stale version is gone
    files[0].write_bytes(b"not a pickle")
    assert model_cache.cached("thing", [b"v2"], build) == {"built": 3}
    assert pickle.loads(files[0].read_bytes()) == {"built": 3}


def test_cache_folder_not_writable_still_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("TBTWARN_CACHE_DIR", str(blocker / "sub"))
    assert model_cache.cached("thing", [b"v1"], lambda: 42) == 42
