"""Analysts' ICS mapping and sector overrides: storage (SQLite and PostgreSQL), merging, checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from classifiers.ics import load_ics_mapping
from classifiers.nomenclature import load_nomenclature
from classifiers.sectors import hs_sections
from notifications.compose import compose_digests
from tests.notifications.helpers import notification, seed
from warning.classify import build_classifier
from warning.cli.main import main
from warning.exceptions import MappingError
from warning.mapping.mapping_preview import ics_candidates, matches_touching
from warning.mapping.mappings import (
    apply_sector_overrides,
    current_sectors,
    effective_ics_mapping,
    ics_change,
    sector_change,
)
from warning.runtime import Runtime
from warning.storage.mappings import (
    load_ics_overrides,
    mapping_history,
    mappings_revision,
    save_ics_row,
    save_sector,
)
from warning.storage.notifications import load_notifications, replace_matches, upsert_notification
from warning.storage.outbox import list_messages
from warning.storage.schema import notifications, product_matches
from warning.storage.subscriptions import load_subscriptions, save_choices
from warning.symbols import parse_symbol
from warning.types import IcsRow, Notification, ProductMatch, Sector

AT = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


async def test_ics_overrides_change_add_and_remove_shipped_rows(runtime: Runtime) -> None:
    shipped = load_ics_mapping()
    assert shipped["97.200.50"] == ("9503",)
    async with runtime.db.begin() as conn:
        assert await mappings_revision(conn) == 0
        await save_ics_row(conn, IcsRow("97.200.50", ("9503", "9504"), "games too"), "change", "a@x", AT)
        await save_ics_row(conn, IcsRow("97.230", ("4202",)), "add", "b@x", AT + dt.timedelta(minutes=1))
        await save_ics_row(
            conn, IcsRow("97.220", shipped["97.220"]), "remove", "a@x", AT + dt.timedelta(minutes=2)
        )
        second = await save_ics_row(
            conn, IcsRow("97.230", ("4203",)), "change", "c@x", AT + dt.timedelta(minutes=3)
        )
        mapping = await effective_ics_mapping(conn)
        overrides = await load_ics_overrides(conn)
        history = await mapping_history(conn, "ics")
        revision = await mappings_revision(conn)
    assert mapping["97.200.50"] == ("9503", "9504")
    assert mapping["97.230"] == ("4203",) and second.version == 2
    assert "97.220" not in mapping and overrides["97.220"] is None
    assert set(mapping) == (set(shipped) - {"97.220"}) | {"97.230"}
    assert [(h.key, h.version, h.action, h.author) for h in history] == [
        ("97.230", 2, "change", "c@x"),
        ("97.220", 1, "remove", "a@x"),
        ("97.230", 1, "add", "b@x"),
        ("97.200.50", 1, "change", "a@x"),
    ]
    assert history[-1].note == "games too" and history[-1].changed_at == AT
    assert revision == 4


async def test_sector_overrides_reach_the_effective_sectors(runtime: Runtime) -> None:
    async with runtime.db.begin() as conn:
        await save_sector(conn, Sector("luggage", "Luggage", "箱包", ("4202",)), "add", "a@x", AT)
        await save_sector(conn, Sector("XI", "Textiles", "纺织", ("50", "61")), "change", "a@x", AT)
        await save_sector(conn, hs_sections()[0], "remove", "a@x", AT, note="no live animals here")
        history = await mapping_history(conn, "sector")
    sectors = await current_sectors(runtime)
    keys = [s.key for s in sectors]
    assert "I" not in keys and keys[-1] == "luggage" and len(keys) == 21
    assert next(s for s in sectors if s.key == "XI").hs_prefixes == ("50", "61")
    assert history[0].note == "no live animals here" and history[0].action == "remove"


def test_sector_overrides_keep_the_base_order() -> None:
    base = (Sector("a", "A", "甲", ("01",)), Sector("b", "B", "乙", ("02",)))
    changed = Sector("a", "A2", "甲2", ("03",))
    merged = apply_sector_overrides(base, {"z": Sector("z", "Z", "丙", ("04",)), "a": changed, "b": None})
    assert merged == (changed, Sector("z", "Z", "丙", ("04",)))


@pytest.mark.parametrize(
    ("action", "row", "message"),
    [
        ("add", IcsRow("97.200.50", ("9503",)), "exists already"),
        ("change", IcsRow("97.999", ("9503",)), "no ICS row"),
        ("add", IcsRow("97.2x", ("9503",)), "bad ICS code"),
        ("add", IcsRow("97.230", ("9977",)), "9977"),
        ("add", IcsRow("97.230", ()), "at least one"),
        ("rename", IcsRow("97.230", ("9503",)), "unknown action"),
    ],
)
def test_bad_ics_changes_are_refused_naming_the_fault(action: str, row: IcsRow, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        ics_change(load_ics_mapping(), action, row, load_nomenclature())


def test_bad_sector_changes_are_refused_naming_the_fault() -> None:
    nomenclature = load_nomenclature()
    with pytest.raises(MappingError, match="exists already"):
        sector_change(hs_sections(), "add", Sector("XI", "T", "纺", ("50",)), nomenclature)
    with pytest.raises(MappingError, match="bad sector key"):
        sector_change(hs_sections(), "add", Sector("a b", "T", "纺", ("50",)), nomenclature)
    with pytest.raises(MappingError, match="Chinese names"):
        sector_change(hs_sections(), "add", Sector("t", "T", "", ("50",)), nomenclature)
    action, after = sector_change(hs_sections(), "remove", Sector("XI", "", "", ()), nomenclature)
    assert action == "remove" and "XI" not in {s.key for s in after}


@pytest.mark.sqlite_only
async def test_the_classifier_uses_the_stored_ics_mapping(runtime: Runtime) -> None:
    n = Notification(
        key="G/TBT/N/NZL/7777",
        symbols=(parse_symbol("G/TBT/N/NZL/7777"),),
        area="TBT",
        member_codes=("NZL",),
        member_name="New Zealand",
        notification_type="Regular notification",
        title="Zorblat units",
        ics_codes=("97.230.10",),
    )
    before = (await build_classifier(runtime)).ics.classify(n)
    async with runtime.db.begin() as conn:
        await save_ics_row(conn, IcsRow("97.230", ("4202",)), "add", "a@x", AT)
    after = (await build_classifier(runtime)).ics.classify(n)
    assert before == [] and [m.hs_code for m in after] == ["4202"]


@pytest.mark.sqlite_only
async def test_subscriptions_follow_a_changed_sector(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TBTWARN_SECRET", "test-secret-of-at-least-16-bytes")
    await seed(runtime, [(notification("G/TBT/N/USA/1"), "orange")])  # matched 330499, section VI
    async with runtime.db.begin() as conn:
        (sub,) = await load_subscriptions(conn, email="zh@luyuan.example.com")
        textiles = replace(sub.subscription, hs_prefixes=(), sectors=("XI",))
        await save_choices(conn, sub, textiles, runtime.now(), active=True)
    await compose_digests(runtime)
    assert "zh@luyuan.example.com" not in await _recipients(runtime)
    async with runtime.db.begin() as conn:
        await save_sector(
            conn, Sector("XI", "Textiles and cosmetics", "纺织", ("50", "3304")), "change", "a", AT
        )
    assert await compose_digests(runtime) == 1
    assert "zh@luyuan.example.com" in await _recipients(runtime)


async def _recipients(rt: Runtime) -> set[str]:
    async with rt.db.begin() as conn:
        return {m.recipient for m in await list_messages(conn)}


def test_cli_ics_and_sectors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('database_url = "sqlite+aiosqlite:///t.db"\n', encoding="utf-8")
    args = ["--config", str(config)]
    assert main([*args, "ics", "set", "97.230", "--hs", "9977"]) == 1  # not HS 2022: refused
    assert "9977" in capsys.readouterr().err
    assert main([*args, "ics", "set", "97.230", "--hs", "4202", "--preview"]) == 0
    assert "sector_f1" in capsys.readouterr().out
    assert main([*args, "ics", "set", "97.230", "--hs", "4202", "--author", "li", "--note", "cases"]) == 0
    assert "ICS 97.230: add (version 1)" in capsys.readouterr().out
    assert main([*args, "ics", "history"]) == 0
    assert "97.230\tv1\tadd\tli\t4202" in capsys.readouterr().out
    assert main([*args, "ics", "list"]) == 0
    assert "97.230\t4202\n" in capsys.readouterr().out
    assert (
        main(
            [*args, "sectors", "set", "luggage", "--name-en", "Luggage", "--name-zh", "箱包", "--hs", "4202"]
        )
        == 0
    )
    assert main([*args, "sectors", "remove", "I", "--author", "wang"]) == 0
    capsys.readouterr()
    assert main([*args, "sectors", "list"]) == 0
    listed = capsys.readouterr().out
    assert "luggage\tLuggage\t箱包\t4202" in listed and not listed.startswith("I\t")


async def test_preview_prefilters_find_the_right_rows(runtime: Runtime) -> None:
    """The SQL that narrows a preview: ICS codes under a changed row, matches touching a sector."""
    async with runtime.db.begin() as conn:
        ids = {}
        for key, ics, code in [
            ("A", "97.230.10", "420212"),
            ("B", "97.23", "61"),
            ("C", "97.200.50", "4203"),
        ]:
            symbol = f"G/TBT/N/NZL/{ord(key)}"
            n = Notification(
                symbol, (parse_symbol(symbol),), "TBT", ("NZL",), "NZ", "Regular", key, ics_codes=(ics,)
            )
            await upsert_notification(conn, n, AT)
            ids[key] = await conn.scalar(sa.select(notifications.c.id).where(notifications.c.key == symbol))
            await replace_matches(conn, ids[key], [ProductMatch(code, len(code), 0.9, "test", "")])
        old = load_ics_mapping()
        found = await load_notifications(conn, ics_candidates(old, {**old, "97.230": ("4202",)}))
        touching = set(
            await conn.scalars(
                sa.select(product_matches.c.notification_id).where(matches_touching(["4202", "6109"]))
            )
        )
    assert [n.title for _, n in found] == ["A"]
    assert touching == {ids["A"], ids["B"]}  # 420212 under 4202; chapter 61 above 6109
