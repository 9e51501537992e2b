"""The protocol every classification method implements."""

from __future__ import annotations

from typing import Protocol

from warning.types import Notification, ProductMatch


class Classifier(Protocol):
    """Maps a notification to HS codes, with a score and evidence for each."""

    #: Short method name recorded on every match (``member``, ``text``...).
    name: str

    def classify(self, notification: Notification) -> list[ProductMatch]:
        """Product matches for one notification, best first."""
        ...
