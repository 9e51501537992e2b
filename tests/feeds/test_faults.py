"""Faults at the collector level: one row per fault. The faulty source is
recorded as failed with its reason, its raw payload is kept and quarantined,
and a healthy source in the same run finishes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from warning.clock import FixedClock
from warning.collect import collect
from warning.config import load_config
from warning.runtime import Runtime
from warning.storage.raw import get_source_state, list_quarantine
from warning.storage.schema import raw_records

NOW = dt.datetime(2026, 7, 12, 2, 0, tzinfo=dt.UTC)
RSS = (Path(__file__).resolve().parent / "data" / "wto_tbt.rss").read_bytes()
EPING = (Path(__file__).resolve().parent / "data" / "eping_page1.json").read_bytes()
HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>down</body></html>"
)
LATIN1_RSS = RSS.replace(b"Regulation on the", "Règlement".encode("latin-1"))
LATIN1_JSON = EPING.replace(b"Frozen Shrimps", "Crevettes congelées".encode("latin-1"))
_ITEM = b"<item><title>G/TBT/N/EU/1</title><link>https://example.org/1</link>"


def _with_doctype(entities: bytes, title: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + entities + b"]>\n"
        b'<rss version="2.0"><channel><title>x</title><item><title>' + title + b"</title>"
        b"<link>https://example.org/1</link></item></channel></rss>"
    )


#: Each entity ten of the one before: &lol9; is a billion "lol"s.
BILLION_LAUGHS = _with_doctype(
    b'<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%s;" % (b"" if i == 1 else b"%d" % (i - 1))) * 10)
        for i in range(1, 10)
    ),
    b"&lol9;",
)
#: A plain entity (which feedparser keeps) used 40,000 times: 400 MB of text.
QUADRATIC = _with_doctype(b'<!ENTITY a "' + b"x" * 10_000 + b'">', b"&a;" * 40_000)
EXTERNAL_ENTITY = _with_doctype(b'<!ENTITY xxe SYSTEM "file:///etc/passwd">', b"&xxe;")
#: 50,000 nested elements in one item: 350 kB, within max_response_bytes.
DEEP = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
    + _ITEM
    + b"<description>"
    + b"<a>" * 50_000
    + b"</a>" * 50_000
    + b"</description></item></channel></rss>"
)

# (case, kind, replies, error fragment or None, quarantine fragment or None, raw payloads kept, new)
CASES: list[tuple[str, str, list[dict[str, Any]], str | None, str | None, int, int]] = [
    ("rss 500 then success", "rss", [{"status": 500}, {"body": RSS}], None, None, 1, 3),
    (
        "rss 429 with Retry-After",
        "rss",
        [{"status": 429, "headers": {"Retry-After": "5"}}, {"body": RSS}],
        None,
        None,
        1,
        3,
    ),
    ("rss timeouts", "rss", [{"hang": True}], "timed out (gave up after 2 attempts)", None, 0, 0),
    ("rss truncated XML", "rss", [{"body": RSS[:1500]}], "bad XML at line", "bad XML at line", 1, 0),
    ("rss 50 MB body", "rss", [{"stream": 50_000_000}], "exceeds max_response_bytes", None, 0, 0),
    (
        "rss HTML page with wrong content type",
        "rss",
        [{"body": HTML_ERROR, "content_type": "text/html"}],
        "expected an RSS or Atom feed, got an HTML page (text/html): '503 Service Unavailable'",
        "got an HTML page",
        1,
        0,
    ),
    (
        "rss non-UTF-8 bytes",
        "rss",
        [{"body": LATIN1_RSS}],
        "wrong encoding: document declared as utf-8",
        "wrong encoding",
        1,
        0,
    ),
    ("rss 404", "rss", [{"status": 404}], "HTTP 404 Not Found", None, 0, 0),
    ("rss billion laughs", "rss", [{"body": BILLION_LAUGHS}], "XML entity 'lol'", "XML entity 'lol'", 1, 0),
    ("rss quadratic blowup", "rss", [{"body": QUADRATIC}], "XML entity 'a'", "XML entity 'a'", 1, 0),
    ("rss external entity", "rss", [{"body": EXTERNAL_ENTITY}], "external XML entity 'xxe'", "xxe", 1, 0),
    ("rss nested 50,000 deep", "rss", [{"body": DEEP}], "nested deeper than 100 levels", "deeper", 1, 0),
    ("eping 503 then success", "eping", [{"status": 503}, {"body": EPING}], None, None, 1, 3),
    (
        "eping HTML error page instead of JSON",
        "eping",
        [{"body": HTML_ERROR, "content_type": "text/html"}],
        "page 1: expected JSON, got an HTML page",
        "expected JSON, got an HTML page (text/html)",
        1,
        0,
    ),
    (
        "eping non-UTF-8 bytes",
        "eping",
        [{"body": LATIN1_JSON}],
        "wrong encoding: the page is not UTF-8",
        "wrong encoding",
        1,
        0,
    ),
    (
        "eping not JSON",
        "eping",
        [{"body": b'{"items": [', "content_type": "application/json"}],
        "not JSON",
        "not JSON",
        1,
        0,
    ),
]


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.mark.parametrize(
    ("case", "kind", "replies", "error", "quarantined", "raws", "new"), CASES, ids=[c[0] for c in CASES]
)
async def test_fault(
    write_config: Callable[..., Path],
    replay: Any,
    case: str,
    kind: str,
    replies: list[dict[str, Any]],
    error: str | None,
    quarantined: str | None,
    raws: int,
    new: int,
) -> None:
    url = replay.add("/bad", *replies)
    good = replay.add("/good", {"body": replay.data("eu_tris.atom"), "content_type": "application/atom+xml"})
    page_size = "page_size = 100\n" if kind == "eping" else ""
    sources = (
        f'[[sources]]\nname = "bad"\nkind = "{kind}"\nurl = "{url}"\n{page_size}'
        f'[[sources]]\nname = "good"\nkind = "rss"\nurl = "{good}"\n'
    )
    extra = "[collect]\ntotal_timeout_seconds = 1.0\nretries = 1\nmax_response_bytes = 1000000\n"
    rt = await Runtime.open(load_config(write_config(sources, extra)), FixedClock(NOW))
    try:
        outcomes = {o.source_name: o for o in await collect(rt, sleep=_no_sleep, jitter=lambda: 0.0)}
        async with rt.db.begin() as conn:
            state = await get_source_state(conn, "bad")
            items = [q for q in await list_quarantine(conn) if q.source_name == "bad"]
            kept = (
                await conn.execute(sa.select(sa.func.count()).where(raw_records.c.source_name == "bad"))
            ).scalar_one()
    finally:
        await rt.close()
    bad = outcomes["bad"]
    assert outcomes["good"].ok and outcomes["good"].new == 2  # the other source finished
    assert bad.new == new
    assert kept == raws
    if error is None:
        assert bad.ok and state.consecutive_failures == 0 and state.last_success_at == NOW
    else:
        assert bad.error is not None and error in bad.error
        assert state.consecutive_failures == 1 and state.last_error == bad.error
        assert state.cursor == {}  # not advanced: the next run asks again
    # Whole payloads refused (as opposed to single bad items of a good feed).
    refused = [q.reason for q in items if q.position == "document"]
    if quarantined is None:
        assert refused == []
    else:
        assert len(refused) == 1 and quarantined in refused[0]
