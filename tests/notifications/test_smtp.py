"""Delivery over SMTP to a real aiosmtpd server on 127.0.0.1, with faults."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from notifications.compose import compose_digests
from notifications.deliver import deliver_pending
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import (
    HOSTILE_PRODUCTS,
    HOSTILE_TITLE,
    MailServer,
    Recorder,
    free_port,
    notification,
    seed,
    smtp_config,
)
from warning.service.jobs import JobContext, dispatch_job
from warning.storage.outbox import list_messages

RECIPIENTS = {"zh@luyuan.example.com", "en@qilu.example.com", "boss@qilu.example.com"}


class Sleeps:
    """An injected sleep: records the back-off delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def test_emails_arrive_with_parts_headers_links_and_escaped_text(make_runtime: MakeRuntime) -> None:
    hostile = notification(
        "G/TBT/N/USA/99",
        title=HOSTILE_TITLE,
        products=HOSTILE_PRODUCTS,
        links=("javascript:alert(2)", "https://docs.wto.org/doc/99.pdf"),
    )
    recorder = Recorder()
    with MailServer(recorder) as server:
        rt = await make_runtime("smtp", smtp_config(server.port))
        ids = await seed(rt, [(hostile, "red")])
        await compose_digests(rt)
        outcome = await deliver_pending(rt)
    assert outcome.sent == 3 and outcome.failed == 0
    assert recorder.per_recipient() == dict.fromkeys(RECIPIENTS, 1)

    (zh,) = recorder.for_recipient("zh@luyuan.example.com")
    (en,) = recorder.for_recipient("en@qilu.example.com")
    for message in (zh, en):
        assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@zone.example.org>")
        assert message["Date"] and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "https://tbt.example.org/unsubscribe?token=" in message["List-Unsubscribe"]
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        # Plain text shows the feed's words as they are; HTML never carries its markup.
        assert HOSTILE_TITLE in text and HOSTILE_PRODUCTS in text
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Toys &amp; cosmetics" in html
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Lipstick" in html
        assert "javascript:" not in html and "https://docs.wto.org/doc/99.pdf" in html
        assert f"https://tbt.example.org/notifications/{ids['G/TBT/N/USA/99']}" in html
        assert len(re.findall(r"https://tbt\.example\.org/feedback\?token=", html)) == 2
    assert "红色" in zh.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "剩余 30 天" in zh.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Red" in en.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "days left" in en.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_a_refused_recipient_fails_alone(make_runtime: MakeRuntime) -> None:
    recorder = Recorder(refuse={"en@qilu.example.com"}, defer=Counter({"zh@luyuan.example.com": 1}))
    sleeps = Sleeps()
    with MailServer(recorder) as server:
        rt = await make_runtime("smtp", smtp_config(server.port))
        await seed(rt, [(notification("G/TBT/N/USA/1"), None)])
        await compose_digests(rt)
        outcome = await deliver_pending(rt, sleep=sleeps)
    assert outcome.sent == 2 and outcome.failed == 1
    assert recorder.per_recipient() == {"zh@luyuan.example.com": 1, "boss@qilu.example.com": 1}
    assert sleeps.delays == [1.0]  # the 451 was retried once after the back-off
    async with rt.db.begin() as conn:
        status = {m.recipient: (m.status, m.last_error) for m in await list_messages(conn)}
    assert status["en@qilu.example.com"][0] == "failed" and "550" in str(status["en@qilu.example.com"][1])
    assert status["zh@luyuan.example.com"] == ("sent", None)


async def test_server_down_then_up(make_runtime: MakeRuntime) -> None:
    port = free_port()
    rt = await make_runtime("smtp", smtp_config(port, extra="retries = 3\n"))
    await seed(rt, [(notification("G/TBT/N/USA/1"), None)])
    await compose_digests(rt)
    sleeps = Sleeps()
    down = await deliver_pending(rt, sleep=sleeps)
    # Each of the two connections retried with back-off before giving up.
    assert down.sent == 0 and down.deferred == 3 and sorted(sleeps.delays) == [1.0, 1.0, 2.0, 2.0]
    assert "cannot connect to 127.0.0.1" in down.errors[0]
    async with rt.db.begin() as conn:
        assert {m.status for m in await list_messages(conn)} == {"pending"}
    recorder = Recorder()
    with MailServer(recorder, port):
        up = await deliver_pending(rt, sleep=sleeps)
    assert up.sent == 3 and recorder.per_recipient() == dict.fromkeys(RECIPIENTS, 1)


async def test_connection_dropped_mid_batch(make_runtime: MakeRuntime, tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    # DATA 2 is dropped before the server keeps it; DATA 4 is kept, then dropped:
    # the client cannot tell, and the server's log settles it.
    recorder = Recorder(drop_at={2: False, 4: True}, log=log)
    with MailServer(recorder) as server:
        rt = await make_runtime("smtp", smtp_config(server.port, log))
        await seed(rt, [(notification("G/TBT/N/USA/1"), None)])
        await compose_digests(rt)
        await seed(rt, [(notification("G/TBT/N/USA/2"), "red")])  # another daily batch for each contact
        await compose_digests(rt)
        outcome = await deliver_pending(rt, sleep=Sleeps())
    assert outcome.sent == 6 and outcome.failed == 0
    assert recorder.per_recipient() == dict.fromkeys(RECIPIENTS, 2)
    assert len({m["Message-ID"] for r in RECIPIENTS for m in recorder.for_recipient(r)}) == 6


async def test_without_a_log_hold_keeps_an_undecided_message_for_a_person(make_runtime: MakeRuntime) -> None:
    recorder = Recorder(drop_at={1: True})
    with MailServer(recorder) as server:
        rt = await make_runtime("smtp", smtp_config(server.port, extra='on_uncertain = "hold"\n'))
        await seed(rt, [(notification("G/TBT/N/USA/1"), None)])
        await compose_digests(rt)
        outcome = await deliver_pending(rt, sleep=Sleeps())
    assert outcome.sent == 2 and outcome.failed == 1
    assert sum(recorder.per_recipient().values()) == 3  # the dropped one did arrive, once
    async with rt.db.begin() as conn:
        (held,) = await list_messages(conn, "uncertain")
    assert "cannot be confirmed" in str(held.last_error)


async def test_small_batches_over_several_connections_deliver_each_once(make_runtime: MakeRuntime) -> None:
    # Batches of 2 over 3 connections: the next batch is claimed, and finished
    # messages marked, while the others send; one recipient is refused throughout.
    recorder = Recorder(refuse={"en@qilu.example.com"})
    with MailServer(recorder) as server:
        rt = await make_runtime("smtp", smtp_config(server.port, extra="batch_size = 2\n", connections=3))
        for symbol, level in (("G/TBT/N/USA/1", None), ("G/TBT/N/USA/2", "red"), ("G/TBT/N/USA/3", "red")):
            await seed(rt, [(notification(symbol), level)])
            await compose_digests(rt)
        outcome = await deliver_pending(rt, sleep=Sleeps())
    assert (outcome.sent, outcome.failed, outcome.deferred) == (6, 3, 0)
    assert recorder.per_recipient() == {"zh@luyuan.example.com": 3, "boss@qilu.example.com": 3}
    async with rt.db.begin() as conn:
        statuses = Counter((m.recipient, m.status) for m in await list_messages(conn))
    assert statuses == {
        ("zh@luyuan.example.com", "sent"): 3,
        ("boss@qilu.example.com", "sent"): 3,
        ("en@qilu.example.com", "failed"): 3,
    }


async def test_the_daemons_dispatch_sends_over_the_configured_connections(make_runtime: MakeRuntime) -> None:
    # The daemon wraps each transport to stop cleanly; it must still open
    # ``[smtp] connections`` of them, as ``tbtwarn send`` does, not one.
    recorder = Recorder()
    with MailServer(recorder) as server:
        rt = await make_runtime("smtp", smtp_config(server.port, extra="batch_size = 1\n", connections=3))
        for n in range(4):
            await seed(rt, [(notification(f"G/TBT/N/USA/{n + 1}"), None)])
            await compose_digests(rt)
        summary = await dispatch_job(rt, JobContext())
    assert "12 sent, 0 failed" in summary
    assert recorder.per_recipient() == {r: 4 for r in RECIPIENTS}
    assert len({port for _, port in recorder.peers}) == 3
