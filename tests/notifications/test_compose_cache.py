"""The parts of an item cached per composing run are the same for every reader:
emails rendered with the caches equal emails rendered without them, and each
reader keeps their own links."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.compose import _Context, _item, _load_chunk, _start, plan
from notifications.links import FEEDBACK, signer_for
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import HOSTILE_PRODUCTS, HOSTILE_TITLE, notification, parse, seed
from warning.types import Language

NOTES = [
    (notification("G/TBT/N/USA/10", title=HOSTILE_TITLE, products=HOSTILE_PRODUCTS), "red"),
    (notification("G/TBT/N/KEN/20", hs_codes=("950300",)), "orange"),
    (notification("G/TBT/N/EU/30"), "yellow"),
]


async def test_cached_parts_give_the_same_emails(
    make_runtime: MakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = await make_runtime()
    await seed(rt, NOTES)
    warm = await plan(rt, ("daily",))
    assert len(warm) == 3

    cached_view, cached_matched = _Context.view, _Context.matched

    def cold_view(self: _Context, notification_id: int, language: Language) -> Any:
        self.views.clear()  # every item renders its notification's part afresh
        return cached_view(self, notification_id, language)

    def cold_matched(self: _Context, alert: Any, language: Language) -> Any:
        self.codes.clear()
        return cached_matched(self, alert, language)

    monkeypatch.setattr(_Context, "view", cold_view)
    monkeypatch.setattr(_Context, "matched", cold_matched)
    cold = await plan(rt, ("daily",))
    assert [c.message for c in cold] == [c.message for c in warm]
    for composed in warm:
        html = parse(composed.message).get_body(("html",))
        assert html is not None
        body = html.get_content()
        assert "<script>" not in body and "&lt;script&gt;" in body
        assert 'onerror="alert(1)"' not in body


async def test_readers_share_the_notification_part_but_not_their_links(make_runtime: MakeRuntime) -> None:
    rt = await make_runtime()
    await seed(rt, NOTES)
    ctx, subs = await _start(rt, ("daily",))
    by_exporter, _, _ = await _load_chunk(ctx, subs, ("daily",))
    qilu = [s for s in subs if s.subscription.exporter == "Qilu Toys Co."]
    alert = by_exporter[qilu[0].exporter_id][0]
    first, second = (_item(ctx, alert, s.subscription.email, "en") for s in qilu)
    assert first.head_html is second.head_html and first.codes is second.codes
    assert "&lt;script&gt;" in first.head_html and "<script>" not in first.head_html
    assert first.relevant_url != second.relevant_url
    signer = signer_for(rt)
    for item, stored in ((first, qilu[0]), (second, qilu[1])):
        for url, relevant in ((item.relevant_url, True), (item.not_relevant_url, False)):
            token = url.partition("token=")[2]
            data = signer.verify(token, FEEDBACK, rt.now())
            assert data == {"a": alert.id, "e": stored.subscription.email, "r": relevant}
            # The directly built token is the one the generic signer writes.
            assert token == signer.sign(FEEDBACK, data, ctx.links.feedback_expiry)
