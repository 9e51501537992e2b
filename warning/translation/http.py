"""The one POST-a-JSON-body exchange both HTTP engines make, with their errors as TranslationError."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from warning.exceptions import TranslationError

#: A larger answer is refused (a translation batch is a few kilobytes).
MAX_ANSWER_BYTES = 4_000_000


async def post_json(
    session: aiohttp.ClientSession,
    engine: str,
    url: str,
    body: dict[str, Any],
    seconds: float,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """POST ``body`` as JSON; the status and the decoded JSON answer.

    Raises:
        TranslationError: unreachable, no answer within ``seconds``,
            or an answer that is not JSON (``garbage`` when the status was 200).
    """
    try:
        async with session.post(
            url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=seconds)
        ) as response:
            raw = await response.content.read(MAX_ANSWER_BYTES + 1)
            status = response.status
    except TimeoutError:
        raise TranslationError(f"{engine} at {url}: no answer in {seconds:g} s") from None
    except aiohttp.ClientError as exc:
        raise TranslationError(f"{engine} at {url}: {exc or type(exc).__name__}") from None
    if len(raw) > MAX_ANSWER_BYTES:
        too_large = f"{engine} at {url}: answer larger than {MAX_ANSWER_BYTES} bytes"
        raise TranslationError(too_large, garbage=True)
    try:
        return status, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        snippet = raw[:120].decode("utf-8", "replace")
        raise TranslationError(
            f"{engine} at {url}: HTTP {status}, not JSON: {snippet!r}", garbage=status == 200
        ) from None


def error_text(answer: Any) -> str:
    """The message of an ``{"error": ...}`` answer (LibreTranslate's string,
    OpenAI's ``{"message": ...}`` object), or the answer cut short."""
    if isinstance(answer, dict):
        error = answer.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return str(answer)[:200]
