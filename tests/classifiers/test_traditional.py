"""Traditional Chinese text (Taiwan, Hong Kong, and portals' copies) is read as simplified."""

from __future__ import annotations

import pytest

from classifiers.ensemble import Ensemble
from classifiers.nomenclature import load_nomenclature
from classifiers.rules import RulesClassifier
from classifiers.textprep import simplified, strip_hs_codes
from tests.classifiers.helpers import note
from warning.types import ClassifierRule


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return Ensemble(load_nomenclature())


def test_traditional_characters_and_phrases_become_simplified() -> None:
    assert simplified("汽車用制動器襯片") == "汽车用制动器衬片"
    assert simplified("乾燥,既不壓碎也不磨碎") == "干燥,既不压碎也不磨碎"
    # Simplified and non-Chinese text is left as it is.
    assert simplified("电风扇、电饭煲") == "电风扇、电饭煲"
    assert simplified("Brake linings") == "Brake linings"


@pytest.mark.parametrize(
    ("traditional", "chapter"),
    [("個人衛生用品", "33"), ("兒童高腳椅", "94"), ("胡蘿蔔", "07"), ("電風扇、電飯煲和照明產品", "85")],
)
def test_a_traditional_products_line_is_classified_as_its_simplified_twin(
    ensemble: Ensemble, traditional: str, chapter: str
) -> None:
    ranked = ensemble.classify(note(traditional, language="zh"))
    twin = ensemble.classify(note(simplified(traditional), language="zh"))
    assert [(m.hs_code, m.score) for m in ranked] == [(m.hs_code, m.score) for m in twin]
    assert chapter in {m.hs_code[:2] for m in ranked if m.score >= 0.7}


def test_an_analysts_simplified_phrase_fires_on_traditional_text() -> None:
    rule = ClassifierRule(("制动器衬片",), ("870830",))
    ensemble = Ensemble(load_nomenclature(), rules=[rule])
    ranked = ensemble.classify(note("汽車用制動器襯片", language="zh"))
    assert any(m.hs_code == "870830" and "rule" in m.method for m in ranked)
    # The rules method alone reads the text as written.
    assert RulesClassifier([rule]).classify(note("汽車用制動器襯片")) == []


def test_hs_codes_after_traditional_words_are_cut() -> None:
    assert "1209" not in strip_hs_codes("鷹嘴豆 [稅則號1209]")
    assert "8708" not in strip_hs_codes("HS編碼: 8708.3010, 8708.3091")
