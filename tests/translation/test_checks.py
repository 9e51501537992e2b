"""The garbage check, the field language, and the structured parts from our own data."""

from __future__ import annotations

import datetime as dt

import pytest

from warning.exceptions import TranslationError
from warning.translation.glossary import check_translation, term_pairs, text_language
from warning.translation.structured import (
    format_date,
    hs_name,
    ics_name,
    member_name,
    notification_type,
    objective,
)

GOOD = [
    ("Toys", "玩具", "zh"),
    ("电动玩具安全", "Safety of electric toys", "en"),
    ("Draft technical regulation on ABS (HS 3304)", "关于ABS的技术法规草案（HS 3304）", "zh"),
    ("HS 3304", "HS 3304", "zh"),  # nothing to translate: no words
]


@pytest.mark.parametrize(("source", "translated", "target"), GOOD)
def test_translations_pass(source: str, translated: str, target: str) -> None:
    assert check_translation(source, f"  {translated}\n", target) == translated


BAD = [
    ("Toys and cosmetics", "", "zh", "empty"),
    ("Toys and cosmetics", "Toys and cosmetics", "zh", "the source handed back"),
    ("Toys and cosmetics", "Jouets et cosmétiques", "zh", "not Chinese"),
    ("电动玩具安全", "Electric 玩具安全", "en", "Chinese left in"),
    ("玩具", "Toys " * 40, "en", "far longer"),
    ("希腊考古学家", "Greek archaeologist Athens Athens Athens Athens Athens Athens", "en", "repeats itself"),
    ("电动玩具安全", "As an AI language model, I cannot", "en", "chatter"),
    ("Toys safety", "抱歉，我无法翻译这段文字", "zh", "chatter"),
]


@pytest.mark.parametrize(("source", "translated", "target", "reason"), BAD)
def test_garbage_is_refused(source: str, translated: str, target: str, reason: str) -> None:
    with pytest.raises(TranslationError, match=reason) as caught:
        check_translation(source, translated, target)
    assert caught.value.garbage


def test_field_language_follows_the_script() -> None:
    assert text_language("电动玩具安全要求", "en") == "zh"
    assert text_language("Electric toys", "zh") == "en"  # a Chinese portal's field left in English
    assert text_language("Jouets électriques", "fr") == "fr"
    assert text_language("Electric toys (玩具)", "en") == "en"


def test_term_pairs_name_the_products_in_the_text_as_written() -> None:
    pairs = dict(term_pairs(["本通报涉及口红和护肤品"], "zh"))
    assert pairs["技术法规"] == "technical regulation" and pairs["通报"] == "notification"
    assert pairs["护肤品"] == "cosmetic"
    english = dict(term_pairs(["Lipsticks and toys"], "en"))
    assert english["toy"] == "玩具" and english["conformity assessment procedure"] == "合格评定程序"


def test_hs_names_are_in_one_language() -> None:
    assert hs_name("33", "zh").name.startswith("精油及香膏")
    assert hs_name("3304", "zh").name == "化妆品"  # our glossary names the heading alone
    # No Chinese name known: the English name once, never glued to a Chinese chapter name.
    unnamed = hs_name("330491", "zh")
    assert unnamed.language == "en" and unnamed.name == hs_name("330491", "en").name
    assert not any("\u4e00" <= c <= "\u9fff" for c in hs_name("3304", "en").name)


def test_ics_titles() -> None:
    assert ics_name("13", "zh").name == "环境、健康保护、安全"
    assert ics_name("13", "en").name == "Environment. Health protection. Safety"
    assert ics_name("97.200.50", "zh") == ics_name("97.200.50", "en")  # English: no Chinese group title
    assert ics_name("97.200.50", "en").name == "Toys"


def test_objectives_members_and_dates() -> None:
    assert objective("保护人类健康安全。", "en") == "Protection of human health or safety"
    assert objective("Protection of human health or safety (TBT)", "zh") == "保护人类健康或安全"
    assert objective("Consumer information, labelling", "zh") == "消费者信息、标签"
    assert (
        objective("控制不可预见的危险(冠状病毒)", "en") == "控制不可预见的危险(冠状病毒)"
    )  # free text as written
    assert member_name("KEN", "zh") == "肯尼亚" and member_name("KEN", "en") == "Kenya"
    assert format_date(dt.date(2026, 8, 14), "zh") == "2026年8月14日"
    assert format_date(dt.date(2026, 8, 14), "en") == "14 August 2026"
    assert format_date(None, "en") == ""
    assert notification_type("Regular notification", "zh") == "常规通报"
    assert notification_type("补遗", "en") == "Addendum" and notification_type("Addendum", "en") == "Addendum"
