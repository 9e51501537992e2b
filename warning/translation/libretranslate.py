"""The ``libretranslate`` engine: LibreTranslate, the open-source MT server a zone can run itself.

Its API: ``POST /translate`` with a JSON body ``{"q": text or [texts],
"source": "en", "target": "zh", "format": "text", "api_key": "..."}``;
the answer is ``{"translatedText": text or [texts]}`` (a list for a list),
an error ``{"error": "..."}`` with status 400 (bad request, unknown
language), 403 (banned or wrong key), 429 (slow down) or 500 (the model
failed). Servers differ in their Chinese code (``zh`` on most; ``zh-Hans``
on some since 2024): ``[translation] language_codes`` maps ours to theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp

from warning.config import TranslationConfig
from warning.exceptions import TranslationError
from warning.translation.http import error_text, post_json


class LibreTranslate:
    """Translates through a LibreTranslate server."""

    name = "libretranslate"
    model = ""
    enabled = True

    def __init__(
        self, config: TranslationConfig, session: aiohttp.ClientSession, api_key: str | None
    ) -> None:
        self.url = config.url.rstrip("/") + "/translate"
        self.codes = config.language_codes
        self.timeout = config.timeout_seconds
        self.session = session
        self.api_key = api_key

    @property
    def origin(self) -> str:
        return self.name

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """One request for the whole batch.

        Raises:
            TranslationError: as the protocol says.
        """
        body: dict[str, Any] = {
            "q": list(texts),
            "source": self.codes.get(source, source),
            "target": self.codes.get(target, target),
            "format": "text",
        }
        if self.api_key:
            body["api_key"] = self.api_key
        status, answer = await post_json(self.session, self.name, self.url, body, self.timeout)
        if status != 200:
            raise TranslationError(f"{self.name} at {self.url}: HTTP {status}: {error_text(answer)}")
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise TranslationError(
                f"{self.name}: expected {len(texts)} translations, got {str(answer)[:120]!r}", garbage=True
            )
        if not all(isinstance(t, str) for t in translated):
            raise TranslationError(f"{self.name}: a translation is not text", garbage=True)
        return list(translated)
