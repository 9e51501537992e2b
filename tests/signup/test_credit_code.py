"""The GB 32100-2015 check character of unified social credit codes."""

from __future__ import annotations

import pytest

from warning.signup.credit_code import check_character, is_valid, normalise, problem

#: Real codes: the standard's own example, and Shenzhen Tencent Computer Systems Co., Ltd.
REAL = ("91350100M000100Y43", "91440300708461136T")


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code: str) -> None:
    assert problem(code) is None and is_valid(code)
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL)
def test_every_other_check_character_is_refused(code: str) -> None:
    from warning.signup.credit_code import ALPHABET

    wrong = [c for c in ALPHABET if c != code[17]]
    assert len(wrong) == 30
    assert all(problem(code[:17] + c) == "code_check" for c in wrong)


def test_one_changed_character_is_caught() -> None:
    # A single substitution always changes the weighted sum mod 31 (31 is prime).
    code = REAL[0]
    assert problem(code[:5] + ("1" if code[5] != "1" else "2") + code[6:]) == "code_check"


def test_check_value_31_is_written_0() -> None:
    # 17 characters whose weighted sum is a multiple of 31 get "0".
    first = "9135010000000000"
    for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if check_character(first + c) == "0":
            return
    pytest.fail("no 17-character body with check character 0 found")


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350100M000100Y4", "code_length"),
        ("91350100M000100Y433", "code_length"),
        ("91350100M0001OOY43", "code_characters"),  # letter O is never used
        ("9135A100M000100Y43", "code_division"),
    ],
)
def test_malformed_codes_are_named(code: str, why: str) -> None:
    assert problem(code) == why


def test_normalise_accepts_what_people_copy() -> None:
    assert normalise(" 9135 0100-m000 100y43 ") == "91350100M000100Y43"
