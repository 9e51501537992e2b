from __future__ import annotations

import datetime as dt
from dataclasses import replace

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from warning.runtime import Runtime
from warning.storage.notifications import load_notifications, sources_of, upsert_notification
from warning.storage.schema import metadata, notifications
from warning.symbols import parse_symbols
from warning.types import Notification

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def make(symbols: list[str], **changes: object) -> Notification:
    parsed = parse_symbols(symbols)
    base = Notification(
        key=parsed[0].text,
        symbols=parsed,
        area="TBT",
        member_codes=tuple(s.member or "" for s in parsed),
        member_name="Kenya",
        notification_type="Regular notification",
        title="Mosquito repellent wipes",
        hs_codes=("380891",),
        source_name="a",
        source_id="1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_migrations_match_schema(runtime: Runtime) -> None:
    def diff(connection: sa.Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    async with runtime.db.begin() as conn:
        assert await conn.run_sync(diff) == []


async def test_migrate_twice_is_harmless(runtime: Runtime) -> None:
    await runtime.db.migrate()
    async with runtime.db.begin() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(notifications))).scalar() == 0


async def test_same_notification_twice_is_one_row(runtime: Runtime) -> None:
    n = make(["G/TBT/N/KEN/1463"])
    async with runtime.db.begin() as conn:
        first = await upsert_notification(conn, n, NOW)
        second = await upsert_notification(conn, n, NOW)
        rows = await load_notifications(conn)
    assert first[1] == "new" and second == (first[0], "unchanged")
    assert len(rows) == 1


async def test_joint_notification_from_two_sources_is_one_row(runtime: Runtime) -> None:
    joint = make(["G/TBT/N/BDI/383", "G/TBT/N/KEN/1463", "G/TBT/N/UGA/1800"])
    # The second source knows only the Kenyan symbol, and adds a deadline.
    single = make(["G/TBT/N/KEN/1463"], source_name="b", source_id="x", comment_deadline=dt.date(2023, 8, 25))
    async with runtime.db.begin() as conn:
        nid, _ = await upsert_notification(conn, joint, NOW)
        nid2, outcome = await upsert_notification(conn, single, NOW)
        rows = await load_notifications(conn)
        sources = await sources_of(conn, nid)
    assert (nid2, outcome) == (nid, "updated")
    assert len(rows) == 1
    stored = rows[0][1]
    assert stored.key == "G/TBT/N/BDI/383"
    assert {s.text for s in stored.symbols} == {"G/TBT/N/BDI/383", "G/TBT/N/KEN/1463", "G/TBT/N/UGA/1800"}
    assert stored.comment_deadline == dt.date(2023, 8, 25)
    assert stored.title == "Mosquito repellent wipes"  # an empty new value never erases
    assert sources == ["a", "b"]


async def test_addendum_keeps_link_to_base(runtime: Runtime) -> None:
    async with runtime.db.begin() as conn:
        await upsert_notification(conn, make(["G/TBT/N/USA/874"]), NOW)
        await upsert_notification(conn, make(["G/TBT/N/USA/874/Add.13"], title="Addendum"), NOW)
        rows = (await conn.execute(sa.select(notifications.c.key, notifications.c.base_symbol))).all()
    assert sorted(map(tuple, rows)) == [
        ("G/TBT/N/USA/874", None),
        ("G/TBT/N/USA/874/Add.13", "G/TBT/N/USA/874"),
    ]
