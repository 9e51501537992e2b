"""Markets and HS prefixes: validated and deduplicated the same way for the form, the page and the CLI."""

from __future__ import annotations

from warning.signup.choices import MAX_VALUES, ChoiceError, describe, parse_hs, parse_markets


def test_markets_by_code_alias_or_name_in_either_language() -> None:
    found, problems = parse_markets("usa, EEC, 肯尼亚, South Africa, KEN")
    assert found == ("USA", "EU", "KEN", "ZAF") and problems == []


def test_unknown_markets_are_each_named() -> None:
    found, problems = parse_markets(["NARNIA", "USA", "XXX", "NARNIA"])
    assert found == ("USA",)
    assert [p.values for p in problems] == [("NARNIA", "XXX")]
    assert "NARNIA, XXX" in describe(problems, "en")
    assert describe(problems, "zh").startswith("未知市场：NARNIA、XXX")


def test_all_markets_wins() -> None:
    assert parse_markets(["USA", "*"]) == (("*",), [])


def test_hs_prefixes_deduplicated_and_checked_against_hs_2022() -> None:
    found, problems = parse_hs(["3304"] * 10_000 + ["33.05", "33x", "3399", "1"])
    assert found == ("3304", "3305")
    assert {p.why: p.values for p in problems} == {"hs_format": ("33x", "1"), "hs_unknown": ("3399",)}
    assert "HS编码 33x、1 须为2、4或6位数字" in describe(problems, "zh")


def test_too_many_distinct_values_are_refused() -> None:
    from classifiers.nomenclature import load_nomenclature

    many = [c for c in load_nomenclature().entries if len(c) == 6][: MAX_VALUES + 1]
    assert parse_hs(many[:MAX_VALUES])[1] == []
    _, problems = parse_hs(many)
    assert [p.why for p in problems] == ["too_many"]


def test_choice_error_is_a_subscription_error_and_value_error() -> None:
    from warning.exceptions import SubscriptionError

    error = ChoiceError(parse_markets("NARNIA")[1])
    assert isinstance(error, SubscriptionError) and isinstance(error, ValueError)
    assert error.text("zh").startswith("未知市场")
