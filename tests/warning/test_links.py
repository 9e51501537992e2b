"""Linking a US proposed rule to the WTO notification of the same measure."""

from __future__ import annotations

import datetime as dt

from feeds.federal_register import notification_from_fr
from warning.runtime import Runtime
from warning.storage.batch import store_notifications
from warning.storage.links import link_related, measure_refs, related_notifications
from warning.symbols import parse_symbols
from warning.types import Notification

NOW = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def wto(symbol: str, description: str) -> Notification:
    symbols = parse_symbols(symbol)
    return Notification(
        symbol, symbols, "TBT", ("USA",), "United States", "Regular notification", "t", description
    )


def test_measure_refs() -> None:
    text = "See 16 CFR part 1640, docket CPSC-2026-0011 and https://www.federalregister.gov/d/2026-12044."
    assert measure_refs([text]) == {"16 CFR 1640", "Docket CPSC-2026-0011", "FR Doc. 2026-12044"}
    assert measure_refs(["EERE-2026-BT-TP-0001, FDA-2026-N-1234, 2026-123456 and 12026-12345"]) == {
        "Docket EERE-2026-BT-TP-0001",
        "Docket FDA-2026-N-1234",
    }


async def test_rule_naming_the_wto_symbol_is_linked_and_unrelated_is_not(runtime: Runtime) -> None:
    rule = notification_from_fr(
        {
            "document_number": "2026-12044",
            "title": "Flammability Standard for Upholstered Furniture",
            "abstract": "CPSC proposes requirements notified to the WTO as G/TBT/N/USA/2151.",
            "publication_date": "2026-05-20",
        },
        "fr",
    )
    items = [wto("G/TBT/N/USA/2151", "Upholstered furniture."), wto("G/TBT/N/USA/2152", "Other 16 CFR 1500.")]
    async with runtime.db.begin() as conn:
        stored = await store_notifications(conn, items, NOW)
        assert [outcome for _, outcome in stored] == ["new", "new"]
        (rule_id, _), *_ = await store_notifications(conn, [rule], NOW)
        assert await link_related(conn, rule_id, rule) == 1
        links = await related_notifications(conn, rule_id)
        back = await related_notifications(conn, stored[0][0])
        none = await related_notifications(conn, stored[1][0])
    assert [(x.related_key, x.evidence) for x in links] == [
        ("G/TBT/N/USA/2151", "G/TBT/N/USA/2151 named in the proposed rule")
    ]
    assert [x.related_key for x in back] == ["fr:2026-12044"] and none == []
