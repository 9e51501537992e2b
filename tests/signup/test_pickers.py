"""The product and market pickers over the whole HS 2022 nomenclature."""

from __future__ import annotations

from warning.signup.pickers import market_name, product_index, search_markets


def codes(query: str, lang: str = "zh") -> list[str]:
    return [p.code for p in product_index().search(query, lang)]


def test_chinese_words_find_glossary_and_chapter_names() -> None:
    assert codes("洗发水")[0] == "3305"
    assert codes("化妆品")[0] == "3304"
    assert "95" in codes("玩具")


def test_english_words_find_descriptions_word_by_word_prefix() -> None:
    assert "3304" in codes("skin care", "en")
    assert "8712" in codes("bicycl", "en")


def test_a_code_lists_the_codes_under_it() -> None:
    found = codes("3304")
    assert found[0] == "3304" and all(c.startswith("3304") for c in found)
    assert codes("33.04") == found


def test_names_in_the_readers_language() -> None:
    index = product_index()
    assert index.name("33", "zh") == "精油及香膏；芳香料制品及化妆盥洗制品"
    assert index.name("3305", "zh").startswith("洗发水")
    assert index.name("3305", "en").startswith("Hair preparations")


def test_nothing_for_nonsense() -> None:
    assert codes("zzqqxx") == [] and codes("") == []


def test_markets_by_name_in_either_language_with_eu_and_all_markets() -> None:
    assert [p.code for p in search_markets("ken", "zh")] == ["KEN"]
    assert search_markets("ken", "zh")[0].name == "肯尼亚"
    assert "EU" in [p.code for p in search_markets("欧盟", "en")]
    assert [p.code for p in search_markets("全部", "zh")] == ["*"]
    assert market_name("*", "en") == "All markets"
