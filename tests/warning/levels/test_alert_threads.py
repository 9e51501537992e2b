"""Warnings through the database: thread alerts, export fields, the deadlines calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import icalendar
import pytest
import sqlalchemy as sa

from notifications.compose import compose_digests
from tests.notifications.helpers import parse
from warning.classify import classify_pending
from warning.exceptions import UnknownExporterError
from warning.export import notification_records, to_csv
from warning.levels.alerting import create_alerts
from warning.levels.deadlines import deadlines_calendar
from warning.register import read_exporters, read_exposure
from warning.runtime import Runtime
from warning.storage.exporters import save_exporter
from warning.storage.exposure import save_exposure
from warning.storage.notifications import upsert_notification
from warning.storage.outbox import list_messages
from warning.storage.schema import alerts
from warning.symbols import parse_symbols
from warning.types import Notification

REGISTER = (
    "name,email,language,hs_codes,markets,product_names\n"
    "Acme,a@acme.example.com,en,330499;8415,KEN,330499=night cream\n"
    "乙公司,b@yi.example.com,zh,3304,EU,3304=护肤霜\n"
)
EXPOSURE = (
    "exporter,hs_code,market,value_usd,year\n"
    "Acme,330499,KEN,600000,2025\n"
    "Acme,8415,USA,400000,2025\n"
    "乙公司,3304,EU,900000,2025\n"
)


def note(symbol: str, description: str, **changes: object) -> Notification:
    symbols = parse_symbols([symbol])
    n = Notification(
        key=symbols[0].text,
        symbols=symbols,
        area="TBT",
        member_codes=tuple(s.member or "" for s in symbols),
        member_name="Kenya",
        notification_type="Regular notification",
        title=description[:40],
        description=description,
        source_name="test",
        source_id=symbols[0].text,
    )
    return replace(n, **changes)  # type: ignore[arg-type]


async def setup(rt: Runtime, *notes: Notification) -> None:
    async with rt.db.begin() as conn:
        for exporter in read_exporters(REGISTER)[0]:
            await save_exporter(conn, exporter, rt.now())
        await save_exposure(conn, read_exposure(EXPOSURE, {"Acme", "乙公司"})[0], rt.now())
    await add(rt, *notes)


async def add(rt: Runtime, *notes: Notification) -> None:
    async with rt.db.begin() as conn:
        for n in notes:
            await upsert_notification(conn, n, rt.now())
    await classify_pending(rt)
    await create_alerts(rt)


async def alert_rows(rt: Runtime) -> list[sa.Row[object]]:
    async with rt.db.begin() as conn:
        return list(await conn.execute(sa.select(alerts).order_by(alerts.c.id)))


async def by_key(rt: Runtime) -> dict[str, dict[str, object]]:
    return {r["key"]: r for r in await notification_records(rt)}


async def test_adoption_addendum_raises_the_measure_without_a_new_alert(runtime: Runtime) -> None:
    today = runtime.today()
    base = note(
        "G/TBT/N/KEN/1307",
        "This Draft Kenya Standard specifies requirements for night creams.",
        hs_codes=("330499",),
        comment_deadline=today - dt.timedelta(days=30),
    )
    await setup(runtime, base)
    [first] = await alert_rows(runtime)
    assert first.level == "orange"
    words = " | ".join(r["en"] for r in first.reasons)
    assert "matches your 330499 night cream at subheading level" in words
    assert "60% of your exports go to Kenya" in words
    assert "voluntary standard" in words
    assert {r["code"] for r in first.reasons} >= {"relevance", "exposure", "severity", "urgency"}
    assert all(r["zh"] for r in first.reasons)
    assert await compose_digests(runtime) == 1

    adoption = note(
        "G/TBT/N/KEN/1307/Add.1",
        "Kenya would like to inform WTO Members that KS 2975 notified in G/TBT/N/KEN/1307 was adopted.",
    )
    await add(runtime, adoption)
    [after] = await alert_rows(runtime)  # still one alert: the measure's
    assert after.id == first.id and after.thread_key == "G/TBT/N/KEN/1307"
    assert (after.previous_level, after.level) == ("orange", "red")
    assert after.level_changed_at is not None
    assert "adopted: the measure is now final (G/TBT/N/KEN/1307/Add.1)" in [r["en"] for r in after.reasons]
    # Not a brand-new alert: the same alert, announced again because its level rose.
    assert await compose_digests(runtime) == 1
    async with runtime.db.begin() as conn:
        raised = (await list_messages(conn, bodies=True))[-1]
    text = parse(raised.message).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert raised.kind == "daily" and "Red (raised from Orange)" in text
    assert await compose_digests(runtime) == 0  # once per rise

    records = await by_key(runtime)
    add1 = records["G/TBT/N/KEN/1307/Add.1"]
    assert add1["measure"] == {"thread": "G/TBT/N/KEN/1307", "event": "adopted"}
    assert [a["level"] for a in add1["alerts"]] == ["red"]  # type: ignore[index]
    assert records["G/TBT/N/KEN/1307"]["alerts"][0]["level"] == "orange"  # type: ignore[index]

    corrigendum = note("G/TBT/N/KEN/1307/Corr.1", "The title should read: night creams.")
    await add(runtime, corrigendum)
    [corrected] = await alert_rows(runtime)
    assert corrected.level == "red" and corrected.previous_level == "orange"  # a correction changes nothing
    assert "corrected by G/TBT/N/KEN/1307/Corr.1" in [r["en"] for r in corrected.reasons]


async def test_corrigendum_alone_is_lower_than_its_measure(runtime: Runtime) -> None:
    text = "Technical regulation banning night creams that contain mercury."
    past = runtime.today() - dt.timedelta(days=1)
    await setup(
        runtime,
        note("G/TBT/N/KEN/1400", text, hs_codes=("330499",), comment_deadline=past),
        note("G/TBT/N/KEN/1500/Corr.1", text, hs_codes=("330499",), comment_deadline=past),
    )
    records = await by_key(runtime)
    regular, corr = records["G/TBT/N/KEN/1400"], records["G/TBT/N/KEN/1500/Corr.1"]
    assert regular["alerts"][0]["level"] == "red"  # type: ignore[index]
    assert corr["alerts"][0]["level"] == "yellow"  # type: ignore[index]
    assert "only corrects an earlier notification" in corr["warning_reasons"]  # type: ignore[operator]


async def test_withdrawal_turns_the_alert_blue(runtime: Runtime) -> None:
    base = note("G/TBT/N/KEN/1600", "Technical regulation banning night creams.", hs_codes=("330499",))
    await setup(runtime, base)
    await add(runtime, note("G/TBT/N/KEN/1600/Add.1", "Kenya has withdrawn the regulation."))
    [alert] = await alert_rows(runtime)
    assert alert.level == "blue" and alert.previous_level in ("red", "orange")


async def test_export_fields_and_zone_level(runtime: Runtime) -> None:
    soon = runtime.today() + dt.timedelta(days=17)
    await setup(
        runtime,
        note(
            "G/TBT/N/KEN/1700",
            "Draft Kenya Standard for night creams",
            hs_codes=("330499",),
            comment_deadline=soon,
        ),
        note(
            "G/TBT/N/FRA/10", "Décret: labelling of skin creams", hs_codes=("330499",), member_name="France"
        ),
        note("G/TBT/N/USA/99", "Standard for bicycles", hs_codes=("871200",)),
    )
    records = await by_key(runtime)
    ken = records["G/TBT/N/KEN/1700"]
    assert ken["warning_level"] in ("red", "orange", "yellow", "blue")
    assert any("12 days left to comment" in r for r in ken["warning_reasons"])  # type: ignore[attr-defined]
    assert "concerns 1 exporter of the zone: Acme" in ken["warning_reasons"]  # type: ignore[operator]
    [acme] = ken["alerts"]  # type: ignore[misc]
    assert acme["exporter"] == "Acme" and isinstance(acme["reasons"][0], str)
    # The EU as a market covers a member state's measure; the exposure row for EU too.
    fra = records["G/TBT/N/FRA/10"]
    [yi] = fra["alerts"]  # type: ignore[misc]
    assert yi["exporter"] == "乙公司"
    assert "100% of your exports go to European Union" in " ".join(yi["reasons"])
    usa = records["G/TBT/N/USA/99"]
    assert (usa["warning_level"], usa["warning_reasons"], usa["alerts"]) == (None, [], [])
    csv_text = to_csv(list(records.values()))
    assert "warning_level,warning_reasons,alerts,measure" in csv_text.splitlines()[0]
    assert "乙公司:" in csv_text


async def test_deadlines_calendar_parses_back(runtime: Runtime) -> None:
    soon = runtime.today() + dt.timedelta(days=17)
    await setup(
        runtime,
        note(
            "G/TBT/N/KEN/1800",
            "Draft Kenya Standard for night creams",
            hs_codes=("330499",),
            comment_deadline=soon,
        ),
        note(
            "G/TBT/N/FRA/11",
            "Décret: labelling of skin creams",
            hs_codes=("330499",),
            comment_deadline=soon + dt.timedelta(days=3),
            proposed_entry_into_force_date=soon + dt.timedelta(days=90),
        ),
        note("G/TBT/N/USA/98", "Standard for bicycles", hs_codes=("871200",), comment_deadline=soon),
    )
    zone = icalendar.Calendar.from_ical(await deadlines_calendar(runtime))
    events = {str(e["UID"]): e for e in zone.walk("VEVENT")}
    assert set(events) == {
        "G-TBT-N-KEN-1800-comments@tbtwarn",
        "G-TBT-N-FRA-11-comments@tbtwarn",
        "G-TBT-N-FRA-11-in-force@tbtwarn",
    }
    ken = events["G-TBT-N-KEN-1800-comments@tbtwarn"]
    assert ken["DTSTART"].dt == soon - dt.timedelta(days=5)  # the enquiry point's 5 days
    assert "last day to send comments to the enquiry point" in str(ken["SUMMARY"])
    assert f"WTO comment deadline: {soon}" in str(ken["DESCRIPTION"])

    yi = icalendar.Calendar.from_ical(await deadlines_calendar(runtime, "乙公司"))
    summaries = sorted(str(e["SUMMARY"]) for e in yi.walk("VEVENT"))
    assert len(summaries) == 2 and all("G/TBT/N/FRA/11" in s and "预警" in s for s in summaries)
    with pytest.raises(UnknownExporterError, match="Nobody"):
        await deadlines_calendar(runtime, "Nobody")
