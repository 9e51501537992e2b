"""Issue 20: heading-level product words, English compounds read from their head, lists
not taken for modifiers, product words above the title, ICS codes as a prior."""

from __future__ import annotations

import csv
import re
from importlib import resources

import pytest

from classifiers.ensemble import DEFAULT_CALIBRATION, Ensemble, combine
from classifiers.glossary import load_glossary
from classifiers.nomenclature import load_nomenclature
from classifiers.prepared import without_exclusions
from classifiers.zh_segment import segment
from tests.classifiers.helpers import note
from warning.types import ProductMatch


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return Ensemble(load_nomenclature())


def _terms(text: str) -> list[tuple[str, tuple[str, ...], float]]:
    return [(h.term, h.entry.hs, h.weight) for h in load_glossary().find_en(text)]


def test_an_english_compound_is_read_from_its_head() -> None:
    # "fresh chilli" and "chilli pepper" are both terms: the head noun decides.
    assert _terms("Fresh chilli peppers") == [("chilli pepper", ("070960",), 1.0)]


def test_items_of_a_list_are_not_modifiers_of_each_other() -> None:
    found = _terms("Cosmetics, soap and toothbrushes")
    assert [t for t, _, _ in found] == ["cosmetic", "soap", "toothbrush"]
    assert all(weight == 1.0 for *_, weight in found)
    # Without punctuation the first noun still modifies the second ("car tyre").
    assert [w for *_, w in _terms("car tyres")] == [0.5, 1.0]


def test_a_chapter_title_is_found_across_its_punctuation() -> None:
    found = _terms("Articles of apparel and clothing accessories, not knitted or crocheted")
    assert ("62",) in [hs for _, hs, _ in found]


@pytest.mark.parametrize(
    ("products", "heading"),
    [
        ("亚磷酸三甲酯", "2920"),
        ("叉车", "8427"),
        ("燃气灶", "7321"),
        ("瓷砖", "6907"),
        ("婴儿车", "8715"),
        ("Fresh chilli peppers", "0709"),
    ],
)
def test_heading_words_rank_their_heading_first(ensemble: Ensemble, products: str, heading: str) -> None:
    assert ensemble.classify(note(products))[0].hs_code[:4] == heading


@pytest.mark.parametrize(
    ("products", "heading"),
    [
        ("菜籽油", "1514"),
        ("金枪鱼罐头", "1604"),
        ("猫粮和狗粮", "2309"),
        ("烫发剂", "3305"),
        ("熔喷布", "5603"),
        ("马桶和洗脸盆", "6910"),
        ("豆浆机", "8509"),
        ("保温杯", "9617"),
        ("割草机", "8433"),
        ("铅笔", "9609"),
    ],
)
def test_a_chinese_products_line_naming_a_heading_word_maps_to_that_heading(
    ensemble: Ensemble, products: str, heading: str
) -> None:
    # Grown from the HS 2022 headings (glossary_headings.csv), not from any notification.
    ranked = ensemble.classify(note(products, language="zh"))
    assert ranked[0].hs_code[:4] == heading
    assert ranked[0].score >= 0.7


def test_the_products_line_outweighs_the_title(ensemble: Ensemble) -> None:
    ranked = ensemble.classify(note("Seeders, planters and transplanters", title="Cassava seed"))
    assert ranked[0].hs_code[:2] == "84"


def test_an_ics_code_alone_is_a_prior_not_an_alert() -> None:
    alone = combine([ProductMatch("8413", 4, 1.0, "ics", "ICS 23.100")], DEFAULT_CALIBRATION)
    backed = combine(
        [ProductMatch("8413", 4, 1.0, "ics", "ICS 23.100"), ProductMatch("8413", 4, 0.3, "text", "pump")],
        DEFAULT_CALIBRATION,
    )
    assert alone[0].score < backed[0].score
    assert alone[0].score < 0.7


_SYMBOL = re.compile(r"G/(TBT|SPS)/N/", re.IGNORECASE)


def test_heading_glossary_lines_carry_their_hs_source_and_no_symbol() -> None:
    text = resources.files("classifiers").joinpath("data/glossary_headings.csv").read_text("utf-8")
    nomenclature = load_nomenclature()
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) > 600
    for row in rows:
        codes = [c.strip() for c in row["hs"].split(";")]
        assert row["source"].startswith("HS 2022 "), row
        # The source quotes the nomenclature's text of one of the line's codes.
        assert any(row["source"].startswith(f"HS 2022 {c} ") for c in codes), row
        quoted = row["source"].split(" ", 3)[3].split(" | ")[0]
        descriptions = [entry.description for c in codes if (entry := nomenclature.get(c)) is not None]
        assert any(d.startswith(quoted[:30]) for d in descriptions), row
        assert not _SYMBOL.search(row["en"] + row["zh"]), row


def test_products_a_line_excludes_are_no_evidence(ensemble: Ensemble) -> None:
    ranked = ensemble.classify(
        note("Non-alcoholic beverages (excl. water, fruit or vegetable juices, milk and beer)")
    )
    chapters = {m.hs_code[:2] for m in ranked if m.score >= 0.5}
    assert chapters == {"22"}
    zh = ensemble.classify(note("针织衫(不包括婴儿服装)"))
    assert zh[0].hs_code[:4] == "6110" and all(m.hs_code[:4] != "6111" for m in zh if m.score >= 0.5)
    assert without_exclusions("(exceptional) 除湿机外壳") == "(exceptional) 除湿机外壳"


def test_the_best_chapter_a_product_word_names_is_lifted() -> None:
    word = ProductMatch("9503", 4, 0.9, "glossary", "word “toy”")
    [alone] = combine([word], DEFAULT_CALIBRATION)
    # A lone glossary word at 0.9 raw is calibrated below 0.7; as the best chapter it alerts.
    assert DEFAULT_CALIBRATION["glossary"](0.9) < 0.7 <= alone.score
    # The same word for a runner-up chapter is not lifted.
    ranked = combine([ProductMatch("4011", 4, 1.0, "glossary", "word “tyre”"), word], DEFAULT_CALIBRATION)
    assert [m.hs_code for m in ranked][:2] == ["4011", "9503"] and ranked[1].score < 0.7


def test_items_listed_with_a_modifier_are_modifiers_and_de_marks_the_modifier() -> None:
    glossary = load_glossary()
    text = "新型橡胶充气轮胎,用于公共汽车和卡车"
    weights = {h.term: h.weight for h in glossary.find_zh(text, segment(text))}
    assert weights["轮胎"] == 1.0 and weights["卡车"] < 1.0 and weights["公共汽车"] < 1.0
    text = "可更换过滤器的面罩"
    weights = {h.term: h.weight for h in glossary.find_zh(text, segment(text))}
    assert weights["面罩"] == 1.0 and weights["过滤器"] < 1.0


def test_a_chapter_only_the_text_model_half_matches_ranks_below_one_an_ics_code_names() -> None:
    # Both runner-ups are calibrated about as likely on their own; the text model half-matches
    # the words of many headings, so its lone chapter yields the place in the top three.
    evidence = [
        ProductMatch("3304", 4, 1.0, "glossary", "word “cosmetic”"),
        ProductMatch("3304", 4, 0.2, "text", "words cosmetic"),
        ProductMatch("8516", 4, 0.28, "text", "words electric"),
        ProductMatch("3401", 4, 0.9, "ics", "ICS 71.100.40"),
    ]
    ranked = [m.hs_code for m in combine(evidence, DEFAULT_CALIBRATION)]
    assert ranked == ["3304", "3401", "8516"]


def test_what_a_measure_limits_in_a_product_is_no_product(ensemble: Ensemble) -> None:
    assert without_exclusions("玩具中铅和镉的限量") == "玩具中 的限量"
    assert without_exclusions("食品中污染物限量:铅、镉、汞、砷") == "食品中 限量: "
    assert without_exclusions("Maximum residue limits for acetamiprid in fruit") == (
        "Maximum residue limits for   in fruit"
    )
    # A product defined by what it contains keeps its words.
    assert without_exclusions("乳含量超过50%的食品") == "乳含量超过50%的食品"
    for title in ("玩具中铅和镉的限量", "食品中污染物限量:铅、镉、汞、砷"):
        ranked = ensemble.classify(note("", title=title, language="zh"))
        alerting = {m.hs_code[:2] for m in ranked if m.score >= 0.7}
        assert "78" not in alerting and "81" not in alerting
    assert ensemble.classify(note("", title="玩具中铅和镉的限量", language="zh"))[0].hs_code[:2] == "95"


@pytest.mark.parametrize(
    ("products", "chapter"),
    [
        # A product word outranks a chapter the text model alone half-matches ("cigarette": pipes).
        ("卷烟", "24"),
        ("卫生陶瓷", "69"),
        # "X用Y": Y for X; the head is Y.
        ("汽车用充气轮胎", "40"),
        # A whole Chinese chapter title is one term, not its first word.
        ("针织或钩编的服装及衣着附件", "61"),
        ("非针织或非钩编的服装及衣着附件", "62"),
    ],
)
def test_the_chinese_products_line_decides_the_first_chapter(
    ensemble: Ensemble, products: str, chapter: str
) -> None:
    assert ensemble.classify(note(products, language="zh"))[0].hs_code[:2] == chapter


def test_what_a_line_names_as_other_than_its_products_is_no_evidence(ensemble: Ensemble) -> None:
    assert without_exclusions("铁路或轨道车辆以外的车辆及其零件") == " 车辆及其零件"
    ranked = ensemble.classify(note("铁路或轨道车辆以外的车辆及其零件和附件", language="zh"))
    assert ranked[0].hs_code[:2] == "87"
    assert all(m.hs_code[:2] != "86" for m in ranked if m.score >= 0.5)


def test_the_heading_a_product_word_names_leads_its_chapter() -> None:
    evidence = [
        ProductMatch("9102", 4, 1.0, "glossary", "word “手表”"),
        ProductMatch("9114", 4, 0.6, "text", "words watch, part"),
        ProductMatch("9103", 4, 0.55, "text", "words watch"),
    ]
    ranked = combine(evidence, DEFAULT_CALIBRATION)
    assert ranked[0].hs_code == "9102"
    assert ranked[0].score >= 0.7


def test_a_chinese_compound_s_modifier_need_not_touch_its_head(ensemble: Ensemble) -> None:
    glossary = load_glossary()
    text = "汽车真皮座椅"
    weights = {h.term: h.weight for h in glossary.find_zh(text, segment(text))}
    assert weights["汽车"] < 1.0
    # Items of a list stay items.
    text = "汽车和座椅"
    weights = {h.term: h.weight for h in glossary.find_zh(text, segment(text))}
    assert weights["汽车"] == 1.0


def test_what_a_product_is_without_is_no_evidence() -> None:
    assert without_exclusions("没有机械部件和可更换过滤器的面罩") == " 面罩"
    assert without_exclusions("Half masks without valves, for protection") == "Half masks  , for protection"
    assert without_exclusions("Garments with or without hoods") == "Garments with or without hoods"
    assert without_exclusions("无线耳机") == "无线耳机"
    assert without_exclusions("Food preparations of flour, not containing cocoa, n.e.s.") == (
        "Food preparations of flour,  , n.e.s."
    )
    # "Not knitted or crocheted" says which chapter (62): it is kept.
    assert "not knitted" in without_exclusions("Apparel, not knitted or crocheted")


def test_an_ics_code_confirms_the_best_chapter_more_than_a_second_one() -> None:
    # A lamp word names lamps (85) and luminaires (94); ICS 29.140 maps to both.
    evidence = [
        ProductMatch("8539", 4, 1.0, "glossary", "word “LED灯”"),
        ProductMatch("8539", 4, 0.3, "text", "words lamp, led"),
        ProductMatch("8539", 4, 0.7, "ics", "ICS 29.140"),
        ProductMatch("9405", 4, 0.85, "glossary", "word “LED灯”"),
        ProductMatch("9405", 4, 0.7, "ics", "ICS 29.140"),
    ]
    scores = {m.hs_code: m.score for m in combine(evidence, DEFAULT_CALIBRATION)}
    assert scores["8539"] >= 0.7 > scores["9405"]


def test_a_material_followed_by_made_of_decides_the_chapter(ensemble: Ensemble) -> None:
    glossary = load_glossary()
    text = "塑料制的餐具"
    weights = {h.term: h.weight for h in glossary.find_zh(text, segment(text))}
    assert weights["塑料"] == 1.0 and weights["餐具"] < 1.0
    ranked = ensemble.classify(note("塑料制的餐具、厨房用具", language="zh"))
    assert ranked[0].hs_code[:2] == "39"


def test_a_word_naming_two_chapters_does_not_name_a_second_one() -> None:
    # "服装" is clothing knitted (61) or not (62): the text says which; the other is no second chapter.
    evidence = [
        ProductMatch("6110", 4, 1.0, "glossary", "word “针织衫”"),
        ProductMatch("6110", 4, 0.4, "text", "words jersey, knitted"),
        ProductMatch("61", 2, 1.0, "glossary", "word “服装”"),
        ProductMatch("62", 2, 1.0, "glossary", "word “服装”"),
        ProductMatch("6203", 4, 0.1, "text", "words clothing"),
    ]
    scores = {m.hs_code[:2]: m.score for m in combine(evidence, DEFAULT_CALIBRATION)}
    assert scores["61"] >= 0.7 > scores["62"]

    # A group names each of its chapters, as a list of products does: its second chapter is
    # damped less than a two-chapter word's.
    def second(label: str) -> float:
        evidence = [
            ProductMatch("3304", 4, 1.0, "glossary", label),
            ProductMatch("3401", 4, 1.0, "glossary", label),
            ProductMatch("3304", 4, 0.2, "text", "words cosmetic"),
        ]
        return next(m.score for m in combine(evidence, DEFAULT_CALIBRATION) if m.hs_code == "3401")

    assert second("group “个人护理用品”") > second("word “个人护理用品”")


def test_what_a_product_is_brewed_or_made_from_describes_it(ensemble: Ensemble) -> None:
    glossary = load_glossary()
    text = "麦芽酿造的啤酒"
    weights = {h.term: h.weight for h in glossary.find_zh(text, segment(text))}
    assert weights["啤酒"] == 1.0 and weights["麦芽"] < 1.0
    alerted = {m.hs_code[:2] for m in ensemble.classify(note(text, language="zh")) if m.score >= 0.7}
    assert alerted == {"22"}
    # A list is no description: both items are named.
    listed = "麦芽和啤酒"
    weights = {h.term: h.weight for h in glossary.find_zh(listed, segment(listed))}
    assert weights["麦芽"] == weights["啤酒"] == 1.0


def test_chilled_goods_are_not_refrigerators_but_refrigerating_equipment_is(ensemble: Ensemble) -> None:
    def chapters(text: str) -> set[str]:
        return {m.hs_code[:2] for m in ensemble.classify(note(text, language="zh")) if m.score >= 0.7}

    # "冷藏" alone says chilled (meat, vegetables), not which appliance.
    assert "84" not in chapters("新鲜、冷冻或冷藏家禽肉")
    assert "84" in chapters("冷藏设备")


def test_chapter_99_is_never_matched(ensemble: Ensemble) -> None:
    # Its text, "Commodities not specified according to kind", is words every notice has.
    ranked = ensemble.classify(note("Commodities according to their kind, not specified"))
    assert all(not m.hs_code.startswith("99") for m in ranked)


def test_a_chinese_compound_is_read_from_its_head(ensemble: Ensemble) -> None:
    glossary = load_glossary()
    # "鲜果汁" is fresh juice: "鲜" + "果汁", not "鲜果" (fresh fruit) + "汁".
    assert [h.term for h in glossary.find_zh("鲜果汁", segment("鲜果汁"))] == ["果汁"]
    ranked = ensemble.classify(note("(未经高温消毒的)鲜果汁", language="zh"))
    assert ranked[0].hs_code.startswith("2009")


def test_what_comes_before_de_describes_the_goods_after_it(ensemble: Ensemble) -> None:
    glossary = load_glossary()
    text = "柴油发动机使用的柴油"
    weights = {h.term: h.weight for h in glossary.find_zh(text, segment(text))}
    assert weights["柴油"] == 1.0 and weights["柴油发动机"] < 1.0
    assert ensemble.classify(note(text, language="zh"))[0].hs_code.startswith("2710")
    # A list parted by "、" is no description: fruit and nuts stay goods beside the citrus peel.
    listed = "可食用水果和坚果、柑橘类水果的果皮"
    weights = {h.term: h.weight for h in glossary.find_zh(listed, segment(listed))}
    assert weights["坚果"] == 1.0
    # A material made into the goods stays their head ("塑料制的餐具": articles of plastics).
    made = "塑料制的餐具"
    assert {h.term: h.weight for h in glossary.find_zh(made, segment(made))}["塑料"] == 1.0


def test_a_negated_term_names_no_goods() -> None:
    glossary = load_glossary()
    for text, gone, kept in (("集中供热锅炉,非电力", "电力", "锅炉"), ("无糖饮料", "糖", "饮料")):
        terms = [h.term for h in glossary.find_zh(text, segment(text))]
        assert gone not in terms and kept in terms


def test_the_text_model_reads_the_goods_not_what_they_are_for(ensemble: Ensemble) -> None:
    prepared = ensemble.prepare(note("奶山羊饲料", language="zh"))
    assert "feed" in prepared.tokens and "goat" not in prepared.tokens
    ranked = ensemble.classify(note("轻便摩托车和摩托车的防护头盔", language="zh"))
    assert ranked[0].hs_code.startswith("6506")
    assert "87" not in {m.hs_code[:2] for m in ranked if m.score >= 0.7}


def test_the_description_names_the_goods_when_nothing_above_it_does(ensemble: Ensemble) -> None:
    # A residue resolution: the title names a substance, the products line only codes, the
    # description the crops.
    text = note(
        "HS Code(s): ; ICS Code(s): 13, 65",
        title="Draft resolution regarding the active ingredient M02 - MANCOZEBE (mancozeb)",
        description="Includes the culture of cassava with a maximum residue limit of 0.05 mg/kg.",
    )
    assert "07" in {m.hs_code[:2] for m in ensemble.classify(text) if m.score >= 0.7}
    # Where the products line names goods, the description stays context.
    named = note("Cosmetics", description="Includes the culture of cassava.")
    assert "07" not in {m.hs_code[:2] for m in ensemble.classify(named) if m.score >= 0.7}
