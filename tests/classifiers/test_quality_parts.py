"""Chapter titles as glossary terms, field weights, calibration fitted per method."""

from __future__ import annotations

import pytest

from classifiers.ensemble import DEFAULT_CALIBRATION, Ensemble, fit_calibrations
from classifiers.glossary import chapter_title_entries
from classifiers.nomenclature import load_nomenclature
from tests.classifiers.helpers import note
from warning.types import ProductMatch


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return Ensemble(load_nomenclature())


def test_chapter_titles_name_their_chapter_only() -> None:
    entries = {e.hs: e for e in chapter_title_entries(load_nomenclature())}
    assert "有机化学品" in entries[("29",)].zh
    # A part shared by several chapters' titles names none of them.
    shared = [t for e in entries.values() for t in e.zh if t == "其制品"]
    assert shared == []


@pytest.mark.parametrize(
    ("products", "chapter"),
    [
        ("Apparel and clothing accessories; not knitted or crocheted", "62"),
        ("Apparel and clothing accessories; knitted or crocheted", "61"),
        ("无机化学品;贵金属、稀土金属、放射性元素或同位素的有机或无机化合物", "28"),
        ("软木及软木制品", "45"),
    ],
)
def test_quoted_chapter_titles_rank_their_chapter_first(
    ensemble: Ensemble, products: str, chapter: str
) -> None:
    assert ensemble.classify(note(products))[0].hs_code[:2] == chapter


def test_products_outweigh_the_description(ensemble: Ensemble) -> None:
    ranked = ensemble.classify(note("轮胎", description="玩具"))
    scores = {m.hs_code[:2]: m.score for m in ranked}
    assert ranked[0].hs_code[:2] == "40"
    assert scores.get("95", 0.0) < scores["40"]


def test_regulatory_words_drive_no_match(ensemble: Ensemble) -> None:
    text = "技术法规 标准 要求 计量 合格评定 technical regulation standard requirements labelling conformity"
    assert all(m.score < 0.5 for m in ensemble.classify(note(text, title=text)))


def test_fit_calibrations_learns_each_method_and_keeps_the_rest() -> None:
    evidence = [
        [ProductMatch("9503", 4, 0.9, "glossary", ""), ProductMatch("8517", 4, 0.2, "text", "")],
        [ProductMatch("4011", 4, 0.8, "glossary", ""), ProductMatch("8517", 4, 0.6, "text", "")],
        [ProductMatch("3304", 4, 0.3, "glossary", ""), ProductMatch("3304", 4, 0.5, "text", "")],
        [ProductMatch("0402", 4, 0.2, "glossary", ""), ProductMatch("0402", 4, 0.7, "text", "")],
    ]
    truths = [("9503",), ("4011",), ("95",), ("61",)]
    fitted = fit_calibrations(evidence, truths)
    assert fitted["glossary"](0.9) > fitted["glossary"](0.2)
    # No text match was ever right: too little to fit, the shipped calibration stays.
    assert fitted["text"] == DEFAULT_CALIBRATION["text"]
    assert fitted["member"] == DEFAULT_CALIBRATION["member"]
