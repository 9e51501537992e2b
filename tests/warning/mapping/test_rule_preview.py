"""The rule preview's SQL prefilter keeps every notification a rule can fire on."""

from __future__ import annotations

import pytest

from classifiers.rules import rule_fires
from warning.mapping.rule_preview import _stem
from warning.types import ClassifierRule


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("battery", "Lithium BATTERIES for e-bikes"),
        ("leaf", "Tobacco leaves"),
        ("toys", "A toy"),
        ("glass bottle", "Glass bottles for beverages"),
        ("box", "Boxes of cardboard"),
        ("化妆品", "进口化妆品标签"),
    ],
)
def test_stem_is_in_every_text_the_phrase_fires_on(phrase: str, text: str) -> None:
    assert rule_fires(ClassifierRule((phrase,), ("9503",)), text) == phrase
    stem = _stem(phrase)
    assert stem and stem in text.lower()


def test_no_prefilter_when_sql_could_not_fold_the_case() -> None:
    assert _stem("éclair") is None
