"""A zone ready for the officials' review: the sample collected, classified and
alerted, two EU measures of 2026-W25 alerting a Chinese- and an English-speaking
exporter, every contact on weekly digests, nothing sent yet."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import SAMPLE, save_demo_exporters
from tests.web.conftest import PASSWORD, WEB_NOW, email_of
from warning.classify import classify_pending
from warning.clock import FixedClock
from warning.collect import collect
from warning.config import load_config
from warning.levels.alerting import create_alerts
from warning.runtime import Runtime
from warning.storage.exporters import load_exporters
from warning.storage.notifications import upsert_notification
from warning.storage.schema import exporters, notifications, subscriptions
from warning.storage.subscriptions import sync_from_register
from warning.storage.users import add_user
from warning.symbols import parse_symbol
from warning.types import Notification
from warning.web.security import hash_password

WEEK = "2026-W25"
#: Cosmetics and toys: alerts the cosmetics maker (zh) and the toy maker (en).
BOTH = "G/TBT/N/EU/2001"
#: Cosmetics only: alerts the cosmetics maker.
COSMETICS = "G/TBT/N/EU/2002"
COSMETICS_MAKER = "济南鲁缘化妆品有限公司"
TOY_MAKER = "Jinan Spring Toys Co. Ltd."


def write_review_config(folder: Path, review_required: bool = True, officials: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(
        'database_url = "sqlite+aiosqlite:///var/review.db"\n'
        f"[digest]\nreview_required = {'true' if review_required else 'false'}\n"
        + (f'officials = ["{officials}"]\n' if officials else "")
        + f'[[sources]]\nname = "sample"\nkind = "file"\npath = "{SAMPLE}"\n'
        '[delivery]\ntransport = "outbox"\noutbox_dir = "var/outbox"\n',
        encoding="utf-8",
    )
    return path


def _measure(key: str, title: str, products: str, hs: tuple[str, ...], day: int) -> Notification:
    return Notification(
        key=key,
        symbols=(parse_symbol(key),),
        area="TBT",
        member_codes=("EU",),
        member_name="European Union",
        notification_type="Regular notification",
        title=title,
        products=products,
        distribution_date=dt.date(2026, 6, day),
        comment_deadline=dt.date(2026, 8, 14),
        hs_codes=hs,
    )


async def populate(config_path: Path) -> None:
    rt = await Runtime.open(load_config(config_path), FixedClock(WEB_NOW))
    try:
        await save_demo_exporters(rt)
        await collect(rt)
        async with rt.db.begin() as conn:
            both = _measure(
                BOTH, "Labelling of cosmetics and toys", "cosmetics; toys", ("330499", "950300"), 15
            )
            await upsert_notification(conn, both, rt.now())
            cosmetics = _measure(COSMETICS, "Limits of lead in cosmetic creams", "cosmetics", ("330499",), 16)
            await upsert_notification(conn, cosmetics, rt.now())
        await classify_pending(rt)
        await create_alerts(rt)
        async with rt.db.begin() as conn:
            await sync_from_register(conn, await load_exporters(conn), rt.now())
            await conn.execute(sa.update(subscriptions).values(frequency="weekly"))
            hashed = await asyncio.to_thread(hash_password, PASSWORD)
            await add_user(conn, email_of("official"), hashed, "official", rt.now())
    finally:
        await rt.close()


async def ids(rt: Runtime) -> dict[str, int]:
    """The two measures' and two exporters' ids, by key and name."""
    async with rt.db.begin() as conn:
        found = {
            r.key: r.id
            for r in await conn.execute(
                sa.select(notifications.c.key, notifications.c.id).where(
                    notifications.c.key.in_([BOTH, COSMETICS])
                )
            )
        }
        found |= {
            r.name: r.id
            for r in await conn.execute(
                sa.select(exporters.c.name, exporters.c.id).where(
                    exporters.c.name.in_([COSMETICS_MAKER, TOY_MAKER])
                )
            )
        }
    return found
