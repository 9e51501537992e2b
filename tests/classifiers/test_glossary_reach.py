"""Issue 20, second round: heading words of the chapters the first round did not reach (salt,
stone and fuels, wood, cork and paper, stone and glass articles, precious stones, base metals,
locks and fittings, railway, aircraft and ships, watches, musical instruments, art) and medical
devices by their standard Chinese names; the knitted/not-knitted twin chapters."""

from __future__ import annotations

import pytest

from classifiers.ensemble import Ensemble
from classifiers.nomenclature import load_nomenclature
from tests.classifiers.helpers import note


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return Ensemble(load_nomenclature())


@pytest.mark.parametrize(
    ("products", "heading"),
    [
        ("建设用卵石、碎石", "2517"),
        ("用于水泥和混凝土中的粉煤灰", "2621"),
        ("船用燃料油", "2710"),
        ("木质颗粒燃料", "4401"),
        ("一次性筷子", "4419"),
        ("漂白硫酸盐木浆", "4703"),
        ("儿童图画书", "4903"),
        ("树脂砂轮", "6804"),
        ("管制注射剂瓶", "7010"),
        ("培育钻石", "7104"),
        ("电解铜箔", "7410"),
        ("铝合金气瓶", "7613"),
        ("燃气用不锈钢波纹软管", "8307"),
        ("智能门锁", "8301"),
        ("罐式集装箱", "8609"),
        ("民用无人驾驶航空器", "8806"),
        ("气胀式救生筏", "8907"),
        ("手表表带", "9113"),
        ("口琴和手风琴", "9205"),
        ("心电监护仪", "9018"),
        ("真空采血管", "9018"),
        ("额温枪", "9025"),
        ("婴儿床", "9403"),
        ("移动电源", "8507"),
    ],
)
def test_a_chinese_products_line_naming_a_heading_word_maps_to_that_heading(
    ensemble: Ensemble, products: str, heading: str
) -> None:
    # Written from the HS 2022 headings and the goods' standard Chinese names, not from notifications.
    ranked = ensemble.classify(note(products, language="zh"))
    assert ranked[0].hs_code[:4] == heading
    assert ranked[0].score >= 0.7


@pytest.mark.parametrize(
    ("products", "heading"),
    [
        ("Jet fuel", "2710"),
        ("Wood pellets for non-industrial use", "4401"),
        ("Cross-laminated timber", "4418"),
        ("Coated abrasives", "6805"),
        ("Lab-grown diamonds", "7104"),
        ("Aluminium gas cylinders", "7613"),
        ("Freight containers", "8609"),
        ("Unmanned aerial vehicles", "8806"),
        ("Flat panel display modules", "8524"),
        ("Music boxes", "9208"),
    ],
)
def test_an_english_products_line_naming_a_heading_word_maps_to_that_heading(
    ensemble: Ensemble, products: str, heading: str
) -> None:
    ranked = ensemble.classify(note(products))
    assert ranked[0].hs_code[:4] == heading


def test_chopsticks_are_wooden_tableware_as_hs_2022_reads(ensemble: Ensemble) -> None:
    # HS 2022 moved chopsticks and chopping boards of wood to 4419 (they were 4421).
    assert ensemble.classify(note("竹制筷子", language="zh"))[0].hs_code[:4] == "4419"


def test_the_unnamed_twin_of_a_named_clothing_chapter_does_not_alert(ensemble: Ensemble) -> None:
    # The text model half-matches the garments of 61 and 62 alike; the title names 62 only.
    ranked = ensemble.classify(note("Articles of apparel and clothing accessories, not knitted or crocheted"))
    assert ranked[0].hs_code[:2] == "62"
    assert all(m.score < 0.7 for m in ranked if m.hs_code[:2] == "61")
    # Named both ways, both alert.
    both = ensemble.classify(note("针织或钩编的服装及衣着附件;非针织或非钩编的服装及衣着附件", language="zh"))
    assert {m.hs_code[:2] for m in both if m.score >= 0.7} >= {"61", "62"}


@pytest.mark.parametrize(
    ("products", "heading"),
    [
        # Plurals the word folding reads apart from their singular ("shoes" -> "sho") are terms too.
        ("Safety shoes", "6404"),
        ("Kitchen knives", "8211"),
        ("Contact lenses", "9001"),
        ("Buses and coaches", "8702"),
        ("Fluorinated greenhouse gases", "2903"),
        # Regulators' names of goods.
        ("Gas appliances", "7321"),
        ("Two-wheel vehicles", "8711"),
        ("Recreational craft and personal watercraft", "8903"),
        ("Non-automatic weighing instruments", "8423"),
        ("Wind turbines", "8502"),
    ],
)
def test_plurals_and_regulators_names_reach_their_heading(
    ensemble: Ensemble, products: str, heading: str
) -> None:
    assert ensemble.classify(note(products))[0].hs_code[:4] == heading
