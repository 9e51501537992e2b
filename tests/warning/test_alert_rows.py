"""Alerts as delivery reads them: matches and reasons come back as stored, on
SQLite and PostgreSQL (the JSON is read as text and decoded by the reader)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.notifications.helpers import EXPORTERS, notification
from warning.runtime import Runtime
from warning.storage.alerts import add_alert
from warning.storage.deliveries import load_alerts, undelivered_alerts
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.notifications import upsert_notification
from warning.storage.schema import alerts
from warning.storage.subscriptions import sync_from_register
from warning.types import ProductMatch, Reason

REASONS = [
    {"code": "urgency", "en": "12 days left to comment", "zh": "距评议截止还剩12天"},
    {"code": "broken"},  # not a reason: skipped
    {"code": "exposure", "en": "40% of your exports go to the US", "zh": "贵司40%的出口销往美国"},
]


async def test_alert_rows_carry_their_matches_and_reasons(runtime: Runtime) -> None:
    first = ProductMatch("330499", 6, 0.9, "hs", "notified 3304.99")
    second = ProductMatch("3304", 4, 0.75, "text", "lipstick")
    async with runtime.db.begin() as conn:
        for exporter in EXPORTERS:
            await save_exporter(conn, exporter, runtime.now())
        stored = await load_exporters(conn)
        await sync_from_register(conn, stored, runtime.now())
        nid, _ = await upsert_notification(conn, notification("G/TBT/N/USA/9"), runtime.now())
        for exporter_id, _ in stored:
            await add_alert(conn, nid, exporter_id, [first, second], runtime.now())
        (with_reasons, _) = sorted(i for i, _ in stored)
        mine = alerts.c.exporter_id == with_reasons
        await conn.execute(sa.update(alerts).where(mine).values(level="orange", reasons=REASONS))
        every = await load_alerts(conn)
        waiting = await undelivered_alerts(conn, [i for i, _ in stored], ["orange"])
    assert [a.matches for a in every] == [(first, second)] * 2
    assert [(a.exporter_id, a.level, a.effective_level) for a in every] == [
        (with_reasons, "orange", "orange"),
        (max(i for i, _ in stored), None, "blue"),
    ]
    assert every[0].reasons == (
        Reason("urgency", "12 days left to comment", "距评议截止还剩12天"),
        Reason("exposure", "40% of your exports go to the US", "贵司40%的出口销往美国"),
    )
    assert every[1].reasons == ()
    assert [(a.id, a.reasons) for a in waiting] == [(every[0].id, every[0].reasons)]
