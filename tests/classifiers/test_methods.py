"""Table-driven tests of each classification method, the ensemble and the evaluation."""

from __future__ import annotations

from typing import Any

import pytest

from classifiers.ensemble import Calibration, Ensemble, combine, fit_calibration
from classifiers.evaluate import Case, metrics
from classifiers.glossary import GlossaryError, load_glossary, parse_glossary
from classifiers.ics import IcsClassifier, IcsMappingError, load_ics_mapping, parse_ics_mapping
from classifiers.learner import ExampleLearner
from classifiers.member_codes import MemberCodesClassifier
from classifiers.nomenclature import load_nomenclature
from classifiers.rules import RulesClassifier, rule_fires
from classifiers.textprep import english_tokens, strip_hs_codes
from tests.classifiers import helpers
from warning.types import ClassifierRule, Notification, ProductMatch


def note(products: str = "", title: str = "t", **kw: Any) -> Notification:
    return helpers.note(products, title, **kw)


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return Ensemble(load_nomenclature())


@pytest.mark.parametrize(
    ("text", "left", "gone"),
    [
        ("(HS code(s): 380891); Mosquito repellent wipe", "Mosquito repellent wipe", "380891"),
        ("HS 3808.91 and 3808 92 insecticides", "insecticides", "3808"),
        ("外科口罩(HS代码6307.90-4010)", "外科口罩", "6307"),
        ("胎圈钢丝(HS 7217.30.11;7217.30.21)", "胎圈钢丝", "7217"),
        ("无水三聚磷酸钠(HS 2835 3100)。", "无水三聚磷酸钠", "2835"),
        ("tariff line 84151010 air conditioners", "air conditioners", "8415"),
        ("tanks and containers 7309 7311 7419 7613", "tanks and containers", "7311"),
        ("原油、成品油(2709、2710、2713)", "成品油", "2710"),
    ],
)
def test_strip_hs_codes(text: str, left: str, gone: str) -> None:
    stripped = strip_hs_codes(text)
    assert left in stripped
    assert gone not in stripped


def test_strip_keeps_years_and_standards() -> None:
    assert strip_hs_codes("EAS 946: 2022 edition") == "EAS 946: 2022 edition"
    assert strip_hs_codes("ISO 9001 of 2015") == "ISO 9001 of 2015"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Batteries and toys", ["battery", "toy"]),
        ("Tires of aluminum", ["tyre", "aluminium"]),
        ("Draft technical regulation on boxes", ["box"]),
    ],
)
def test_english_tokens_fold_plurals_spelling_and_stop_words(text: str, tokens: list[str]) -> None:
    assert english_tokens(text) == tokens


@pytest.mark.parametrize(
    ("codes", "expected", "invalid"),
    [
        (("4011100000",), ["401110"], []),
        (("8415",), ["8415"], []),
        (("999999", "77", "9802"), [], ["999999", "77", "9802"]),
        (("38089199",), ["380891"], []),
    ],
)
def test_member_codes_normalise_and_report_invalid(
    codes: tuple[str, ...], expected: list[str], invalid: list[str]
) -> None:
    member = MemberCodesClassifier(load_nomenclature())
    matches = member.classify(note(hs_codes=codes))
    assert [m.hs_code for m in matches] == expected
    assert member.invalid.get("k", []) == invalid


@pytest.mark.parametrize(
    ("ics", "expected"),
    [
        (("97.200.50",), "9503"),  # toys
        (("65.100.10",), "3808"),  # falls back to the group: pesticides
        (("71.100.70",), "33"),  # cosmetics
    ],
)
def test_ics_mapping(ics: tuple[str, ...], expected: str) -> None:
    matches = IcsClassifier(load_ics_mapping()).classify(note(ics_codes=ics))
    assert matches[0].hs_code == expected
    assert matches[0].evidence.startswith("ICS ")


def test_ics_mapping_refuses_unknown_hs_prefix() -> None:
    with pytest.raises(IcsMappingError, match=r"line 2.*'7701'"):
        parse_ics_mapping("ics,hs,note\n97.200,7701,bad\n", load_nomenclature())


def test_glossary_refuses_unknown_hs_prefix() -> None:
    with pytest.raises(GlossaryError, match=r"line 2"):
        parse_glossary("en,zh,hs\ntoy,玩具,9599\n", load_nomenclature())


TOY = ClassifierRule(("toy", "玩具"), ("9503",), ("toy sewing machine", "玩具缝纫机"), id=1)


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Toys for children", "toy"),
        ("Toy sewing machines", None),
        ("儿童玩具", "玩具"),
        ("玩具缝纫机", None),
        ("Tomatoes", None),
    ],
)
def test_rule_exclusions(text: str, fires: str | None) -> None:
    assert rule_fires(TOY, text) == fires


def test_rules_classifier_gives_evidence_with_version() -> None:
    [match] = RulesClassifier([TOY]).classify(note("Electric toys"))
    assert (match.hs_code, match.method) == ("9503", "rule")
    assert "rule 1 v1" in match.evidence and "toy" in match.evidence


@pytest.mark.parametrize(
    ("products", "chapter"),
    [
        ("Passenger car tyres", "40"),
        ("Mosquito repellent wipes", "38"),
        ("Electric toys", "95"),
        ("Infant formula milk powder", "04"),
        ("乘用车轮胎; 卡车轮胎", "40"),
        ("空调和供暖设备", "84"),
        ("化妆品", "33"),
        ("硫酸铝", "28"),
        ("锂离子电池", "85"),
    ],
)
def test_ensemble_top_chapter(ensemble: Ensemble, products: str, chapter: str) -> None:
    matches = ensemble.classify(note(products, title=""))
    assert matches[0].hs_code[:2] == chapter
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert matches == sorted(matches, key=lambda m: -m.score)
    assert all(m.evidence for m in matches)


def test_ensemble_trusts_valid_member_codes(ensemble: Ensemble) -> None:
    matches = ensemble.classify(note("Electric toys", hs_codes=("950300",)))
    assert matches[0].hs_code == "950300"
    assert "member" in matches[0].method


def test_calibration_maps_methods_to_one_scale() -> None:
    cal = {"a": Calibration(10.0, -5.0), "b": Calibration(2.0, 0.0)}
    # Same raw score, different methods: different calibrated confidence.
    [a] = combine([ProductMatch("9503", 4, 0.5, "a", "x")], cal)
    [b] = combine([ProductMatch("9503", 4, 0.5, "b", "y")], cal)
    assert a.score == pytest.approx(0.5, abs=1e-3)
    assert b.score == pytest.approx(0.731, abs=1e-3)
    # Two methods agreeing on a chapter beat either alone (noisy-OR).
    both = combine([ProductMatch("9503", 4, 0.5, "a", "x"), ProductMatch("9503", 4, 0.5, "b", "y")], cal)
    assert both[0].score > b.score
    assert both[0].method == "b+a"


def test_fit_calibration_is_monotone_and_needs_both_outcomes() -> None:
    cal = fit_calibration([0.1, 0.2, 0.3, 0.6, 0.8, 0.9], [False, False, True, False, True, True])
    assert cal(0.9) > cal(0.5) > cal(0.1)
    with pytest.raises(ValueError, match="two right and two wrong"):
        fit_calibration([0.1, 0.9], [True, True])


def test_learner_votes_from_nearest_examples(ensemble: Ensemble) -> None:
    texts = {"frozen shrimp fillets": ("0306",), "lithium accumulators": ("8507",)}
    prepared = [ensemble.prepare(note(t)) for t in texts]
    learner = ExampleLearner().fit(prepared, list(texts.values()))
    [near, far] = learner.classify_prepared([ensemble.prepare(note("shrimp")), ensemble.prepare(note("zzz"))])
    assert near[0].hs_code == "0306" and near[0].method == "learned"
    assert far == []


def m(code: str, score: float = 0.9) -> ProductMatch:
    return ProductMatch(code, len(code), score, "text", "")


def test_metrics_on_a_constructed_set() -> None:
    cases = [
        Case(note("a"), ("950300",)),  # top-1 right
        Case(note("b"), ("8415",)),  # right chapter only at rank 2
        Case(note("c"), ("30",)),  # chapter-only truth: not in heading_top5; no match
    ]
    predictions = [
        [m("9503"), m("8517", 0.3)],
        [m("8517"), m("8415", 0.8), m("8418", 0.2)],
        [],
    ]
    out = metrics(cases, predictions, threshold=0.5)
    assert out["n"] == 3
    assert out["chapter_top1"] == pytest.approx(1 / 3, abs=1e-3)
    assert out["chapter_top3"] == pytest.approx(2 / 3, abs=1e-3)
    assert out["heading_top5"] == 1.0  # both 4+-digit truths found in the top 5
    # Above 0.5: {95} for a (tp), {85, 84} for b (1 tp, 1 fp), {} for c (1 fn).
    assert out["chapter_precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert out["chapter_recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert out["coverage"] == pytest.approx(2 / 3, abs=1e-3)


def test_bundled_glossary_loads() -> None:
    assert len(load_glossary().entries) > 200
