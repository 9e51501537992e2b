"""The ``none`` engine (the embedded default): no machine translation.

Free text stays in the language it was notified in, and is shown marked as
untranslated; staff can still write a translation on the notification page.
"""

from __future__ import annotations

from collections.abc import Sequence

from warning.exceptions import TranslationError


class NoTranslator:
    """Translates nothing."""

    name = "none"
    model = ""
    enabled = False

    @property
    def origin(self) -> str:
        return self.name

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Never translates.

        Raises:
            TranslationError: always (no engine is configured).
        """
        raise TranslationError('no translation engine is configured ([translation] engine = "none")')
