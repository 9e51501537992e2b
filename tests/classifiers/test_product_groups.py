"""Product groups and section titles name whole chapters; named chapters of a list all alert."""

from __future__ import annotations

import pytest

from classifiers.ensemble import DEFAULT_CALIBRATION, Ensemble, combine
from classifiers.glossary import (
    GlossaryClassifier,
    as_chapter_list,
    hits_for,
    load_glossary,
    section_title_entries,
    zh_items,
)
from classifiers.nomenclature import load_nomenclature
from classifiers.textprep import strip_hs_codes
from classifiers.zh_segment import segment
from tests.classifiers.helpers import note
from warning.types import Notification, ProductMatch

ALERT = 0.7


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return Ensemble(load_nomenclature())


def alerted(ensemble: Ensemble, products: str) -> set[str]:
    return {m.hs_code[:2] for m in ensemble.classify(note(products)) if m.score >= ALERT}


def test_section_titles_cover_their_sections_chapters() -> None:
    entries = {e.zh[0]: e for e in section_title_entries(load_nomenclature()) if e.zh}
    textiles = entries["纺织原料及纺织制品"]
    assert textiles.hs == tuple(str(c) for c in range(50, 64))
    assert textiles.whole
    assert "Products of the Chemical or Allied Industries" in entries["化学工业及其相关工业的产品"].en


def test_group_chapters_are_not_damped_like_a_vague_word() -> None:
    glossary = load_glossary()
    classifier = GlossaryClassifier(glossary)
    group = classifier.classify_hits([(h, 1.0) for h in glossary.find_zh("加工食品")])
    vague = classifier.classify_hits([(h, 1.0) for h in glossary.find_zh("蔬菜")])
    assert {m.hs_code for m in group} == {"16", "17", "18", "19", "20", "21"}
    assert all(m.score == 1.0 for m in group)
    assert [m.score for m in vague] == [0.8]


@pytest.mark.parametrize(
    ("products", "expected"),
    [
        ("加工食品", {"16", "17", "18", "19", "20", "21"}),
        ("processed food", {"16", "17", "18", "19", "20", "21"}),
        ("家用电器", {"84", "85"}),
        ("化学品", {"28", "29", "38"}),
    ],
)
def test_a_product_group_ranks_each_of_its_chapters_first(
    ensemble: Ensemble, products: str, expected: set[str]
) -> None:
    ranked = ensemble.classify(note(products))
    chapters = list(dict.fromkeys(m.hs_code[:2] for m in ranked))
    assert set(chapters[: len(expected)]) == expected
    assert alerted(ensemble, products) & expected


def test_a_group_in_the_products_weighs_more_than_in_the_title(ensemble: Ensemble) -> None:
    # Titles often name the law ("食品卫生法"), the products line what is regulated.
    def best(n: Notification) -> dict[str, float]:
        out: dict[str, float] = {}
        for m in ensemble.classify(n):
            out.setdefault(m.hs_code[:2], m.score)
        return out

    in_products, in_title = best(note("加工食品")), best(note(title="加工食品"))
    assert all(in_products[ch] > in_title.get(ch, 0.0) for ch in ("16", "17", "18", "19", "20"))


def test_named_chapters_of_a_list_alert_where_a_half_match_does_not() -> None:
    best = [ProductMatch("3304", 4, 1.0, "glossary", "a"), ProductMatch("3304", 4, 0.1, "text", "b")]
    listed = ProductMatch("3401", 4, 1.0, "glossary", "word “soap”")
    guessed = ProductMatch("3401", 4, 0.28, "text", "words soap")  # calibrated as likely as the word
    with_list = {m.hs_code: m.score for m in combine([*best, listed], DEFAULT_CALIBRATION)}
    with_guess = {m.hs_code: m.score for m in combine([*best, guessed], DEFAULT_CALIBRATION)}
    assert with_list["3401"] >= ALERT
    assert with_guess["3401"] < ALERT


def test_chapters_beyond_the_top_matches_keep_their_best_code() -> None:
    # Eight headings of one chapter fill the list; a ninth chapter named as well stays in it.
    evidence = [ProductMatch(f"33{n:02}", 4, 1.0, "glossary", "x") for n in range(1, 8)]
    evidence += [ProductMatch("3301", 4, 0.4, "text", "y"), ProductMatch("3401", 4, 1.0, "glossary", "z")]
    evidence += [ProductMatch("3302", 4, 0.4, "text", "y"), ProductMatch("3303", 4, 0.4, "text", "y")]
    ranked = combine(evidence, DEFAULT_CALIBRATION, top=3)
    assert [m.hs_code[:2] for m in ranked[:3]] == ["33", "33", "33"]
    assert "3401" in {m.hs_code for m in ranked}


@pytest.mark.parametrize(
    ("group", "qualified"),
    [("建筑材料", "陶瓷建筑材料"), ("building materials", "ceramic building materials")],
)
def test_a_product_word_before_a_group_narrows_it_to_that_words_chapters(
    ensemble: Ensemble, group: str, qualified: str
) -> None:
    # Alone, the group spans cement, glass, wood and steel too; the ceramic ones are tiles.
    assert alerted(ensemble, group) - {"69"}
    assert alerted(ensemble, qualified) == {"69"}
    assert ensemble.classify(note(qualified))[0].hs_code == "6907"


def test_a_chapter_title_that_is_also_a_product_word_names_the_chapter_whole() -> None:
    glossary = load_glossary()
    # "谷物" is a product word of chapter 10 in glossary.csv and the title of chapter 10.
    assert glossary.zh["谷物"].hs == ("10",)
    assert glossary.zh["谷物"].whole
    assert not glossary.zh["蔬菜"].whole


@pytest.mark.parametrize(
    "products",
    [
        "Pharmaceutical products; perfumes and toilet waters; beauty or make-up preparations and "
        "preparations for the care of the skin, including sunscreen or suntan preparations; soap",
        "医药品；香水及花露水；美容品或化妆品",
    ],
)
def test_a_chapter_named_by_its_title_alerts_beside_a_stronger_one(ensemble: Ensemble, products: str) -> None:
    assert {"30", "33"} <= alerted(ensemble, products)


def test_a_list_of_chapters_in_the_portals_words_alerts_each_chapter(ensemble: Ensemble) -> None:
    # How Chinese portals render the chapter titles a residue notification lists.
    products = "肉和可食用下水;可食用蔬菜和某些根和块茎;粮谷;碾磨产品;含油子仁"
    assert {"02", "07", "10", "11", "12"} <= alerted(ensemble, products)


def test_a_chinese_line_listing_chapters_item_by_item_alerts_each(ensemble: Ensemble) -> None:
    listed = "• 肉类(HS ) • 乳制品和禽蛋(HS ) • 谷类(HS ) • 鱼类(HS )"
    assert {"02", "03", "04", "10"} <= alerted(ensemble, listed)
    # Items the member's codes in brackets end, with the codes cut as evaluation cuts them.
    listed = strip_hs_codes("肉类(HS 02) 鱼类(HS 03) 乳制品(HS 04) 谷类(HS 10)")
    assert {"02", "03", "04", "10"} <= alerted(ensemble, listed)
    listed = "HS 01: Live animals; HS 02: Meat and edible meat offal; HS 04: Dairy produce; HS 10: Cereals"
    assert {"01", "02", "04", "10"} <= alerted(ensemble, listed)
    # Two items are no list of chapters: the chapter-wide words stay vague ones.
    glossary = load_glossary()
    for text, whole in (("肉类; 谷类", False), ("肉类; 谷类; 鱼类", True)):
        hits = as_chapter_list(zh_items(text), glossary.find_zh(text, segment(text)))
        assert {h.term: h.entry.whole for h in hits}["肉类"] is whole


def test_an_item_annotated_with_its_ics_code_is_no_chapter_of_the_list(ensemble: Ensemble) -> None:
    listed = "肉类;乳制品;谷类;橡胶和塑料工业(ICS分类号:83)"
    assert {"02", "04", "10"} <= alerted(ensemble, listed)
    assert not {"39", "40"} & alerted(ensemble, listed)


def test_an_items_ics_title_weighs_less_than_the_goods_it_annotates(ensemble: Ensemble) -> None:
    glossary = load_glossary()
    products = "Vanilla; Spices and condiments (ICS code(s): 67.220.10)"
    weights = {hit.term: weight for hit, weight in hits_for(glossary, note(products), {})}
    assert weights["vanilla"] == 1.0 and weights["condiment"] < 1.0
    # The title names the goods when the products line only restates the standards field.
    ranked = ensemble.classify(
        note("Spices and condiments (ICS code(s): 67.220.10)", title="Dried vanilla beans — Specification")
    )
    assert ranked[0].hs_code.startswith("0905")
    assert "21" not in alerted(ensemble, products)
