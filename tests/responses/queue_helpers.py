"""A response file with concerns, made through the foundation's storage functions."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.conftest import save_demo_exporters
from warning.runtime import Runtime
from warning.storage.concerns import insert_concern
from warning.storage.exporters import load_exporters
from warning.storage.notifications import upsert_notification
from warning.storage.responses import ensure_response_file
from warning.storage.schema import exporters
from warning.storage.subscriptions import sync_from_register
from warning.symbols import parse_symbol
from warning.types import ConcernInput, Notification

SYMBOL = "G/TBT/N/KEN/1777"
CONFIG_EXTRA = (
    '[zone]\nname = "Jinan Area"\nname_zh = "济南片区"\nenquiry_point_email = "tbt-enquiry@example.gov.cn"\n'
    '[digest]\nofficials = ["official@zone.example.gov.cn"]\n'
)


async def measure_with_concern(rt: Runtime, comment_deadline: dt.date, symbol: str = SYMBOL) -> int:
    """A Kenyan measure with one concern of the demo cosmetics exporter; the response file's id."""
    await save_demo_exporters(rt)
    notification = Notification(
        key=symbol,
        symbols=(parse_symbol(symbol),),
        area="TBT",
        member_codes=("KEN",),
        member_name="Kenya",
        notification_type="Regular notification",
        title="Labelling of cosmetic products",
        products="cosmetics",
        distribution_date=comment_deadline - dt.timedelta(days=60),
        comment_deadline=comment_deadline,
    )
    async with rt.db.begin() as conn:
        await sync_from_register(conn, await load_exporters(conn), rt.now())  # the contacts
        notification_id, _ = await upsert_notification(conn, notification, rt.now())
        exporter_id = (
            await conn.execute(sa.select(exporters.c.id).where(exporters.c.name.like("%鲁缘%")))
        ).scalar_one()
        enquiry = comment_deadline - dt.timedelta(days=rt.config.warning.enquiry_point_days)
        file, _ = await ensure_response_file(conn, notification_id, enquiry, rt.now())
        concern = ConcernInput(
            notification_id=notification_id,
            exporter_id=exporter_id,
            contact_email="export@luyuan-cosmetics.example.com",
            hs_codes=("3304",),
            markets=("KEN",),
            cost_usd=30000.0,
            lost_sales_usd=None,
            months_to_comply=9,
            export_value_usd=1_250_000.0,
            requested_change="延长过渡期至12个月",
            language="zh",
            effect_note="需要重新印刷斯瓦希里语标签",
        )
        await insert_concern(conn, file.id, concern, rt.now())
    return file.id
