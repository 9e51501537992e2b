"""An alert whose level rises above what a contact was told is announced again,
once per rise, saying from which level to which; a fall or no change sends nothing."""

from __future__ import annotations

import sqlalchemy as sa

from notifications.compose import compose_digests
from notifications.deliver import deliver_pending
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import MailServer, Recorder, notification, seed, smtp_config
from warning.runtime import Runtime
from warning.storage.schema import alerts, level_raises
from warning.storage.subscriptions import load_subscriptions, save_choices

RECIPIENTS = ("zh@luyuan.example.com", "en@qilu.example.com", "boss@qilu.example.com")


async def set_level(rt: Runtime, level: str) -> None:
    """Move every alert's level as the alerting step does (it records the change)."""
    async with rt.db.begin() as conn:
        await conn.execute(
            sa.update(alerts).values(level=level, previous_level=alerts.c.level, level_changed_at=rt.now())
        )


async def test_a_rise_is_announced_once_in_each_language(make_runtime: MakeRuntime) -> None:
    recorder = Recorder()
    with MailServer(recorder) as server:
        rt = await make_runtime("smtp", smtp_config(server.port))
        await seed(rt, [(notification("G/TBT/N/USA/7"), "yellow")])
        async with rt.db.begin() as conn:
            for sub in await load_subscriptions(conn):
                chosen = sub.subscription.__class__(**{**sub.subscription.__dict__, "frequency": "immediate"})
                await save_choices(conn, sub, chosen, rt.now(), active=True)
        assert await compose_digests(rt) == 3  # yellow: in each contact's daily digest
        assert (await deliver_pending(rt)).sent == 3

        await set_level(rt, "red")
        assert await compose_digests(rt, ("immediate",)) == 3  # red now: at once, to each contact
        assert (await deliver_pending(rt)).sent == 3
        assert recorder.wait_for(6)
        (zh,) = recorder.for_recipient("zh@luyuan.example.com")[1:]
        (en,) = recorder.for_recipient("en@qilu.example.com")[1:]
        assert en["Subject"].startswith("TBT warning raised from Yellow to Red: ")
        assert zh["Subject"].startswith("【预警升级：黄色→红色】")
        assert "Red (raised from Yellow)" in en.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "红色（由黄色升级）" in zh.get_body(("html",)).get_content()  # type: ignore[union-attr]

        # The same level again, a fall, and a rise back to what was told: nothing.
        assert await compose_digests(rt) == 0
        await set_level(rt, "orange")
        assert await compose_digests(rt) == 0
        await set_level(rt, "red")
        assert await compose_digests(rt) == 0
        assert (await deliver_pending(rt)).sent == 0
    assert recorder.per_recipient() == dict.fromkeys(RECIPIENTS, 2)
    async with rt.db.begin() as conn:
        rows = (await conn.execute(sa.select(level_raises.c.from_level, level_raises.c.level))).all()
    assert sorted(rows) == [("yellow", "red")] * 3


async def test_a_rise_below_the_contacts_minimum_waits_and_a_digest_says_raised(
    make_runtime: MakeRuntime,
) -> None:
    rt = await make_runtime()
    await seed(rt, [(notification("G/TBT/N/USA/8"), "blue")])
    async with rt.db.begin() as conn:
        (boss,) = await load_subscriptions(conn, email="boss@qilu.example.com")
        chosen = boss.subscription.__class__(**{**boss.subscription.__dict__, "min_level": "orange"})
        await save_choices(conn, boss, chosen, rt.now(), active=True)
    assert await compose_digests(rt) == 2  # the boss does not want blue
    await set_level(rt, "yellow")
    assert await compose_digests(rt) == 2  # raised for the two who were told blue; still not the boss's
    await set_level(rt, "orange")
    assert await compose_digests(rt) == 3  # raised again, and now the boss's first
    async with rt.db.begin() as conn:
        rows = (await conn.execute(sa.select(level_raises.c.from_level, level_raises.c.level))).all()
    assert sorted(rows) == [("blue", "yellow")] * 2 + [("yellow", "orange")] * 2
