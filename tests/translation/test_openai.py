"""The openai adapter against an OpenAI-compatible chat-completions server on 127.0.0.1."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.notifications.helpers import free_port
from tests.translation.servers import Engine, Replay, completion, openai_app, serve
from warning.config import TranslationConfig
from warning.exceptions import TranslationError
from warning.translation.openai_chat import OpenAIChat, parse_answer


def config(url: str) -> TranslationConfig:
    return TranslationConfig.model_validate({"engine": "openai", "url": url + "/v1", "model": "qwen2.5-7b"})


async def test_request_carries_model_key_glossary_and_texts() -> None:
    engine = Engine()
    texts = ["电动玩具安全", "本技术法规规定了化妆品的合格评定程序"]
    async with serve(openai_app(engine)) as url, aiohttp.ClientSession() as session:
        translator = OpenAIChat(config(url), session, "sk-test")
        out = await translator.translate(texts, "zh", "en")
    assert out[0] == "Safety of electric toys" and len(out) == 2
    (body,) = engine.requests
    assert engine.headers[0]["Authorization"] == "Bearer sk-test"
    assert body["model"] == "qwen2.5-7b" and body["temperature"] == 0
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert json.loads(user["content"]) == texts
    assert "from Simplified Chinese into English" in system["content"]
    assert "exactly 2 strings" in system["content"]
    # The fixed vocabulary and the glossary's products named in the texts.
    for pair in (
        "技术法规 => technical regulation",
        "合格评定程序 => conformity assessment procedure",
        "通报 => notification",
        "评议意见 => comments",
        "化妆品 => cosmetic",
        "玩具 => toy",
    ):
        assert pair in system["content"]
    assert "牛 => cattle" not in system["content"]  # only the products the batch names
    assert translator.origin == "openai/qwen2.5-7b"


async def test_english_source_gets_english_to_chinese_pairs() -> None:
    engine = Engine()
    async with serve(openai_app(engine)) as url, aiohttp.ClientSession() as session:
        await OpenAIChat(config(url), session, None).translate(
            ["Draft rule on toys and lipsticks"], "en", "zh"
        )
    system = engine.requests[0]["messages"][0]["content"]
    assert "technical regulation => 技术法规" in system and "toy => 玩具" in system
    assert "Authorization" not in engine.headers[0]


# What models answer: the array, wrapped in many ways.
ANSWERS = [
    ('["Toys", "Cosmetics"]', ["Toys", "Cosmetics"]),
    ('```json\n["Toys", "Cosmetics"]\n```', ["Toys", "Cosmetics"]),
    ('<think>The user wants...["x"]</think>\n["Toys", "Cosmetics"]', ["Toys", "Cosmetics"]),
    ('{"translations": ["Toys", "Cosmetics"]}', ["Toys", "Cosmetics"]),
    ('Here you go:\n["Toys", "Cosmetics"]\nHope this helps.', ["Toys", "Cosmetics"]),
]


@pytest.mark.parametrize(("content", "expected"), ANSWERS)
def test_answers_are_read_leniently(content: str, expected: list[str]) -> None:
    assert parse_answer(content, 2) == expected


def test_one_text_may_come_back_as_plain_text() -> None:
    assert parse_answer("Safety of electric toys\n", 1) == ["Safety of electric toys"]


GARBAGE = [
    '["Toys"]',  # one translation for two texts
    "I cannot help with that.",
    '["Toys", 3]',
    '{"a": ["x", "y"], "b": ["z", "w"]}',
    "",
]


@pytest.mark.parametrize("content", GARBAGE)
def test_garbage_answers_are_refused(content: str) -> None:
    with pytest.raises(TranslationError, match="expected a JSON array of 2") as caught:
        parse_answer(content, 2)
    assert caught.value.garbage


ERRORS = [
    (Replay(401, '{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}'),
     "HTTP 401: Incorrect API key provided", False),
    (Replay(404, '{"error": {"message": "The model `x` does not exist", "code": "model_not_found"}}'),
     "HTTP 404: The model", False),
    (Replay(429, '{"error": {"message": "Rate limit reached", "type": "requests"}}'),
     "HTTP 429: Rate limit", False),
    (Replay(500, '{"error": {"message": "The server had an error"}}'),
     "HTTP 500: The server had an error", False),
    (Replay(200, '{"object": "list", "data": []}'), "not a chat completion", True),
    (Replay(200, json.dumps(completion("Sorry, I can only speak English."))), "expected a JSON array", True),
]  # fmt: skip


@pytest.mark.parametrize(("replay", "message", "garbage"), ERRORS)
async def test_errors_are_translation_errors(replay: Replay, message: str, garbage: bool) -> None:
    engine = Engine(replays=[replay])
    async with serve(openai_app(engine)) as url, aiohttp.ClientSession() as session:
        with pytest.raises(TranslationError, match=message) as caught:
            await OpenAIChat(config(url), session, None).translate(["玩具", "化妆品"], "zh", "en")
    assert caught.value.garbage is garbage


async def test_a_server_that_is_down_is_an_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TranslationError, match=r"openai at http://127\.0\.0\.1") as caught:
            await OpenAIChat(config(url), session, None).translate(["玩具"], "zh", "en")
    assert not caught.value.garbage
