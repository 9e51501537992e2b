"""Incremental alerting: a run recomputes only what changed, with the same
result as recomputing everything."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from tests.warning.levels.test_alert_threads import REGISTER, add, note, setup
from warning.clock import FixedClock
from warning.levels.alerting import create_alerts
from warning.register import read_exporters, read_exposure
from warning.runtime import Runtime
from warning.storage.exporters import save_exporter
from warning.storage.exposure import save_exposure
from warning.storage.notifications import replace_matches
from warning.storage.schema import alert_state, alerts, notification_warnings, notifications
from warning.types import ProductMatch

NIGHT_CREAM = "This Draft Kenya Standard specifies requirements for night creams."
AIR_CONDITIONERS = "Energy performance requirements for air conditioners."


async def snapshot(rt: Runtime) -> tuple[list[Any], list[Any]]:
    """Alerts and warnings as stored, without times (a recomputation rewrites those)."""
    async with rt.db.begin() as conn:
        found = await conn.execute(
            sa.select(
                alerts.c.notification_id,
                alerts.c.exporter_id,
                alerts.c.thread_key,
                alerts.c.level,
                alerts.c.previous_level,
                alerts.c.reasons,
                alerts.c.matches,
            ).order_by(alerts.c.id)
        )
        warned = await conn.execute(
            sa.select(
                notification_warnings.c.notification_id,
                notification_warnings.c.thread_key,
                notification_warnings.c.level,
                notification_warnings.c.score,
                notification_warnings.c.reasons,
                notification_warnings.c.alerts,
                notification_warnings.c.event,
            ).order_by(notification_warnings.c.notification_id)
        )
        return [tuple(r) for r in found], [tuple(r) for r in warned]


async def full_recompute(rt: Runtime) -> int:
    """Recompute everything, as the first run of a day does."""
    async with rt.db.begin() as conn:
        await conn.execute(sa.delete(alert_state))
    return await create_alerts(rt)


async def assert_same_as_full(rt: Runtime) -> None:
    incremental = await snapshot(rt)
    await full_recompute(rt)
    assert await snapshot(rt) == incremental


async def notification_id(rt: Runtime, key: str) -> int:
    async with rt.db.begin() as conn:
        return int(
            (await conn.execute(sa.select(notifications.c.id).where(notifications.c.key == key))).scalar_one()
        )


async def test_a_run_without_changes_recomputes_nothing(runtime: Runtime) -> None:
    await setup(runtime, note("G/TBT/N/KEN/1307", NIGHT_CREAM, hs_codes=("330499",)))
    before = await snapshot(runtime)
    async with runtime.db.begin() as conn:
        stamps = list(await conn.execute(sa.select(notification_warnings.c.computed_at)))
    assert before[0], "the measure alerts an exporter"
    assert await create_alerts(runtime) == 0  # no pair seen: nothing recomputed
    async with runtime.db.begin() as conn:
        assert list(await conn.execute(sa.select(notification_warnings.c.computed_at))) == stamps
    assert await snapshot(runtime) == before
    assert await full_recompute(runtime) > 0  # while a full run sees the pairs again
    assert await snapshot(runtime) == before


async def test_new_and_follow_up_documents_match_a_full_recompute(runtime: Runtime) -> None:
    await setup(
        runtime,
        note("G/TBT/N/KEN/1307", NIGHT_CREAM, hs_codes=("330499",)),
        note("G/TBT/N/KEN/1400", AIR_CONDITIONERS, hs_codes=("841510",)),
    )
    await add(runtime, note("G/TBT/N/KEN/1307/Add.1", "KS 2975 notified in G/TBT/N/KEN/1307 was adopted."))
    raised = [r for r in (await snapshot(runtime))[0] if r[2] == "G/TBT/N/KEN/1307" and r[4] is not None]
    assert raised, "the addendum moved the measure's level in the incremental run"
    assert await create_alerts(runtime) == 0
    await assert_same_as_full(runtime)


async def test_reclassification_moves_the_alert(runtime: Runtime) -> None:
    await setup(runtime, note("G/TBT/N/KEN/1500", "Requirements for some products.", hs_codes=("330499",)))
    nid = await notification_id(runtime, "G/TBT/N/KEN/1500")
    assert {r[1] for r in (await snapshot(runtime))[0]} == {1}  # Acme sells night creams to Kenya
    # An analyst's rule (say) now maps it to air conditioners: same text, new matches.
    async with runtime.db.begin() as conn:
        await replace_matches(conn, nid, [ProductMatch("841510", 6, 0.95, "rule", "air conditioner")])
    assert await create_alerts(runtime) > 0
    found = (await snapshot(runtime))[0]
    acme = [r for r in found if r[1] == 1]
    assert [m["hs_code"] for m in acme[0][6]] == ["841510"]  # Acme's alert now names 8415
    await assert_same_as_full(runtime)


async def test_register_and_exposure_changes_reach_the_measures_they_touch(runtime: Runtime) -> None:
    await setup(
        runtime,
        note("G/TBT/N/KEN/1307", NIGHT_CREAM, hs_codes=("330499",)),
        note("G/TBT/N/USA/2000", AIR_CONDITIONERS, hs_codes=("841510",), member_codes=("USA",)),
    )
    assert {(r[2], r[1]) for r in (await snapshot(runtime))[0]} == {("G/TBT/N/KEN/1307", 1)}
    # Acme now sells to the USA too: the US measure on air conditioners concerns it.
    acme = replace(read_exporters(REGISTER)[0][0], markets=("KEN", "USA"))
    async with runtime.db.begin() as conn:
        await save_exporter(conn, acme, runtime.now())
    assert await create_alerts(runtime) > 0
    assert ("G/TBT/N/USA/2000", 1) in {(r[2], r[1]) for r in (await snapshot(runtime))[0]}
    await assert_same_as_full(runtime)

    # Larger figures for Kenya move the exposure reason of the Kenyan measure only.
    before = {r[2]: r[5] for r in (await snapshot(runtime))[0]}
    rows, _ = read_exposure(
        "exporter,hs_code,market,value_usd,year\nAcme,330499,KEN,9000000,2025\n", {"Acme"}
    )
    async with runtime.db.begin() as conn:
        await save_exposure(conn, rows, runtime.now())
    await create_alerts(runtime)
    after = {r[2]: r[5] for r in (await snapshot(runtime))[0]}
    assert after["G/TBT/N/KEN/1307"] != before["G/TBT/N/KEN/1307"]
    await assert_same_as_full(runtime)


async def test_a_new_day_recomputes_days_left(runtime: Runtime, clock: FixedClock) -> None:
    deadline = runtime.today() + dt.timedelta(days=40)
    await setup(
        runtime, note("G/TBT/N/KEN/1307", NIGHT_CREAM, hs_codes=("330499",), comment_deadline=deadline)
    )
    before = {r[1]: r[5] for r in (await snapshot(runtime))[0]}
    clock.advance(dt.timedelta(hours=1))
    assert await create_alerts(runtime) == 0  # the same day: nothing to do
    clock.advance(dt.timedelta(days=30))
    assert await create_alerts(runtime) > 0  # a new day: every level is recomputed
    after = {r[1]: r[5] for r in (await snapshot(runtime))[0]}
    assert after != before  # fewer days left to comment
