"""Control characters from a feed's title never reach an email's subject."""

from __future__ import annotations

import datetime as dt

from notifications.compose import compose_digests
from notifications.message import build_message
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import notification, parse, seed
from warning.storage.outbox import list_messages
from warning.storage.subscriptions import load_subscriptions, save_choices

HOSTILE = "\x01Draft\x1b[31m regulation\x07 on\x85 cosmetics\x9b2J\x7f\r\nBcc: x@evil.example"


async def test_red_alert_subject_has_no_control_characters(make_runtime: MakeRuntime) -> None:
    rt = await make_runtime()
    await seed(rt, [(notification("G/TBT/N/USA/1", title=HOSTILE), "red")])
    async with rt.db.begin() as conn:
        (sub,) = await load_subscriptions(conn, email="en@qilu.example.com")
        new = sub.subscription.__class__(**{**sub.subscription.__dict__, "frequency": "immediate"})
        await save_choices(conn, sub, new, rt.now(), active=True)
    assert await compose_digests(rt, ("immediate",)) == 1
    async with rt.db.begin() as conn:
        [queued] = await list_messages(conn, bodies=True)
    expected = "URGENT TBT warning (red): Draft[31m regulation on cosmetics2J Bcc: x@evil.example"
    assert queued.subject == expected
    header = parse(queued.message)["Subject"]
    assert header == expected
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in queued.subject)


def test_message_builder_strips_control_characters_from_any_subject() -> None:
    data = build_message(
        sender="TBT <tbt@example.com>",
        recipient="a@example.com",
        subject="周报\x1b]0;pwned\x07 weekly\x00",
        text="body",
        html="<p>body</p>",
        now=dt.datetime(2026, 11, 24, tzinfo=dt.UTC),
        message_key="weekly:1",
    )
    assert parse(data)["Subject"] == "周报]0;pwned weekly"
