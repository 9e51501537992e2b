"""Issue 20, third round: goods as regulators name them in English (EU, US, Canada, Japan,
Korea, Australia, Gulf and East African notifications), and British and American spellings
the word folding does not join, at heading level."""

from __future__ import annotations

import pytest

from classifiers.ensemble import DEFAULT_CALIBRATION, Ensemble, combine
from classifiers.glossary import load_glossary
from classifiers.nomenclature import load_nomenclature
from tests.classifiers.helpers import note
from warning.types import ProductMatch


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    return Ensemble(load_nomenclature())


@pytest.mark.parametrize(
    ("products", "heading"),
    [
        ("Electric storage water heaters", "8516"),
        ("Solid fuel local space heaters", "7321"),
        ("Electronic ballasts and LED drivers", "8504"),
        ("External power supplies", "8504"),
        ("Electric vehicle supply equipment", "8504"),
        ("Welding equipment", "8515"),
        ("Electrically power assisted cycles", "8711"),
        ("Chain saws", "8467"),
        ("Set-top boxes", "8528"),
        ("Refrigerator-freezers", "8418"),
        ("Feed additives", "2309"),
        ("Spirit drinks", "2208"),
        ("Non-alcoholic beer", "2202"),
        ("Natural mineral waters and spring waters", "2201"),
        ("Follow-up formula and young child formula", "1901"),
        ("Biocidal products", "3808"),
        ("Hand sanitizers", "3808"),
        ("Laundry bar soap", "3401"),
        ("Veterinary medicinal products", "3004"),
        ("Wood packaging material", "4415"),
        ("Filtering half masks", "6307"),
        ("Prestressing steel strand", "7312"),
        ("Galvanized steel roofing sheets", "7210"),
        # A word of another heading inside the name ("washer" the fastener, "glucose" the sugar).
        ("Residential clothes washers", "8450"),
        ("Blood glucose monitoring systems", "9027"),
    ],
)
def test_a_regulators_name_of_goods_reaches_its_heading(
    ensemble: Ensemble, products: str, heading: str
) -> None:
    # Written from the HS 2022 headings and regulators' usual wording, not from notifications.
    ranked = ensemble.classify(note(products))
    assert ranked[0].hs_code[:4] == heading
    assert ranked[0].score >= 0.7


@pytest.mark.parametrize(
    ("british", "american", "heading"),
    [
        ("Potato crisps", "Potato chips", "2005"),
        ("Courgettes and aubergines", "Zucchini and eggplants", "0709"),
        ("Windscreens", "Windshields", "7007"),
        ("Pyjamas", "Pajamas", "6107"),
        ("Optical fibre cables", "Optical fiber cables", "8544"),
        ("Bin liners", "Trash bags", "3923"),
        ("Soothers", "Pacifiers", "4014"),
    ],
)
def test_british_and_american_names_meet(british: str, american: str, heading: str) -> None:
    glossary = load_glossary()
    for text in (british, american):
        codes = {code for hit in glossary.find_en(text) for code in hit.entry.hs}
        assert any(code.startswith(heading) for code in codes), text


def test_a_regulators_title_names_the_heading_its_words_name(ensemble: Ensemble) -> None:
    ranked = ensemble.classify(
        note("Fertilizing products", title="Rules on making EU fertilising products available on the market")
    )
    assert ranked[0].hs_code[:2] == "31"
    ranked = ensemble.classify(note("", title="Safety requirements for pedelecs and e-scooters"))
    assert ranked[0].hs_code[:4] == "8711"


@pytest.mark.parametrize(
    ("products", "heading"),
    [
        ("Child restraint systems for use in motor vehicles", "9401"),
        ("Batteries for electric vehicles", "85"),
    ],
)
def test_goods_named_for_a_vehicle_are_the_goods_not_the_vehicle(
    ensemble: Ensemble, products: str, heading: str
) -> None:
    # The text model half-matches the vehicles' headings (8706-8708); the vehicle is what the
    # goods are for, named by a glossary word only as a modifier.
    assert ensemble.classify(note(products))[0].hs_code[: len(heading)] == heading


def test_a_chapter_named_only_as_a_modifier_ranks_behind_the_named_goods() -> None:
    evidence = [
        ProductMatch("9401", 4, 1.0, "glossary", "word “child restraint system”"),
        ProductMatch("8703", 4, 0.6, "glossary", "word “motor vehicle”"),
        ProductMatch("8708", 4, 0.5, "text", "words motor, vehicle, system"),
    ]
    assert combine(evidence, DEFAULT_CALIBRATION)[0].hs_code == "9401"


@pytest.mark.parametrize(
    ("products", "heading"),
    [("Macadamia nuts", "0802"), ("Cashew nuts", "0801"), ("Tree nuts", "0802"), ("Sesame seeds", "1207")],
)
def test_edible_nuts_and_seeds_are_not_fasteners_or_seeds_for_sowing(
    ensemble: Ensemble, products: str, heading: str
) -> None:
    # "nut" alone is the fastener (7318); an edible nut is named with its kind.
    ranked = ensemble.classify(note(products))
    assert heading in [m.hs_code[:4] for m in ranked[:2]]
    assert ranked[0].hs_code[:2] in {"08", "12"}
