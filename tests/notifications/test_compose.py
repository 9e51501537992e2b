"""Composing: subscriptions from the register, filters, frequencies, grouping,
and each alert reaching each contact exactly once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from notifications.compose import compose_digests, compose_weekly_digests
from notifications.deliver import deliver_pending
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import EXPORTERS, notification, parse, seed
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.outbox import list_messages
from warning.storage.schema import alerts, deliveries
from warning.storage.subscriptions import load_subscriptions, save_choices, sync_from_register


async def _sub(rt, email):  # type: ignore[no-untyped-def]
    async with rt.db.begin() as conn:
        (found,) = await load_subscriptions(conn, active_only=False, email=email)
    return found


async def test_register_defaults_never_overwrite_a_contacts_choices(make_runtime: MakeRuntime) -> None:
    rt = await make_runtime()
    await seed(rt, [])
    sub = await _sub(rt, "en@qilu.example.com")
    assert sub.subscription.hs_prefixes == ("3304", "9503") and sub.subscription.frequency == "daily"
    assert sub.subscription.min_level == "blue" and sub.subscription.language == "en"
    async with rt.db.begin() as conn:
        chosen = sub.subscription.__class__(**{**sub.subscription.__dict__, "frequency": "weekly"})
        await save_choices(conn, sub, chosen, rt.now(), active=True)
        # The register changes the exporter's codes and drops the boss's address.
        changed = EXPORTERS[1].__class__("Qilu Toys Co.", ("en@qilu.example.com",), "zh", ("9503",), ("USA",))
        await save_exporter(conn, changed, rt.now())
        await sync_from_register(conn, await load_exporters(conn), rt.now())
    mine = await _sub(rt, "en@qilu.example.com")
    assert mine.subscription.frequency == "weekly" and mine.subscription.hs_prefixes == ("3304", "9503")
    assert not (await _sub(rt, "boss@qilu.example.com")).active
    zh = await _sub(rt, "zh@luyuan.example.com")
    assert zh.subscription.language == "zh" and zh.active and not zh.customised


async def test_digest_orders_by_urgency_across_markets_and_each_alert_goes_once(
    make_runtime: MakeRuntime,
) -> None:
    rt = await make_runtime()
    await seed(
        rt,
        [
            (notification("G/TBT/N/USA/10"), None),  # no level yet: shown as blue
            (notification("G/TBT/N/KEN/20"), "orange"),
            (notification("G/TBT/N/EU/30", comment_deadline=dt.date(2026, 12, 10)), "orange"),
            # Not among the zh exporter's markets; the soonest enquiry-point date of all.
            (notification("G/TBT/N/JPN/40", comment_deadline=dt.date(2026, 12, 1)), "yellow"),
        ],
    )
    assert await compose_digests(rt) == 3  # one daily digest per contact
    assert (await deliver_pending(rt)).sent == 3
    async with rt.db.begin() as conn:
        messages = {m.recipient: parse(m.message) for m in await list_messages(conn, bodies=True)}
    text = messages["en@qilu.example.com"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Open periods by the days left to the enquiry point's date (deadline - 5 days), then level.
    order = [text.index(s) for s in ("G/TBT/N/JPN/40", "G/TBT/N/EU/30", "G/TBT/N/KEN/20", "G/TBT/N/USA/10")]
    assert order == sorted(order)
    assert ">> Send comments to the national enquiry point by: 2026-11-26 (2 days left) <<" in text
    assert "WTO comment deadline: 2026-12-01 (7 days left)" in text
    assert "[Warning level: Yellow] Japan" in text and "2026-12-19 (25 days left)" in text
    zh = messages["zh@luyuan.example.com"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "[预警等级: 橙色] 欧盟" in zh and "请于此日期前向国家TBT咨询点提交评议意见" in zh
    assert "G/TBT/N/JPN/40" not in zh
    # Nothing new: nothing composed; each (alert, contact) pair is delivered once.
    assert await compose_digests(rt) == 0
    async with rt.db.begin() as conn:
        pairs = (await conn.execute(sa.select(sa.func.count()).select_from(deliveries))).scalar()
        # A level written by hand (not by the alerting step, which records
        # level_changed_at) is no rise to announce.
        await conn.execute(sa.update(alerts).values(level="red"))
    assert pairs == 3 + 4 + 4
    assert await compose_digests(rt) == 0


async def test_levels_frequencies_and_filters(make_runtime: MakeRuntime) -> None:
    rt = await make_runtime()
    await seed(rt, [(notification("G/TBT/N/USA/1"), "red"), (notification("G/TBT/N/USA/2"), "blue")])
    async with rt.db.begin() as conn:
        for email, changes in [
            ("en@qilu.example.com", {"frequency": "immediate"}),
            ("boss@qilu.example.com", {"frequency": "weekly", "min_level": "orange"}),
            ("zh@luyuan.example.com", {"hs_prefixes": (), "sectors": ("XI",)}),  # textiles only
        ]:
            (sub,) = await load_subscriptions(conn, email=email)
            new = sub.subscription.__class__(**{**sub.subscription.__dict__, **changes})
            await save_choices(conn, sub, new, rt.now(), active=True)
    # en: the red goes alone at once; the blue waits for the daily digest.
    assert await compose_digests(rt, ("immediate",)) == 1
    assert await compose_digests(rt) == 1
    async with rt.db.begin() as conn:
        queued = await list_messages(conn, bodies=True)
    assert [(m.recipient, m.kind) for m in queued] == [
        ("en@qilu.example.com", "alert"),
        ("en@qilu.example.com", "daily"),
    ]
    assert (
        "URGENT" in queued[0].subject
        and "G/TBT/N/USA/1" in parse(queued[0].message).get_body(("plain",)).get_content()
    )  # type: ignore[union-attr]
    # The weekly contact gets only what passes min_level orange: the red one.
    assert await compose_weekly_digests(rt) == 1
    async with rt.db.begin() as conn:
        weekly = [m for m in await list_messages(conn, bodies=True) if m.kind == "weekly"]
    body = parse(weekly[0].message).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert weekly[0].recipient == "boss@qilu.example.com"
    assert "G/TBT/N/USA/1" in body and "G/TBT/N/USA/2" not in body
