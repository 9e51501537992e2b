"""The warning level: four factors, weighted, read against thresholds.

Pure functions only: what the factors are made of (matches, export figures,
the notification's wording, dates) is worked out in :mod:`warning.levels.factors`,
:mod:`warning.levels.severity` and :mod:`warning.levels.threads`.
"""

from __future__ import annotations

from warning.config import WarningConfig
from warning.types import LEVELS, Factor, Factors, Level, LevelAssessment

#: Severity below which a document cannot rise above yellow: a corrigendum
#: that only corrects is worth knowing about, never an emergency.
MINOR_SEVERITY = 0.15


def weighted_score(factors: Factors, cfg: WarningConfig) -> float:
    """The factors' scores weighted by ``cfg`` and normalised to [0, 1]."""
    # Written out (this runs for every exporter a measure concerns); the sums
    # keep sum()'s order, from 0 and left to right, so the floats are the same.
    wr, we, ws, wu = cfg.weight_relevance, cfg.weight_exposure, cfg.weight_severity, cfg.weight_urgency
    total = 0 + wr + we + ws + wu
    weighted = (
        0
        + wr * min(1.0, max(0.0, factors.relevance.score))
        + we * min(1.0, max(0.0, factors.exposure.score))
        + ws * min(1.0, max(0.0, factors.severity.score))
        + wu * min(1.0, max(0.0, factors.urgency.score))
    )
    return weighted / total


def level_for_score(score: float, cfg: WarningConfig) -> Level:
    """``red``, ``orange``, ``yellow`` or ``blue`` for a weighted score."""
    if score >= cfg.red:
        return "red"
    if score >= cfg.orange:
        return "orange"
    if score >= cfg.yellow:
        return "yellow"
    return "blue"


def assess(factors: Factors, cfg: WarningConfig) -> LevelAssessment:
    """The warning level of the factors, with their reasons in factor order.

    A relevance or severity of 0 marks a measure that cannot bite (no
    product in common, withdrawn): then the level is blue whatever the
    others say. A minor severity (a mere correction) caps it at yellow.
    """
    score = weighted_score(factors, cfg)
    level = level_for_score(score, cfg)
    if factors.relevance.score <= 0.0 or factors.severity.score <= 0.0:
        level = "blue"
    elif factors.severity.score < MINOR_SEVERITY and LEVELS.index(level) < LEVELS.index("yellow"):
        level = "yellow"
    reasons = (
        *factors.relevance.reasons,
        *factors.exposure.reasons,
        *factors.severity.reasons,
        *factors.urgency.reasons,
    )
    return LevelAssessment(level, round(score, 4), reasons)


def gravest(levels: list[Level]) -> Level | None:
    """The gravest of some levels, ``None`` for none."""
    return min(levels, key=LEVELS.index) if levels else None


def clamp(score: float) -> float:
    """``score`` held in [0, 1]."""
    return min(1.0, max(0.0, score))


def scaled(factor: Factor, by: float) -> Factor:
    """The factor with its score multiplied by ``by`` (held in [0, 1])."""
    return Factor(clamp(factor.score * by), factor.reasons)
