"""The level function over its four factors, and the factors' own rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from classifiers.nomenclature import load_nomenclature
from warning.config import WarningConfig, parse_config
from warning.exceptions import ConfigError
from warning.levels.assess import assess, gravest
from warning.levels.factors import OwnFigures, exposure, relevance, urgency
from warning.types import Exporter, ExposureRow, Factor, Factors, ProductMatch, Reason

CFG = WarningConfig()


def factors(rel: float, exp: float, sev: float, urg: float) -> Factors:
    return Factors(
        Factor(rel, (Reason("relevance", "r", "r"),)),
        Factor(exp, (Reason("exposure", "e", "e"),)),
        Factor(sev, (Reason("severity", "s", "s"),)),
        Factor(urg, (Reason("urgency", "u", "u"),)),
    )


@pytest.mark.parametrize(
    ("rel", "exp", "sev", "urg", "level"),
    [
        (1.0, 1.0, 1.0, 1.0, "red"),
        (1.0, 1.0, 0.7, 0.5, "red"),  # 0.30 + 0.25 + 0.175 + 0.10 = 0.825
        (1.0, 0.4, 0.6, 0.3, "orange"),  # 0.30 + 0.10 + 0.15 + 0.06 = 0.61
        (0.75, 0.4, 0.4, 0.1, "yellow"),  # 0.225 + 0.10 + 0.10 + 0.02 = 0.445
        (0.4, 0.1, 0.3, 0.1, "blue"),  # 0.12 + 0.025 + 0.075 + 0.02 = 0.24
        # Each factor alone moves the level.
        (1.0, 0.4, 0.6, 1.0, "red"),  # urgency: 0.61 -> 0.75
        (1.0, 1.0, 0.6, 0.3, "red"),  # exposure: 0.61 -> 0.76
        (1.0, 0.4, 1.0, 0.3, "red"),  # severity: 0.61 -> 0.71
        (0.4, 0.4, 0.6, 0.3, "yellow"),  # relevance: 0.61 -> 0.43
        # A measure that cannot bite is blue whatever else it scores.
        (0.0, 1.0, 1.0, 1.0, "blue"),
        (1.0, 1.0, 0.0, 1.0, "blue"),
        # A mere correction is never graver than yellow.
        (1.0, 1.0, 0.1, 1.0, "yellow"),
    ],
)
def test_level_from_factors(rel: float, exp: float, sev: float, urg: float, level: str) -> None:
    result = assess(factors(rel, exp, sev, urg), CFG)
    assert result.level == level, result.score
    assert [r.code for r in result.reasons] == ["relevance", "exposure", "severity", "urgency"]


def test_weights_and_thresholds_come_from_config() -> None:
    f = factors(1.0, 0.0, 0.2, 0.0)  # 0.30 + 0.05 = 0.35 with the default weights
    assert assess(f, CFG).level == "blue"
    only_relevance = WarningConfig(weight_relevance=1, weight_exposure=0, weight_severity=0, weight_urgency=0)
    assert assess(f, only_relevance).level == "red"
    strict = WarningConfig(red=0.99, orange=0.98, yellow=0.97)
    assert assess(factors(0.9, 0.9, 0.9, 0.9), strict).level == "blue"


def test_config_rejects_unordered_thresholds() -> None:
    with pytest.raises(ConfigError, match="red > orange > yellow"):
        parse_config("[warning]\nred = 0.3\norange = 0.5\n", Path("/x/config.toml"))
    with pytest.raises(ConfigError, match=r"warning\.enquiry_point_days"):
        parse_config("[warning]\nenquiry_point_days = -1\n", Path("/x/config.toml"))
    assert (
        parse_config("[warning]\nenquiry_point_days = 7\n", Path("/x/c.toml")).warning.enquiry_point_days == 7
    )


def test_gravest() -> None:
    assert gravest(["blue", "orange", "yellow"]) == "orange"
    assert gravest([]) is None


COSMETICS = Exporter(
    "Luyuan", ("a@x.cn",), "en", ("3304", "330499", "33"), ("KEN", "EU"), (("3304", "skin cream"),)
)


@pytest.mark.parametrize(
    ("match", "score", "words"),
    [
        (
            ProductMatch("330499", 6, 1.0, "member", ""),
            1.0,
            "matches your 330499 skin cream at subheading level",
        ),
        (
            ProductMatch("330430", 6, 1.0, "member", ""),
            0.75,
            "matches your 3304 skin cream at heading level (notified: 330430)",
        ),
        (ProductMatch("3307", 4, 1.0, "member", ""), 0.4, "at chapter level"),
        (ProductMatch("330499", 6, 0.6, "text", ""), 0.6, "(classifier confidence 60%)"),
        (ProductMatch("8415", 4, 1.0, "member", ""), 0.0, None),
    ],
)
def test_relevance(match: ProductMatch, score: float, words: str | None) -> None:
    factor = relevance([match], COSMETICS, load_nomenclature(), CFG)
    assert factor.score == pytest.approx(score)
    if words is None:
        assert factor.reasons == ()
    else:
        assert words in factor.reasons[0].en
        assert "贵司" in factor.reasons[0].zh


ROWS = [
    ExposureRow("Luyuan", "3304", "KEN", 380_000, 2025),
    ExposureRow("Luyuan", "3305", "KOR", 620_000, 2025),
    ExposureRow("Luyuan", "3304", "EU", 200_000, 2025),
    ExposureRow("Luyuan", "3304", "KEN", 9_000_000, 2023),  # an older year is not counted
]
M3304 = [ProductMatch("330499", 6, 1.0, "member", "")]


@pytest.mark.parametrize(
    ("members", "rows", "score", "words"),
    [
        (["KEN"], ROWS, 0.38 / 0.3, "32% of your exports go to Kenya"),  # 380k of 1.2m, capped at 1
        (["FRA"], ROWS, 0.2 / 1.2 / 0.3, "17% of your exports go to European Union"),  # EU covers France
        (["USA"], ROWS, 0.1, "none of your recorded 2025 exports"),
        (["KEN"], [], CFG.unknown_exposure, "no export figures on record"),
        (
            ["KEN"],
            [ExposureRow("Luyuan", "3304", "KEN", 6_000_000, 2025)],
            1.0,
            "USD 6.0 million of these products in 2025",
        ),
    ],
)
def test_exposure(members: list[str], rows: list[ExposureRow], score: float, words: str) -> None:
    factor = exposure(rows, members, M3304, CFG)
    assert factor.score == pytest.approx(min(1.0, score))
    assert words in factor.reasons[0].en
    # An exporter's figures indexed once give the very same factor.
    assert exposure(OwnFigures(rows), members, M3304, CFG) == factor


TODAY = dt.date(2026, 7, 1)


@pytest.mark.parametrize(
    ("deadline", "in_force", "words"),
    [
        # Deadline 2026-07-18, minus 5 days for the enquiry point: 12 days left.
        (
            dt.date(2026, 7, 18),
            None,
            "12 days left to comment (send comments to the enquiry point by 2026-07-13",
        ),
        (dt.date(2026, 7, 3), None, "the enquiry point's 5 days have begun"),
        (dt.date(2026, 6, 1), None, "comment period closed on 2026-06-01"),
        (None, dt.date(2026, 7, 31), "enters into force in 30 days"),
        (None, None, "no comment deadline given"),
    ],
)
def test_urgency_reasons(deadline: dt.date | None, in_force: dt.date | None, words: str) -> None:
    factor = urgency(TODAY, deadline, None, in_force, CFG)
    assert words in " ".join(r.en for r in factor.reasons)


def test_urgency_grows_as_the_deadline_nears() -> None:
    scores = [urgency(TODAY, TODAY + dt.timedelta(days=d), None, None, CFG).score for d in (90, 40, 20, 6, 2)]
    assert scores == sorted(scores) and scores[0] < scores[-1]
    assert urgency(TODAY, TODAY - dt.timedelta(days=1), None, None, CFG).score < scores[0]
    # The enquiry point's days are configurable.
    later = WarningConfig(enquiry_point_days=10)
    assert "by 2026-07-08" in urgency(TODAY, dt.date(2026, 7, 18), None, None, later).reasons[0].en
