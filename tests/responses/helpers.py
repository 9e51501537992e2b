"""A measure, two companies with contacts and an alert each: what the response tests start from."""

from __future__ import annotations

import datetime as dt

from warning.runtime import Runtime
from warning.storage.alerts import add_alert
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.notifications import upsert_notification
from warning.storage.subscriptions import sync_from_register
from warning.symbols import parse_symbols
from warning.types import Exporter, Notification, ProductMatch

COSMETICS = Exporter(
    name="济南鲁缘化妆品有限公司",
    emails=("export@luyuan.example.com", "boss@luyuan.example.com"),
    language="zh",
    hs_codes=("3304", "3305"),
    markets=("KEN", "EU"),
)
TYRES = Exporter(
    name="Quancheng Tyre Co.",
    emails=("sales@tyre.example.com",),
    language="en",
    hs_codes=("4011",),
    markets=("KEN",),
)
DEADLINE = dt.date(2026, 12, 20)


def measure(symbol: str = "G/TBT/N/KEN/1500") -> Notification:
    parsed = parse_symbols([symbol])
    return Notification(
        key=parsed[0].text,
        symbols=parsed,
        area="TBT",
        member_codes=("KEN",),
        member_name="Kenya",
        notification_type="Regular notification",
        title="Cosmetics and tyres: labelling requirements",
        hs_codes=("3304", "4011"),
        comment_deadline=DEADLINE,
        source_name="test",
        source_id=symbol,
    )


async def populate(rt: Runtime) -> tuple[int, dict[str, int]]:
    """The measure's id and the companies' ids by name; both companies alerted, contacts subscribed."""
    now = rt.now()
    async with rt.db.begin() as conn:
        notification_id, _ = await upsert_notification(conn, measure(), now)
        for e in (COSMETICS, TYRES):
            await save_exporter(conn, e, now)
        stored = await load_exporters(conn)
        await sync_from_register(conn, stored, now)
        ids = {e.name: i for i, e in stored}
        for name, code in ((COSMETICS.name, "3304"), (TYRES.name, "4011")):
            await add_alert(
                conn, notification_id, ids[name], [ProductMatch(code, 4, 0.9, "member", code)], now
            )
    return notification_id, ids
