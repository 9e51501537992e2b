"""The classify + alert step's batched writes store what one-at-a-time writes
stored: classification in batches, the register's subscriptions in three
statements, JSON columns through orjson, exporters' figures indexed once."""

from __future__ import annotations

import dataclasses
import gc
import json
import math
from typing import Any

import pytest
import sqlalchemy as sa

import warning.classify
import warning.levels.alerting
from tests.conftest import save_demo_exporters
from warning.classify import build_classifier, classify_pending
from warning.collect import collect
from warning.config import WarningConfig
from warning.heap import collector_paused
from warning.levels.alert_plan import flat_tuple
from warning.levels.alerting import create_alerts
from warning.levels.factors import OwnFigures, exposure
from warning.runtime import Runtime
from warning.storage.alert_inputs import digest
from warning.storage.database import json_dumps, json_loads
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.notifications import load_notifications, needs_classification, replace_matches
from warning.storage.schema import (
    alert_inputs,
    alert_state,
    alerts,
    notification_warnings,
    product_matches,
    source_state,
    subscriptions,
)
from warning.storage.subscriptions import load_subscriptions, save_choices, sync_from_register
from warning.types import Exporter, ExposureRow, ProductMatch


async def _matches(rt: Runtime) -> list[tuple[Any, ...]]:
    columns = [c for c in product_matches.c if c.name != "id"]
    async with rt.db.begin() as conn:
        rows = await conn.execute(sa.select(*columns).order_by(product_matches.c.id))
        return [tuple(r) for r in rows]


async def test_classify_pending_in_batches_stores_what_one_at_a_time_stores(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 7 over the sample: several batches, the last one short.
    monkeypatch.setattr(warning.classify, "BATCH", 7)
    await collect(runtime)
    seen: list[tuple[int, int]] = []
    outcome = await classify_pending(runtime, progress=lambda done, total: seen.append((done, total)))
    batched = await _matches(runtime)
    async with runtime.db.begin() as conn:
        stored = await load_notifications(conn)
        assert await load_notifications(conn, needs_classification()) == []
    total = len(stored)
    assert total > 14 and outcome.classified == total
    assert seen == [(min(done, total), total) for done in range(7, total + 7, 7)]
    assert batched and outcome.with_matches == len({r[0] for r in batched})

    # The same classifier, each notification's matches replaced one at a time.
    classifier = await build_classifier(runtime)
    async with runtime.db.begin() as conn:
        for notification_id, n in stored:
            await replace_matches(conn, notification_id, classifier.classify(n))
    assert await _matches(runtime) == batched


async def test_sync_from_register_creates_refreshes_and_deactivates_in_batches(runtime: Runtime) -> None:
    register = [
        Exporter("Alpha", ("a1@x.example", "a2@x.example"), "en", ("3304",), ("KEN",)),
        Exporter("Beta", ("b@x.example",), "zh", ("9503",), ("*",)),
        Exporter("Gamma", ("g@x.example",), "en", ("8471",), ("USA",)),
    ]

    async def sync(exporters: list[Exporter]) -> int:
        async with runtime.db.begin() as conn:
            for exporter in exporters:
                await save_exporter(conn, exporter, runtime.now())
            return await sync_from_register(conn, await load_exporters(conn), runtime.now())

    async def subs() -> dict[str, Any]:
        async with runtime.db.begin() as conn:
            return {s.subscription.email: s for s in await load_subscriptions(conn, active_only=False)}

    assert await sync(register) == 4
    first = await subs()
    assert [e for e, s in first.items() if s.active] == sorted(first)
    # New rows in register order: ids follow the exporters and their emails.
    assert sorted(first, key=lambda e: first[e].id) == [
        "a1@x.example",
        "a2@x.example",
        "b@x.example",
        "g@x.example",
    ]
    assert await sync(register) == 0  # nothing changed, nothing written

    async with runtime.db.begin() as conn:
        gamma = first["g@x.example"]
        await save_choices(conn, gamma, gamma.subscription, runtime.now(), active=True)
    changed = [
        Exporter("Alpha", ("a1@x.example",), "zh", ("3304", "3305"), ("KEN", "EU")),  # a2 dropped
        Exporter("Beta", ("b@x.example", "b2@x.example"), "zh", ("9503",), ("*",)),  # b2 added
        Exporter("Gamma", ("g@x.example",), "zh", ("8472",), ("USA",)),  # customised: kept
    ]
    assert await sync(changed) == 3
    after = await subs()
    a1 = after["a1@x.example"].subscription
    assert (a1.language, a1.hs_prefixes, a1.markets) == ("zh", ("3304", "3305"), ("KEN", "EU"))
    assert not after["a2@x.example"].active and after["b2@x.example"].active
    assert after["g@x.example"].subscription.hs_prefixes == ("8471",)
    assert after["g@x.example"].subscription.language == "en"

    # The dropped address comes back: its row is reactivated, not duplicated.
    assert await sync(register[:1]) == 2  # a1 back to en / 3304 / KEN, a2 active again
    again = await subs()
    assert again["a2@x.example"].active and again["a2@x.example"].id == first["a2@x.example"].id
    async with runtime.db.begin() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(subscriptions))).scalar_one()
    assert count == 5


VALUES: list[Any] = [
    {
        "code": "relevance",
        "en": "matches your 3304 at heading level",
        "zh": "涉及贵司3304护肤品（品目级匹配）",
    },
    [{"hs_code": "330499", "level": 6, "score": 0.8333333333333334, "method": "ics", "evidence": 'é "q" \\'}],
    {"nested": [1, 2.5, -0.0, 1e16, None, True, False, ""], "n": 2**63 - 1},
    [],
    {},
]


@pytest.mark.parametrize("value", VALUES)
def test_json_columns_hold_the_same_values_as_the_standard_library(value: Any) -> None:
    text = json_dumps(value)
    assert json.loads(text) == value == json_loads(text) == json_loads(json.dumps(value))
    assert "\\u" not in text  # non-ASCII text kept as it is


def test_json_columns_fall_back_to_the_standard_library_for_what_orjson_refuses() -> None:
    big = {"n": 2**70}
    assert json_dumps(big) == json.dumps(big) and json_loads(json_dumps(big)) == big
    assert math.isnan(json_loads('{"x": NaN}')["x"])
    assert json_loads(json_dumps({1: "a"})) == {"1": "a"}  # as json.dumps names int keys


async def test_stored_json_reads_back_the_same_through_the_database(runtime: Runtime) -> None:
    cursor = {"etag": 'W/"1"', "seen": ["G/TBT/N/CHN/1"], "名称": "日本 (Japan)", "score": 0.1}
    async with runtime.db.begin() as conn:
        await conn.execute(
            sa.insert(source_state).values(source_name="s", cursor=cursor, consecutive_failures=0)
        )
    async with runtime.db.begin() as conn:
        assert (await conn.execute(sa.select(source_state.c.cursor))).scalar_one() == cursor
        text = (await conn.execute(sa.select(sa.cast(source_state.c.cursor, sa.Text)))).scalar_one()
    assert json.loads(text) == cursor


ROWS = [
    ExposureRow("A", "3304", "KEN", 380_000.5, 2025),
    ExposureRow("A", "330499", "FRA", 120_000.25, 2025),
    ExposureRow("A", "3305", "EU", 620_000.1, 2025),
    ExposureRow("A", "33", "USA", 50_000.3, 2025),
    ExposureRow("A", "9503", "KEN", 1_000_000.7, 2025),
    ExposureRow("A", "3304", "KEN", 9_000_000, 2024),
]


@pytest.mark.parametrize("members", [("KEN",), ("FRA",), ("EU",), ("DEU", "USA"), ("*",), ("JPN",), ()])
@pytest.mark.parametrize("codes", [("330499",), ("33",), ("3305", "9503"), ("8471",), ()])
def test_own_figures_give_the_factor_the_rows_give(members: tuple[str, ...], codes: tuple[str, ...]) -> None:
    matches = [ProductMatch(c, len(c), 0.9, "test", "") for c in codes]
    cfg = WarningConfig()
    for rows in (ROWS, ROWS[:1], ROWS[-1:], []):
        assert exposure(OwnFigures(rows), members, matches, cfg) == exposure(rows, members, matches, cfg)


@pytest.mark.parametrize(
    "value",
    [
        Exporter("鲁缘", ("a@x.example",), "zh", ("3304",), ("*",), (("3304", "护肤霜"), ("9503", "玩具"))),
        Exporter("Beta", (), "en", (), ()),
        ExposureRow("Beta", "3304", "KEN", 380_000.5, 2025),
        ExposureRow(None, "33", "EU", 0.0, 2024),
    ],
)
def test_flat_tuple_is_astuple_without_the_copy(value: Exporter | ExposureRow) -> None:
    # The alert plan's fingerprints hash these tuples: they must not change.
    assert flat_tuple(value) == dataclasses.astuple(value)
    assert digest([flat_tuple(value)]) == digest([dataclasses.astuple(value)])


async def _levels(rt: Runtime) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    alert_columns = [c for c in alerts.c if c.name != "id"]
    async with rt.db.begin() as conn:
        stored_alerts = await conn.execute(
            sa.select(*alert_columns).order_by(alerts.c.notification_id, alerts.c.exporter_id)
        )
        stored_warnings = await conn.execute(
            sa.select(notification_warnings).order_by(notification_warnings.c.notification_id)
        )
        return [tuple(r) for r in stored_alerts], [tuple(r) for r in stored_warnings]


async def test_batches_written_while_the_next_is_computed_store_what_one_batch_stores(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await save_demo_exporters(runtime)
    await collect(runtime)
    await classify_pending(runtime)
    monkeypatch.setattr(warning.levels.alerting, "THREAD_BATCH", 2)  # many batches, each written in turn
    pairs = await create_alerts(runtime)
    batched = await _levels(runtime)
    assert pairs and len(batched[0]) >= 2 and len(batched[1]) > 2 * 2

    async with runtime.db.begin() as conn:
        for table in (alerts, notification_warnings, alert_inputs, alert_state):
            await conn.execute(sa.delete(table))
    monkeypatch.setattr(warning.levels.alerting, "THREAD_BATCH", 100_000)  # one batch
    assert await create_alerts(runtime) == pairs
    assert await _levels(runtime) == batched


def test_collector_paused_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
