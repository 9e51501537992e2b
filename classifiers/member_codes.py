"""Classification from the HS codes the notifying member gave."""

from __future__ import annotations

from classifiers.nomenclature import Nomenclature
from warning.types import Notification, ProductMatch


class MemberCodesClassifier:
    """Trusts member-given HS codes once normalised to HS 2022.

    National 8/10-digit lines are cut to 6 digits; codes that do not exist in
    HS 2022 even at chapter level are reported in :attr:`invalid` and not used.
    """

    name = "member"

    def __init__(self, nomenclature: Nomenclature) -> None:
        self.nomenclature = nomenclature
        #: Invalid codes seen, by notification key, for the analysts.
        self.invalid: dict[str, list[str]] = {}

    def classify(self, notification: Notification) -> list[ProductMatch]:
        matches: dict[str, ProductMatch] = {}
        for raw in notification.hs_codes:
            code = self.nomenclature.normalise(raw)
            if code is None:
                self.invalid.setdefault(notification.key, []).append(raw)
                continue
            evidence = f"member-given HS {raw}"
            if code != raw:
                evidence += f" (HS 2022: {code})"
            matches.setdefault(code, ProductMatch(code, len(code), 1.0, self.name, evidence))
        return list(matches.values())
