"""The shared HTTP client against a real server on 127.0.0.1: one row per fault."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from feeds.http import USER_AGENT, HttpClient, HttpError, ResponseTooLarge, retry_after_seconds
from warning.clock import FixedClock
from warning.config import CollectConfig

NOW = dt.datetime(2026, 7, 6, 12, 0, tzinfo=dt.UTC)
OPTIONS = CollectConfig(
    total_timeout_seconds=1.0,
    connect_timeout_seconds=1.0,
    max_response_bytes=1_000_000,
    retries=3,
    backoff_base_seconds=1.0,
    backoff_max_seconds=60.0,
)
OK = {"body": b'{"ok": true}'}

# (case, replies, expected body or exception, expected sleeps, expected requests)
CASES: list[tuple[str, list[dict[str, Any]], Any, list[float], int]] = [
    ("plain 200", [OK], b'{"ok": true}', [], 1),
    ("500 then success", [{"status": 500}, OK], b'{"ok": true}', [1.0], 2),
    ("502, 503 then success", [{"status": 502}, {"status": 503}, OK], b'{"ok": true}', [1.0, 2.0], 3),
    (
        "429 with Retry-After seconds",
        [{"status": 429, "headers": {"Retry-After": "7"}}, OK],
        b'{"ok": true}',
        [7.0],
        2,
    ),
    (
        "429 with Retry-After HTTP date",
        [{"status": 429, "headers": {"Retry-After": "Mon, 06 Jul 2026 12:00:30 GMT"}}, OK],
        b'{"ok": true}',
        [30.0],
        2,
    ),
    ("timeout then success", [{"hang": True}, OK], b'{"ok": true}', [1.0], 2),
    (
        "5xx every time",
        [{"status": 503}],
        (HttpError, "HTTP 503 Service Unavailable (gave up after 4 attempts)"),
        [1.0, 2.0, 4.0],
        4,
    ),
    ("timeouts every time", [{"hang": True}], (HttpError, "timed out (gave up after 2 attempts)"), [1.0], 2),
    ("404 is not retried", [{"status": 404}], (HttpError, "HTTP 404 Not Found"), [], 1),
    ("403 is not retried", [{"status": 403}], (HttpError, "HTTP 403 Forbidden"), [], 1),
    (
        "Retry-After beyond the longest backoff",
        [{"status": 429, "headers": {"Retry-After": "3600"}}],
        (HttpError, "retry after 3600 s"),
        [],
        1,
    ),
    (
        "declared oversize body",
        [{"body": b"x" * 1_000_001}],
        (ResponseTooLarge, "exceeds max_response_bytes"),
        [],
        1,
    ),
    ("50 MB streamed body", [{"stream": 50_000_000}], (ResponseTooLarge, "cut off"), [], 1),
]


@pytest.mark.parametrize(
    ("case", "replies", "expected", "sleeps", "requests"), CASES, ids=[c[0] for c in CASES]
)
async def test_faults(
    replay: Any, case: str, replies: list[dict[str, Any]], expected: Any, sleeps: list[float], requests: int
) -> None:
    url = replay.add("/r", *replies)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    # Only the cases about timeouts use a short one: any other reply racing it
    # on a loaded machine (two test workers) would be retried, and the case
    # would count one sleep too many (a 429 then a reply that came in 0.3 s late).
    if any(r.get("hang") for r in replies):
        options = OPTIONS.model_copy(update={"retries": 1} if case == "timeouts every time" else {})
    else:
        options = OPTIONS.model_copy(update={"total_timeout_seconds": 30.0, "connect_timeout_seconds": 30.0})
    async with HttpClient(options, FixedClock(NOW), sleep=sleep, jitter=lambda: 0.0) as http:
        if isinstance(expected, bytes):
            response = await http.get(url)
            assert response.body == expected
            assert response.content_type == "application/json"
        else:
            kind, message = expected
            with pytest.raises(kind, match=None) as info:
                await http.get(url)
            assert message in str(info.value)
            assert url in str(info.value)  # the error names the URL
    assert waited == sleeps
    assert len(replay.hits("/r")) == requests
    if case == "50 MB streamed body":
        # Cut off at the cap: the server never got to send the whole body.
        assert replay.streamed < 20_000_000


async def test_polite_user_agent_and_jitter(replay: Any) -> None:
    url = replay.add("/r", {"status": 500}, OK)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    async with HttpClient(OPTIONS, FixedClock(NOW), sleep=sleep, jitter=lambda: 0.5) as http:
        await http.get(url)
    assert waited == [1.5]  # base * 2**0 + base * jitter
    assert replay.hits("/r")[0].headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("tbtwarn/")


async def test_conditional_get(replay: Any) -> None:
    url = replay.add(
        "/feed",
        {"body": b"<rss/>", "headers": {"ETag": '"v1"', "Last-Modified": "Mon, 06 Jul 2026 08:00:00 GMT"}},
        {"status": 304},
    )
    async with HttpClient(OPTIONS, FixedClock(NOW)) as http:
        first = await http.get(url)
        second = await http.get(url, etag=first.etag, last_modified=first.last_modified)
    assert (first.etag, first.not_modified) == ('"v1"', False)
    assert second.not_modified and second.body == b""
    sent = replay.hits("/feed")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 06 Jul 2026 08:00:00 GMT"


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("12", NOW) == 12.0
    assert retry_after_seconds("Mon, 06 Jul 2026 11:00:00 GMT", NOW) == 0.0  # in the past
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None
