"""Each network source collected from recorded payloads served on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import sqlalchemy as sa

from warning.clock import FixedClock
from warning.collect import SourceOutcome, collect
from warning.config import load_config
from warning.runtime import Runtime
from warning.storage.links import related_notifications
from warning.storage.notifications import load_notifications, sources_of
from warning.storage.raw import get_source_state, list_quarantine
from warning.storage.schema import notifications
from warning.types import Notification

NOW = dt.datetime(2026, 7, 12, 2, 0, tzinfo=dt.UTC)
OpenRuntime = Callable[[str], Any]


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
async def open_runtime(write_config: Callable[..., Any]) -> AsyncIterator[OpenRuntime]:
    opened: list[Runtime] = []

    async def open_(sources: str) -> Runtime:
        extra = "[collect]\ntotal_timeout_seconds = 10\nretries = 1\n"  # no case here is about timeouts
        rt = await Runtime.open(load_config(write_config(sources, extra)), FixedClock(NOW))
        opened.append(rt)
        return rt

    yield open_
    for rt in opened:
        await rt.close()


async def run(rt: Runtime, *names: str) -> dict[str, SourceOutcome]:
    outcomes = await collect(rt, list(names) or None, sleep=_no_sleep, jitter=lambda: 0.0)
    return {o.source_name: o for o in outcomes}


async def stored(rt: Runtime) -> dict[str, Notification]:
    async with rt.db.begin() as conn:
        return {n.key: n for _, n in await load_notifications(conn)}


def eping_source(url: str, **extra: str) -> str:
    options = "".join(f"{k} = {v}\n" for k, v in extra.items())
    return f'[[sources]]\nname = "eping"\nkind = "eping"\nurl = "{url}"\npage_size = 3\n{options}'


async def test_eping_backfill_pages_and_fields(
    open_runtime: OpenRuntime, replay: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EPING_KEY", "secret-key")
    url = replay.add("/eping", {"body": replay.data("eping_page1.json")})
    replay.add("/eping?page=2", {"body": replay.data("eping_page2.json")})
    rt = await open_runtime(eping_source(url, api_key_env='"EPING_KEY"', country_ids='["C404", "U918"]'))

    outcome = (await run(rt))["eping"]

    assert (outcome.new, outcome.quarantined, outcome.error) == (4, 2, None)
    first = replay.hits("/eping")[0]
    assert first.headers["Ocp-Apim-Subscription-Key"] == "secret-key"
    assert first.query == {
        "language": "1",
        "page": "1",
        "pageSize": "3",
        "distributionDateFrom": "2026-04-13",  # 90 days back
        "distributionDateTo": "2026-07-12",
        "countryIds": "C404,U918",
    }
    assert sorted(r.query["page"] for r in replay.hits("/eping")) == ["1", "2"]
    found = await stored(rt)
    assert set(found) == {"G/SPS/N/KOR/1", "G/TBT/N/BDI/383", "G/TBT/N/USA/2150", "G/TBT/N/KEN/1463/Add.1"}
    joint = found["G/TBT/N/BDI/383"]
    assert len(joint.symbols) == 5 and joint.member_codes[1] == "KEN"
    # HTML in fields becomes text; a script's content is dropped, never kept as markup.
    assert joint.title == "DEAS 1163: 2023, Skin applied mosquito repellent wipes & sprays — Specification"
    assert "<" not in joint.description and "alert" not in joint.description
    assert joint.products == "Mosquito repellent wipe"
    assert joint.hs_codes == ("380891",)
    assert joint.links == (
        "https://eping.wto.org/en/Search?viewData=118601",
        "https://members.wto.org/crnattachments/2026/TBT/KEN/26_0001_00_e.pdf",
        "https://members.wto.org/crnattachments/2026/TBT/KEN/26_0001_01_e.pdf",
    )
    assert found["G/SPS/N/KOR/1"].comment_deadline == dt.date(2026, 9, 1)
    assert found["G/TBT/N/USA/2150"].hs_codes == ()
    async with rt.db.begin() as conn:
        base = (
            await conn.execute(
                sa.select(notifications.c.base_symbol).where(notifications.c.key == "G/TBT/N/KEN/1463/Add.1")
            )
        ).scalar_one()
        reasons = sorted(q.reason for q in await list_quarantine(conn))
        state = await get_source_state(conn, "eping")
    assert base == "G/TBT/N/KEN/1463"
    assert reasons == [
        "field 'distribution_date': not a date: '10 July 2026'",
        "no 'documentSymbol' and no link to identify the record by",
    ]
    assert state.cursor == {"latest_distribution_date": "2026-07-11"}

    # The next run asks from the latest date seen, with a day of overlap.
    again = (await run(rt))["eping"]
    assert again.new == 0 and again.error is None
    assert replay.hits("/eping")[-1].query["distributionDateFrom"] == "2026-07-10"


async def test_eping_without_its_key_fails_alone(open_runtime: OpenRuntime, replay: Any) -> None:
    url = replay.add("/eping", {"body": replay.data("eping_page1.json")})
    rss = replay.add("/rss", {"body": replay.data("eu_tris.atom"), "content_type": "application/atom+xml"})
    rt = await open_runtime(eping_source(url, api_key_env='"TBTWARN_TEST_MISSING_KEY"') + RSS.format(rss=rss))
    outcomes = await run(rt)
    assert outcomes["wto-rss"].ok and outcomes["wto-rss"].new == 2
    outcome = outcomes["eping"]
    assert outcome.error == "eping: environment variable TBTWARN_TEST_MISSING_KEY (api_key_env) is not set"
    assert replay.hits("/eping") == []


RSS = '[[sources]]\nname = "wto-rss"\nkind = "rss"\nurl = "{rss}"\n'
ATOM = '[[sources]]\nname = "tris"\nkind = "rss"\nurl = "{atom}"\nmember = "EU"\narea = "TBT"\n'


async def test_rss_and_atom(open_runtime: OpenRuntime, replay: Any) -> None:
    headers = {"ETag": '"abc"', "Last-Modified": "Mon, 06 Jul 2026 08:00:00 GMT"}
    rss = replay.add(
        "/rss",
        {"body": replay.data("wto_tbt.rss"), "content_type": "application/rss+xml", "headers": headers},
        {"status": 304},
    )
    atom = replay.add("/atom", {"body": replay.data("eu_tris.atom"), "content_type": "application/atom+xml"})
    rt = await open_runtime(RSS.format(rss=rss) + ATOM.format(atom=atom))

    outcomes = await run(rt)

    assert (outcomes["wto-rss"].new, outcomes["wto-rss"].quarantined) == (3, 2)
    assert (outcomes["tris"].new, outcomes["tris"].quarantined) == (2, 0)
    found = await stored(rt)
    eu = found["G/TBT/N/EU/1180"]
    assert eu.description == "Notification by the European Union: digital labelling of textile products."
    assert eu.distribution_date == dt.date(2026, 7, 6) and eu.member_codes == ("EU",)
    # A symbol found in the (URL-encoded) link or the summary.
    assert found["G/TBT/N/CHN/1800/Add.1"].notification_type == "Addendum"
    minutes = found["url:https://docs.wto.org/dol2fe/Pages/SS/directdoc.aspx?filename=q:/G/TBT/M/95.pdf"]
    assert minutes.symbols == () and minutes.notification_type == "Other measure (feed item)"
    tris = found["url:https://technical-regulation-information-system.ec.europa.eu/en/notification/26371"]
    assert tris.title == "2026/0371/FR - Décret relatif à l'étiquetage des produits cosmétiques"
    assert tris.member_codes == ("EU",) and tris.area == "TBT"
    async with rt.db.begin() as conn:
        reasons = sorted(q.reason for q in await list_quarantine(conn))
        state = await get_source_state(conn, "wto-rss")
    assert reasons == [
        "field 'published': not a date: 'the 3rd of July'",
        "no WTO symbol and no link to identify the item by",
    ]
    assert state.cursor == {"etag": '"abc"', "last_modified": "Mon, 06 Jul 2026 08:00:00 GMT"}

    # Conditional GET: an unchanged feed answers 304 and nothing is parsed.
    again = (await run(rt, "wto-rss"))["wto-rss"]
    assert (again.new, again.unchanged, again.error) == (0, 0, None)
    assert replay.hits("/rss")[-1].headers["If-None-Match"] == '"abc"'


FR = (
    '[[sources]]\nname = "fr"\nkind = "federal_register"\nurl = "{url}"\n'
    'agencies = ["consumer-product-safety-commission"]\npage_size = 2\n'
)


async def test_federal_register_paging_and_link_to_later_wto_notification(
    open_runtime: OpenRuntime, replay: Any
) -> None:
    fr_url = replay.add("/api/v1/documents.json", {"body": replay.data("fr_page1.json")})
    replay.add("/api/v1/documents.json?page=2", {"body": replay.data("fr_page2.json")})
    eping_url = replay.add("/eping", {"body": replay.data("eping_page1.json")})
    replay.add("/eping?page=2", {"body": replay.data("eping_page2.json")})
    rt = await open_runtime(FR.format(url=fr_url) + eping_source(eping_url))

    fr = (await run(rt, "fr"))["fr"]
    assert (fr.new, fr.quarantined, fr.error) == (2, 1, None)
    first = replay.hits("/api/v1/documents.json")[0].query_all
    assert ("conditions[type][]", "PRORULE") in first
    assert ("conditions[agencies][]", "consumer-product-safety-commission") in first
    assert ("conditions[publication_date][gte]", "2026-04-13") in first
    found = await stored(rt)
    rule = found["fr:2026-11873"]
    assert rule.member_codes == ("USA",) and rule.symbols == () and rule.area == "TBT"
    assert rule.notification_type == "Proposed rule (US Federal Register)"
    assert rule.comment_deadline == dt.date(2026, 7, 27)
    assert "16 CFR 1215" in rule.description
    assert found["fr:2026-11990"].title == "Energy Conservation Program: Test Procedures for Refrigerators"

    # The WTO notification arrives later and names the FR document: linked.
    await run(rt, "eping")
    async with rt.db.begin() as conn:
        ids = {n.key: i for i, n in await load_notifications(conn)}
        from_rule = await related_notifications(conn, ids["fr:2026-11873"])
        from_wto = await related_notifications(conn, ids["G/TBT/N/USA/2150"])
        unrelated = await related_notifications(conn, ids["fr:2026-11990"])
        state = await get_source_state(conn, "fr")
    assert [(link.related_key, link.relation) for link in from_rule] == [("G/TBT/N/USA/2150", "same_measure")]
    assert from_rule[0].evidence == "16 CFR 1215; FR Doc. 2026-11873"
    assert [link.related_key for link in from_wto] == ["fr:2026-11873"]
    assert unrelated == []
    assert state.cursor == {"latest_publication_date": "2026-05-20"}


async def test_same_notification_from_two_sources_is_one(open_runtime: OpenRuntime, replay: Any) -> None:
    rss_body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>G/TBT/N/KEN/1463 - Kenya - wipes</title><link>https://example.org/ken1463</link>"
        b"<pubDate>Fri, 03 Jul 2026 00:00:00 GMT</pubDate></item></channel></rss>"
    )
    rss = replay.add("/rss", {"body": rss_body, "content_type": "application/rss+xml"})
    eping = replay.add("/eping", {"body": replay.data("eping_page1.json")})
    replay.add("/eping?page=2", {"body": replay.data("eping_page2.json")})
    rt = await open_runtime(eping_source(eping) + RSS.format(rss=rss))
    outcomes = await run(rt)
    assert outcomes["eping"].ok and outcomes["wto-rss"].ok
    async with rt.db.begin() as conn:
        # Whichever source came first gave the key; there is one notification either way.
        holding = [
            (i, n)
            for i, n in await load_notifications(conn)
            if "G/TBT/N/KEN/1463" in {s.text for s in n.symbols}
        ]
        names = await sources_of(conn, holding[0][0])
    assert len(holding) == 1 and len(holding[0][1].symbols) == 5
    assert names == ["eping", "wto-rss"]
