"""The Translator protocol every engine adapter implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

#: The free-text fields of a notification that are translated.
FIELDS: tuple[str, ...] = ("title", "description", "products")


class Translator(Protocol):
    """A machine-translation engine."""

    #: The engine's registered name (``libretranslate``, ``openai``, ``none``).
    name: str
    #: The model asked for, ``""`` when the engine has none to choose.
    model: str
    #: ``False`` for the ``none`` engine: nothing is sent, text stays in its language.
    enabled: bool

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Translate ``texts`` from ``source`` to ``target`` (``zh``, ``en``, ``fr``...).

        Returns one translation per text, in order, as the engine gave it
        (the caller checks each with ``glossary.check_translation``).

        Raises:
            TranslationError: the engine is unreachable, refused the request
                (its status and error message in the text), or answered
                something unusable (``garbage`` set).
        """
        ...

    @property
    def origin(self) -> str:
        """What translations from it are recorded as made by: ``engine`` or ``engine/model``."""
        ...
