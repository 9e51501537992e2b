"""Real HTTP servers on 127.0.0.1 speaking the engines' APIs: LibreTranslate's
``POST /translate`` and OpenAI's ``POST /v1/chat/completions``. Each records
the requests it gets and answers from a small dictionary, or replays a
queued answer (status and body as the real servers send them)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

#: What the fake engines know; anything else gets a made-up translation in the right script.
DICTIONARY = {
    ("en", "zh"): {
        "Lipstick labelling requirements": "口红标签要求",
        "Cosmetics": "化妆品",
        "Draft technical regulation on cosmetic products": "化妆品技术法规草案",
    },
    ("zh", "en"): {
        "电动玩具安全": "Safety of electric toys",
        "玩具": "Toys",
    },
}


def fallback(text: str, source: str, target: str) -> str:
    number = sum(map(ord, text)) % 1000
    return f"译文第{number}号" if target == "zh" else f"Translation number {number}"


def answer_for(text: str, source: str, target: str) -> str:
    return DICTIONARY.get((source, target), {}).get(text) or fallback(text, source, target)


@dataclass
class Replay:
    """An answer to send instead of translating: HTTP status and raw body."""

    status: int
    body: str
    content_type: str = "application/json"


@dataclass
class Engine:
    """State of a fake engine: requests seen, answers queued, whether it hangs."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    replays: list[Replay] = field(default_factory=list)
    #: Requests wait on this before answering (never set: a server that hangs).
    hang: asyncio.Event | None = None

    def texts(self) -> list[str]:
        """Every text asked for, over all requests."""
        out: list[str] = []
        for body in self.requests:
            q = body.get("q")
            if q is not None:
                out += q if isinstance(q, list) else [q]
            else:
                out += json.loads(body["messages"][-1]["content"])
        return out


async def _record(request: web.Request, engine: Engine) -> dict[str, Any] | web.Response:
    body = await request.json()
    engine.requests.append(body)
    engine.headers.append(dict(request.headers))
    if engine.hang is not None:
        await engine.hang.wait()
    if engine.replays:
        replay = engine.replays.pop(0)
        return web.Response(status=replay.status, text=replay.body, content_type=replay.content_type)
    assert isinstance(body, dict)
    return body


def libretranslate_app(engine: Engine) -> web.Application:
    async def translate(request: web.Request) -> web.Response:
        body = await _record(request, engine)
        if isinstance(body, web.Response):
            return body
        source, target, q = body["source"], body["target"], body["q"]
        if isinstance(q, list):
            return web.json_response({"translatedText": [answer_for(t, source, target) for t in q]})
        return web.json_response({"translatedText": answer_for(q, source, target)})

    app = web.Application()
    app.router.add_post("/translate", translate)
    return app


def openai_app(engine: Engine) -> web.Application:
    async def completions(request: web.Request) -> web.Response:
        body = await _record(request, engine)
        if isinstance(body, web.Response):
            return body
        system = body["messages"][0]["content"]
        source = "zh" if "from Simplified Chinese" in system else "en"
        target = "en" if source == "zh" else "zh"
        texts = json.loads(body["messages"][1]["content"])
        content = json.dumps([answer_for(t, source, target) for t in texts], ensure_ascii=False)
        return web.json_response(completion(content, body["model"]))

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    return app


def completion(content: str, model: str = "qwen2.5-7b-instruct") -> dict[str, Any]:
    """A chat completion as OpenAI-compatible servers send it."""
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1764633600,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@asynccontextmanager
async def serve(app: web.Application, port: int | None = None) -> AsyncIterator[str]:
    """Run ``app`` on 127.0.0.1; yields its base URL."""
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
