"""The analysts' evaluation page: figures in words with two decimals, the baseline
explained, per language, confusions, failed and skipped records; cached per classifier
version (a rule change is a new version)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import SignIn
from warning.runtime import Runtime
from warning.storage.rules import add_rule
from warning.types import ClassifierRule
from warning.web import analyst_evaluation

Client = TestClient[web.Request, web.Application]


async def test_evaluation_page_in_words_and_cached_per_version(
    client: Client, web_rt: Runtime, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("TBTWARN_CACHE_DIR", str(tmp_path / "cache"))
    analyst_evaluation._MEMO.clear()
    await sign_in(client, "analyst")
    page = await (await client.get("/analyst/evaluation")).text()
    for words in ("Right chapter first", "Right chapter in the top three", "Right heading in the top five"):
        assert re.search(rf"<th>{words}</th>(<td>[01]\.\d\d</td>){{4}}</tr>", page), words
    assert "never reach the alert threshold" in page  # the baseline's 0 explained
    assert re.search(r"<th>en \(\d+\)</th><th>zh \(\d+\)</th>", page)
    assert 'id="confusions"' in page and re.search(
        r'id="failures">.*?<div class="ours"><strong>\d+', page, re.S
    )
    skipped = re.search(r'<table class="list" id="skipped">(.*?)</table>', page, re.S)
    assert skipped is not None and "no HS codes to measure against" in skipped[1]
    figures = re.search(r'<table class="counts" id="evaluation">(.*?)</table>', page, re.S)
    assert figures is not None and "chapter_top1" not in re.sub(r"<[^>]+>", " ", figures[1])
    assert all(re.fullmatch(r"[01]\.\d\d", v) for v in re.findall(r"<td>([^<]*)</td>", figures[1]))

    def must_not_run(*args: object, **kwargs: object) -> dict[str, Any]:
        raise AssertionError("recomputed although the classifier did not change")

    monkeypatch.setattr(analyst_evaluation, "full_report", must_not_run)
    assert (await client.get("/analyst/evaluation")).status == 200  # from memory
    analyst_evaluation._MEMO.clear()
    assert (await client.get("/analyst/evaluation")).status == 200  # from the cache folder
    async with web_rt.db.begin() as conn:
        await add_rule(conn, ClassifierRule(("quokka",), ("0106",)), "li", web_rt.now())
    with pytest.raises(AssertionError, match="recomputed"):
        await analyst_evaluation.evaluation_for(_request(client))


def _request(client: Client) -> web.Request:
    from aiohttp.test_utils import make_mocked_request

    return make_mocked_request("GET", "/analyst/evaluation", app=client.app)
