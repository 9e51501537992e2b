"""The officials' review changes: checked, kept with their history, applied to
what exporters receive and to the officials' email, surviving recomputation."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from notifications.compose import plan
from notifications.officials import render_report, weekly_report
from tests.review.fixtures import (
    BOTH,
    COSMETICS,
    COSMETICS_MAKER,
    TOY_MAKER,
    WEEK,
    ids,
    populate,
    write_review_config,
)
from tests.web.conftest import WEB_NOW
from warning.classify import classify_pending
from warning.clock import FixedClock
from warning.config import load_config
from warning.exceptions import ReviewEditError
from warning.levels.alerting import create_alerts
from warning.review.edits import Edit, apply_edit
from warning.runtime import Runtime
from warning.storage.review_actions import load_changes, load_state
from warning.storage.schema import alert_state, alerts

BY = "official@zone.example.gov.cn"


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[Runtime]:
    config_path = write_review_config(tmp_path)
    await populate(config_path)
    runtime = await Runtime.open(load_config(config_path), FixedClock(WEB_NOW))
    try:
        yield runtime
    finally:
        await runtime.close()


def text_of(message: bytes) -> str:
    parsed = email.message_from_bytes(message, policy=email.policy.default)
    body = parsed.get_body(("plain",))  # type: ignore[attr-defined]
    return str(body.get_content())


async def edit(rt: Runtime, **values: object) -> None:
    async with rt.db.begin() as conn:
        await apply_edit(conn, Edit(**values), BY, rt.now())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"action": "level", "level": "blue", "reason": ""}, "review_reason_missing"),
        ({"action": "level", "level": "purple", "reason": "x"}, "review_bad_level"),
        ({"action": "explode", "reason": "x"}, "review_bad_action"),
        ({"action": "note", "office": "Bureau", "exporter_id": None}, "review_note_missing"),
        ({"action": "note", "note_en": "n", "exporter_id": None}, "review_office_missing"),
        ({"action": "suppress", "reason": "x" * 4001}, "review_text_long"),
    ],
)
async def test_bad_changes_are_refused_with_their_reason(
    rt: Runtime, values: dict[str, object], key: str
) -> None:
    known = await ids(rt)
    base: dict[str, object] = {"notification_id": known[BOTH], "exporter_id": known[TOY_MAKER]}
    with pytest.raises(ReviewEditError) as raised:
        await edit(rt, **(base | values))
    assert raised.value.key == key and isinstance(raised.value, ValueError)
    async with rt.db.begin() as conn:
        assert await load_changes(conn) == []


async def test_unknown_alert_and_notification_are_refused(rt: Runtime) -> None:
    known = await ids(rt)
    with pytest.raises(ReviewEditError, match="alerts no exporter"):
        await edit(
            rt, notification_id=known[COSMETICS], exporter_id=known[TOY_MAKER], action="suppress", reason="r"
        )
    with pytest.raises(ReviewEditError, match="no notification"):
        await edit(rt, notification_id=999_999, exporter_id=None, action="suppress", reason="r")


async def test_override_survives_recomputation_until_lifted(rt: Runtime) -> None:
    known = await ids(rt)
    both, toys = known[BOTH], known[TOY_MAKER]
    await edit(
        rt, notification_id=both, exporter_id=toys, action="level", level="red", reason="adopted early"
    )
    # A full recomputation and a reclassification rewrite the computed level.
    async with rt.db.begin() as conn:
        await conn.execute(sa.delete(alert_state))
    await classify_pending(rt, everything=True)
    await create_alerts(rt)
    async with rt.db.begin() as conn:
        computed = (
            await conn.execute(
                sa.select(alerts.c.level).where(
                    alerts.c.notification_id == both, alerts.c.exporter_id == toys
                )
            )
        ).scalar_one()
        state = await load_state(conn)
    assert computed == "yellow" and state.levels[both, toys].level == "red"
    toy_mail = [c for c in await plan(rt, ("weekly",)) if c.subscription.exporter_id == toys]
    assert len(toy_mail) == 1 and "red" in {level for _, level in toy_mail[0].alerts}
    assert "adopted" in text_of(toy_mail[0].message)
    await edit(rt, notification_id=both, exporter_id=toys, action="level_lift", reason="back to normal")
    async with rt.db.begin() as conn:
        assert (both, toys) not in (await load_state(conn)).levels
        history = await load_changes(conn, [both])
    assert [(c.action, c.before) for c in history] == [("level", "yellow"), ("level_lift", "red")]
    assert all(c.by_email == BY and c.created_at == WEB_NOW for c in history)


async def test_held_back_notification_reaches_nobody_and_officials_see_red(rt: Runtime) -> None:
    known = await ids(rt)
    await edit(rt, notification_id=known[COSMETICS], exporter_id=None, action="suppress", reason="duplicate")
    await edit(
        rt,
        notification_id=known[BOTH],
        exporter_id=known[TOY_MAKER],
        action="level",
        level="red",
        reason="ban",
    )
    mails = await plan(rt, ("weekly",))
    assert mails and all(COSMETICS not in text_of(c.message) for c in mails)
    assert any(BOTH in text_of(c.message) for c in mails)
    report = await weekly_report(rt, WEEK, "en")
    _, text, html = render_report(report)
    key = [m for m in report.key_measures if m.symbols == BOTH]
    assert len(key) == 1 and key[0].level == "red"
    assert set(key[0].exporters) == {COSMETICS_MAKER, TOY_MAKER}
    assert "Labelling of cosmetics and toys" in text and "Enquiry point by: 2026-08-09" in text
    assert TOY_MAKER in text and "/digest?week=2026-W25" in text and "/digest?week=2026-W25" in html
    # Red first in the email, before the counts.
    assert text.index("Labelling of cosmetics and toys") < text.index("By level")
    # The held-back notification alerts nobody: it has no level in the week's numbers.
    assert report.by_level[-1].count >= 1


async def test_exporter_feed_follows_the_review(rt: Runtime) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from tests.web.conftest import SECRET
    from warning.tokens import Signer
    from warning.web.app import create_app
    from warning.web.feeds import exporter_feed_path, exporter_feed_token

    known = await ids(rt)
    maker = known[COSMETICS_MAKER]
    await edit(
        rt, notification_id=known[COSMETICS], exporter_id=maker, action="suppress", reason="false alert"
    )
    await edit(
        rt, notification_id=known[BOTH], exporter_id=maker, action="level", level="red", reason="urgent"
    )
    path = exporter_feed_path(exporter_feed_token(Signer(SECRET), maker, rt.now(), 30))
    async with TestClient(TestServer(create_app(rt, Signer(SECRET)))) as client:
        feed = await (await client.get(path)).text()
    assert BOTH in feed and COSMETICS not in feed and "urgent" in feed
