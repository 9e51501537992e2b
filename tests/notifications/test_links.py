"""Feedback and unsubscribe links: what the web app calls when they are followed."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest

from notifications.compose import compose_digests
from notifications.links import Links, apply_feedback, apply_unsubscribe, signer_for
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import notification, parse, seed
from warning.clock import FixedClock
from warning.storage.feedback import load_feedback
from warning.storage.outbox import list_messages
from warning.storage.subscriptions import load_subscriptions
from warning.tokens import TokenError


def _token(url: str) -> str:
    return unquote(url.split("token=", 1)[1])


async def test_feedback_link_is_recorded_and_forgeries_refused(
    make_runtime: MakeRuntime, clock: FixedClock
) -> None:
    rt = await make_runtime()
    ids = await seed(rt, [(notification("G/TBT/N/USA/7"), "yellow")])
    await compose_digests(rt)
    async with rt.db.begin() as conn:
        message = next(
            m for m in await list_messages(conn, bodies=True) if m.recipient == "zh@luyuan.example.com"
        )
    html = parse(message.message).get_body(("html",)).get_content()  # type: ignore[union-attr]
    urls = re.findall(r'href="(https://tbt\.example\.org/feedback\?token=[^"]+)"', html)
    assert len(urls) == 2
    relevant, not_relevant = (_token(u.replace("&amp;", "&")) for u in urls)

    item = await apply_feedback(rt, not_relevant)
    assert not item.relevant and item.email == "zh@luyuan.example.com"
    assert item.notification_id == ids["G/TBT/N/USA/7"]
    await apply_feedback(rt, relevant)  # changed their mind: the latest click counts
    async with rt.db.begin() as conn:
        stored = await load_feedback(conn)
    assert [(f.email, f.relevant) for f in stored] == [("zh@luyuan.example.com", True)]

    forged = relevant[:-3] + ("AAA" if not relevant.endswith("AAA") else "BBB")
    with pytest.raises(TokenError):
        await apply_feedback(rt, forged)
    unsubscribe = Links.for_runtime(rt).unsubscribe(1, "zh@luyuan.example.com")
    with pytest.raises(TokenError):  # a token for another purpose
        await apply_feedback(rt, _token(unsubscribe))
    clock.advance(dt.timedelta(days=rt.config.digest.link_valid_days + 1))
    with pytest.raises(TokenError, match="expired"):
        await apply_feedback(rt, relevant)


async def test_one_click_unsubscribe_stops_emails(make_runtime: MakeRuntime) -> None:
    rt = await make_runtime()
    await seed(rt, [(notification("G/TBT/N/USA/8"), None)])
    await compose_digests(rt)
    async with rt.db.begin() as conn:
        message = next(
            m for m in await list_messages(conn, bodies=True) if m.recipient == "en@qilu.example.com"
        )
    parsed = parse(message.message)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Folding whitespace before the value is allowed (RFC 5322): readers strip it.
    header_url = parsed["List-Unsubscribe"].strip().strip("<>")
    assert header_url.startswith("https://tbt.example.org/unsubscribe?token=")

    stored = await apply_unsubscribe(rt, _token(header_url))
    assert not stored.active and stored.subscription.email == "en@qilu.example.com"
    assert not (await apply_unsubscribe(rt, _token(header_url))).active  # idempotent
    expiry = rt.now() + dt.timedelta(days=1)
    other = signer_for(rt).sign("unsubscribe", {"s": stored.id, "e": "x@evil.example"}, expiry)
    with pytest.raises(TokenError):
        await apply_unsubscribe(rt, other)

    await seed(rt, [(notification("G/TBT/N/USA/9"), None)])
    await compose_digests(rt)
    async with rt.db.begin() as conn:
        later = [m.recipient for m in await list_messages(conn)][3:]
        active = {s.subscription.email for s in await load_subscriptions(conn)}
    assert "en@qilu.example.com" not in later and "en@qilu.example.com" not in active
    assert sorted(later) == ["boss@qilu.example.com", "zh@luyuan.example.com"]
