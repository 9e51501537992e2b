"""Combining classification methods into one ranked list of matches."""

from __future__ import annotations

from collections.abc import Sequence

from classifiers.base import Classifier
from classifiers.member_codes import MemberCodesClassifier
from classifiers.nomenclature import Nomenclature, load_nomenclature
from warning.types import Notification, ProductMatch


class Ensemble:
    """Runs every method; for each HS code keeps the best-scored match."""

    name = "ensemble"

    def __init__(self, methods: Sequence[Classifier]) -> None:
        self.methods = list(methods)

    def classify(self, notification: Notification) -> list[ProductMatch]:
        best: dict[str, ProductMatch] = {}
        for method in self.methods:
            for match in method.classify(notification):
                current = best.get(match.hs_code)
                if current is None or match.score > current.score:
                    best[match.hs_code] = match
        return sorted(best.values(), key=lambda m: (-m.score, m.hs_code))


def default_classifier(nomenclature: Nomenclature | None = None) -> Ensemble:
    """The classifier the pipeline uses."""
    return Ensemble([MemberCodesClassifier(nomenclature or load_nomenclature())])
