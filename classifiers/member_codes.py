"""Classification from the HS codes the notifying member gave."""

from __future__ import annotations

from classifiers.nomenclature import Nomenclature
from warning.types import Notification, ProductMatch

#: Chapters reserved for national use (98) and placeholders (99): never a product.
NATIONAL_CHAPTERS = ("98", "99")


def valid_code(nomenclature: Nomenclature, raw: str) -> str | None:
    """A member-given code normalised to HS 2022, or ``None`` when it names no HS 2022 product."""
    code = nomenclature.normalise(raw)
    if code is None or code.startswith(NATIONAL_CHAPTERS):
        return None
    return code


class MemberCodesClassifier:
    """Trusts member-given HS codes once normalised to HS 2022.

    National 8/10-digit lines are cut to 6 digits; codes that do not exist in
    HS 2022 even at chapter level, and the national/placeholder chapters 98
    and 99, are reported in :attr:`invalid` and not used.
    """

    name = "member"

    def __init__(self, nomenclature: Nomenclature) -> None:
        self.nomenclature = nomenclature
        #: Invalid codes seen, by notification key, for the analysts.
        self.invalid: dict[str, list[str]] = {}

    def classify(self, notification: Notification) -> list[ProductMatch]:
        matches: dict[str, ProductMatch] = {}
        for raw in notification.hs_codes:
            code = valid_code(self.nomenclature, raw)
            if code is None:
                self.invalid.setdefault(notification.key, []).append(raw)
                continue
            evidence = f"member-given HS {raw}"
            if code != raw:
                evidence += f" (HS 2022: {code})"
            matches.setdefault(code, ProductMatch(code, len(code), 1.0, self.name, evidence))
        return list(matches.values())

    def invalid_codes(self, notification: Notification) -> list[str]:
        """The member-given codes of ``notification`` that are not valid HS 2022 (for analysts)."""
        return [raw for raw in notification.hs_codes if valid_code(self.nomenclature, raw) is None]
