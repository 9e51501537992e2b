"""Exclusions: a rule with ``suppress`` vetoes every method's matches to its HS prefixes
(and the chapter-level code above them) where one of its phrases is found."""

from __future__ import annotations

import pytest

from classifiers.ensemble import Ensemble
from classifiers.nomenclature import load_nomenclature
from classifiers.prepared import without_exclusions
from classifiers.rules import RulesClassifier, without
from tests.classifiers.helpers import note
from warning.types import ClassifierRule, ProductMatch

EXCLUDE_TOYS = ClassifierRule(("costume",), ("9503",), suppress=True)


def test_an_exclusion_drops_the_matches_where_its_phrase_is_found() -> None:
    ensemble = Ensemble(load_nomenclature())
    toys = note("Toys; electric toy trains")
    costume = note("Costume toys for carnival")
    assert any(m.hs_code.startswith("9503") for m in ensemble.classify(costume))
    ensemble.rules = RulesClassifier([EXCLUDE_TOYS])
    assert not any(m.hs_code.startswith("9503") or m.hs_code == "95" for m in ensemble.classify(costume))
    assert any(m.hs_code.startswith("9503") for m in ensemble.classify(toys))  # phrase absent: kept
    assert ensemble.rules.classify(costume) == []  # an exclusion adds nothing


def test_without_vetoes_codes_below_and_the_chapter_above() -> None:
    matches = [ProductMatch(c, len(c), 0.9, "text", "") for c in ("95", "9503", "950300", "9504", "39")]
    assert [m.hs_code for m in without(matches, ("9503",))] == ["9504", "39"]


@pytest.mark.parametrize(
    "text",
    [
        "regarding the active ingredient T33 - TEFLUBENZUROM of the Monograph List of Active Ingredients "
        "for Pesticides, Household Cleaning Products and Wood Preservers, published by Resolution RE 165",
        "第165号决议公布的杀虫剂、家庭清洁产品及木材防腐剂活性成分专项表活性成份M17-灭多威(METHOMYL)",
        "changes for the active ingredient A11 - AMETRINA from the Relation of Monographies of Active "
        "Ingredients of Pesticides, Household Cleaning Products and Wood Preservers, all in the modality",
    ],
)
def test_the_name_of_a_list_of_active_ingredients_names_no_goods(text: str) -> None:
    ensemble = Ensemble(load_nomenclature())
    ranked = ensemble.classify(note("", title=text))
    # The list is for pesticides, household cleaning products and wood preservatives: the
    # resolution amends one substance's entry (the crops' residue limits), it regulates none of them.
    assert not {"34", "44"} & {m.hs_code[:2] for m in ranked if m.score >= 0.7}
    assert "Monograph" not in without_exclusions(text) and "专项表" not in without_exclusions(text)
    assert "Household" not in without_exclusions(text)
