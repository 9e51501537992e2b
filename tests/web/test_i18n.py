"""The interface catalogue and language negotiation."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from warning.web.i18n import CATALOGUE, negotiate, translate


def test_both_languages_have_the_same_keys() -> None:
    assert set(CATALOGUE["en"]) == set(CATALOGUE["zh"])


def test_every_key_used_by_a_template_exists() -> None:
    used: set[str] = set()
    folder = resources.files("warning.web") / "templates"
    for template in folder.iterdir():
        used |= set(re.findall(r"""\bt\(["']([a-z_0-9]+)["']""", template.read_text("utf-8")))
    assert used, "no t(...) calls found: the pattern is wrong"
    assert used - set(CATALOGUE["en"]) == set()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("fr-FR,zh-TW;q=0.5", "zh"),
        ("fr, de", "en"),
        ("", "en"),
        ("en;q=0.2, zh;q=0.7", "zh"),
        ("zh;q=bad, en", "en"),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert negotiate(header) == expected


def test_translate_formats_and_names_missing_keys() -> None:
    assert translate("zh", "days_left", n=3) == "剩余 3 天"
    assert translate("xx", "sign_in") == "Sign in"
    with pytest.raises(KeyError):
        translate("en", "no_such_key")
