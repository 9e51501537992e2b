"""The ``openai`` engine: any OpenAI-compatible chat-completions endpoint.

``POST {url}/chat/completions`` (``url`` is the API base, e.g.
``http://127.0.0.1:8000/v1`` for vLLM, llama.cpp's server or Ollama, or a
provider's) with ``{"model", "messages", "temperature": 0}`` and
``Authorization: Bearer <key>``; the answer's
``choices[0].message.content`` is read. Errors are ``{"error": {"message":
...}}`` with 400, 401, 404 (unknown model), 429 or 5xx.

The system prompt carries the term pairs of our glossary found in the
batch, so 技术法规, 合格评定程序, 通报 and product names come out right. The
texts go as a JSON array and a JSON array of the same length is asked back;
the answer is read leniently (a reasoning model's ``<think>`` block, code
fences, an object holding the array, text around the array) and refused
when it still is not one translation per text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import aiohttp

from warning.config import TranslationConfig
from warning.exceptions import TranslationError
from warning.translation.glossary import glossary_lines
from warning.translation.http import error_text, post_json

LANGUAGE_NAMES = {"zh": "Simplified Chinese", "en": "English", "fr": "French", "es": "Spanish", "th": "Thai"}

PROMPT = """You translate the text of WTO TBT and SPS notifications from {source} into {target}.
The user message is a JSON array of {n} strings. Answer with a JSON array of exactly {n} strings:
the translations, in the same order. Answer with the JSON array only, no comment.
Keep symbols, codes, numbers, units and names of laws as they are.
Use these term translations:
{terms}"""

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


class OpenAIChat:
    """Translates through an OpenAI-compatible chat model."""

    name = "openai"
    enabled = True

    def __init__(
        self, config: TranslationConfig, session: aiohttp.ClientSession, api_key: str | None
    ) -> None:
        self.url = config.url.rstrip("/") + "/chat/completions"
        self.model = config.model
        self.timeout = config.timeout_seconds
        self.session = session
        self.api_key = api_key

    @property
    def origin(self) -> str:
        return f"{self.name}/{self.model}"

    def messages(self, texts: Sequence[str], source: str, target: str) -> list[dict[str, str]]:
        """The system prompt (with the batch's term pairs) and the texts as a JSON array."""
        system = PROMPT.format(
            source=LANGUAGE_NAMES.get(source, source),
            target=LANGUAGE_NAMES.get(target, target),
            n=len(texts),
            terms=glossary_lines(texts, source),
        )
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": json.dumps(list(texts), ensure_ascii=False)},
        ]

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """One chat completion for the whole batch.

        Raises:
            TranslationError: as the protocol says.
        """
        body = {"model": self.model, "messages": self.messages(texts, source, target), "temperature": 0}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else None
        status, answer = await post_json(self.session, self.name, self.url, body, self.timeout, headers)
        if status != 200:
            raise TranslationError(f"{self.name} at {self.url}: HTTP {status}: {error_text(answer)}")
        return parse_answer(content_of(answer), len(texts))


def content_of(answer: Any) -> str:
    """``choices[0].message.content`` of a chat completion.

    Raises:
        TranslationError: (``garbage``) the answer is not a chat completion.
    """
    try:
        content = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        message = f"openai: not a chat completion: {str(answer)[:120]!r}"
        raise TranslationError(message, garbage=True) from None
    if not isinstance(content, str):
        raise TranslationError("openai: the message has no text content", garbage=True)
    return content


def parse_answer(content: str, n: int) -> list[str]:
    """The ``n`` translations in a model's answer.

    Raises:
        TranslationError: (``garbage``) no array of ``n`` strings can be read from it.
    """
    text = _FENCE.sub("", _THINK.sub("", content).strip()).strip()
    value = _json_value(text)
    if isinstance(value, dict):
        arrays = [v for v in value.values() if isinstance(v, list)]
        value = arrays[0] if len(arrays) == 1 else None
    if value is None and n == 1 and text and text[0] not in "[{":
        value = [text]  # one text, answered as plain text
    if isinstance(value, list) and len(value) == n and all(isinstance(v, str) for v in value):
        return value
    raise TranslationError(f"openai: expected a JSON array of {n} strings, got {text[:120]!r}", garbage=True)


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    start, end = text.find("["), text.rfind("]")
    if 0 <= start < end:
        try:
            return json.loads(text[start : end + 1])
        except ValueError:
            return None
    return None
