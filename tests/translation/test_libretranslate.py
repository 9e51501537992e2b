"""The libretranslate adapter against a LibreTranslate-speaking server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from tests.notifications.helpers import free_port
from tests.translation.servers import Engine, Replay, libretranslate_app, serve
from warning.config import TranslationConfig
from warning.exceptions import TranslationError
from warning.translation.libretranslate import LibreTranslate


def config(url: str, **changes: object) -> TranslationConfig:
    return TranslationConfig.model_validate({"engine": "libretranslate", "url": url, **changes})


async def test_a_batch_is_one_request_in_the_apis_format() -> None:
    engine = Engine()
    async with serve(libretranslate_app(engine)) as url, aiohttp.ClientSession() as session:
        translator = LibreTranslate(config(url), session, "secret-key")
        out = await translator.translate(["Lipstick labelling requirements", "Cosmetics"], "en", "zh")
    assert out == ["口红标签要求", "化妆品"]
    (body,) = engine.requests
    assert body == {
        "q": ["Lipstick labelling requirements", "Cosmetics"],
        "source": "en",
        "target": "zh",
        "format": "text",
        "api_key": "secret-key",
    }
    assert engine.headers[0]["Content-Type"].startswith("application/json")


async def test_no_key_sends_no_api_key_and_language_codes_are_mapped() -> None:
    engine = Engine()
    async with serve(libretranslate_app(engine)) as url, aiohttp.ClientSession() as session:
        translator = LibreTranslate(config(url + "/", language_codes={"zh": "zh-Hans"}), session, None)
        await translator.translate(["电动玩具安全"], "zh", "en")
    assert "api_key" not in engine.requests[0]
    assert engine.requests[0]["source"] == "zh-Hans" and engine.requests[0]["target"] == "en"


async def test_a_single_string_answer_is_accepted_for_one_text() -> None:
    engine = Engine(replays=[Replay(200, json.dumps({"translatedText": "玩具"}))])
    async with serve(libretranslate_app(engine)) as url, aiohttp.ClientSession() as session:
        assert await LibreTranslate(config(url), session, None).translate(["Toys"], "en", "zh") == ["玩具"]


# The errors LibreTranslate answers with, and answers that are not translations.
ERRORS = [
    (Replay(400, '{"error": "zh-Hans is not supported"}'), "HTTP 400: zh-Hans is not supported", False),
    (Replay(403, '{"error": "Invalid API key"}'), "HTTP 403: Invalid API key", False),
    (Replay(429, '{"error": "Slowdown: 20 per 1 minute"}'), "HTTP 429: Slowdown", False),
    (Replay(500, '{"error": "Cannot translate text: model failed"}'), "HTTP 500: Cannot translate", False),
    (Replay(502, "<html>Bad Gateway</html>", "text/html"), "HTTP 502, not JSON", False),
    (Replay(200, "<html>hello</html>", "text/html"), "not JSON", True),
    (Replay(200, '{"translatedText": ["only one"]}'), "expected 2 translations", True),
    (Replay(200, '{"detectedLanguage": {"confidence": 90}}'), "expected 2 translations", True),
    (Replay(200, '{"translatedText": ["a", 3]}'), "not text", True),
]


@pytest.mark.parametrize(("replay", "message", "garbage"), ERRORS)
async def test_errors_are_translation_errors(replay: Replay, message: str, garbage: bool) -> None:
    engine = Engine(replays=[replay])
    async with serve(libretranslate_app(engine)) as url, aiohttp.ClientSession() as session:
        with pytest.raises(TranslationError, match=message) as caught:
            await LibreTranslate(config(url), session, None).translate(["Toys", "Cosmetics"], "en", "zh")
    assert caught.value.garbage is garbage


async def test_a_server_that_is_down_is_an_error_naming_it() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TranslationError, match=r"libretranslate at http://127\.0\.0\.1") as caught:
            await LibreTranslate(config(url), session, None).translate(["Toys"], "en", "zh")
    assert not caught.value.garbage


async def test_a_server_that_never_answers_times_out() -> None:
    engine = Engine(hang=asyncio.Event())  # never set
    async with serve(libretranslate_app(engine)) as url, aiohttp.ClientSession() as session:
        with pytest.raises(TranslationError, match=r"no answer in 0\.2 s"):
            await LibreTranslate(config(url, timeout_seconds=0.2), session, None).translate(
                ["Toys"], "en", "zh"
            )
        engine.hang.set()  # type: ignore[union-attr]
