"""The notification filters, checked against a plain-Python reading of the same data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import HOSTILE_KEY, SignIn
from warning.runtime import Runtime
from warning.storage.notifications import load_notifications, matches_by_notification
from warning.storage.schema import alerts
from warning.types import Notification

Client = TestClient[web.Request, web.Application]
Reference = Callable[[Notification, list[str], set[str]], bool]


def _covers(prefix: str, code: str) -> bool:
    return code.startswith(prefix) or prefix.startswith(code)


CASES: list[tuple[str, Reference]] = [
    ("member=KEN", lambda n, codes, levels: "KEN" in n.member_codes),
    ("member=eu", lambda n, codes, levels: "EU" in n.member_codes),
    ("hs=3304", lambda n, codes, levels: any(_covers("3304", c) for c in codes)),
    ("hs=84", lambda n, codes, levels: any(_covers("84", c) for c in codes)),
    # Section VI (chemicals) is chapters 28-38.
    ("sector=VI", lambda n, codes, levels: any(28 <= int(c[:2]) <= 38 for c in codes)),
    ("level=orange", lambda n, codes, levels: bool(levels & {"red", "orange"})),
    ("level=red", lambda n, codes, levels: "red" in levels),
    ("open=1", lambda n, codes, levels: n.comment_deadline is not None and n.comment_deadline >= TODAY),
    (
        "from=2024-01-01&to=2024-12-31",
        lambda n, codes, levels: n.distribution_date is not None and n.distribution_date.year == 2024,
    ),
    (
        "q=cosmetic",
        lambda n, codes, levels: "cosmetic" in (n.title + n.description + n.products).lower(),
    ),
    (
        "q=化妆品",
        lambda n, codes, levels: "化妆品" in n.title + n.description + n.products,
    ),
    ("q=EV", lambda n, codes, levels: "ev" in (n.title + n.description + n.products).lower()),
    (
        "member=KEN&hs=3304&q=products",
        lambda n, codes, levels: (
            "KEN" in n.member_codes
            and any(_covers("3304", c) for c in codes)
            and "products" in (n.title + n.description + n.products).lower()
        ),
    ),
]
TODAY = dt.date(2026, 6, 17)


async def reference_keys(rt: Runtime, keep: Reference) -> set[str]:
    async with rt.db.begin() as conn:
        stored = await load_notifications(conn)
        matches = await matches_by_notification(conn)
        levels: dict[int, set[str]] = {}
        for row in await conn.execute(sa.select(alerts.c.notification_id, alerts.c.level)):
            if row.level:
                levels.setdefault(row.notification_id, set()).add(row.level)
    return {
        n.key
        for nid, n in stored
        if keep(n, [m.hs_code for m in matches.get(nid, [])], levels.get(nid, set()))
    }


async def api_keys(client: Client, query: str) -> tuple[set[str], int]:
    keys: set[str] = set()
    page, total = 1, 0
    while True:
        response = await client.get(f"/api/notifications?{query}&page={page}&count=1")
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        total = body["total"]
        keys |= {item["key"] for item in body["items"]}
        if len(body["items"]) < body["page_size"]:
            return keys, total
        page += 1


@pytest.mark.parametrize(("query", "keep"), CASES, ids=[c[0] for c in CASES])
async def test_filter_finds_what_a_plain_reading_finds(
    client: Client, sign_in: SignIn, web_rt: Runtime, query: str, keep: Reference
) -> None:
    await sign_in(client, "official")
    expected = await reference_keys(web_rt, keep)
    found, total = await api_keys(client, query)
    assert found == expected
    assert total == len(expected)
    assert expected, f"{query} selects nothing in the sample: the case tests nothing"


async def test_full_text_search_follows_edits(client: Client, sign_in: SignIn, web_rt: Runtime) -> None:
    """The FTS index is kept by triggers: an updated title is found by its new words."""
    from warning.storage.schema import notifications

    await sign_in(client, "official")
    assert (await api_keys(client, "q=zebra-unique-word"))[0] == {HOSTILE_KEY}
    async with web_rt.db.begin() as conn:
        await conn.execute(
            sa.update(notifications)
            .where(notifications.c.key == HOSTILE_KEY)
            .values(title="quokka labelling", description="plain")
        )
    assert (await api_keys(client, "q=zebra-unique-word"))[0] == set()
    assert (await api_keys(client, "q=quokka"))[0] == {HOSTILE_KEY}


async def test_list_is_newest_first_and_paged(client: Client, sign_in: SignIn) -> None:
    await sign_in(client, "official")
    first = await (await client.get("/api/notifications")).json()
    second = await (await client.get("/api/notifications?page=2")).json()
    dates = [i["distribution_date"] for i in first["items"] + second["items"] if i["distribution_date"]]
    assert dates == sorted(dates, reverse=True)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    kenya = await (await client.get("/api/notifications?member=KEN&count=1")).json()
    assert first["total"] is None and kenya["total"] == len(kenya["items"])
    html = await (await client.get("/notifications?member=KEN")).text()
    assert '<option value="KEN" selected>' in html and html.count(" selected>") == 1  # the form keeps it
    assert f"notifications 1 to {kenya['total']}<" in html
    assert html.count('href="/notifications/') == kenya["total"]
    page_two = await (await client.get("/notifications?page=2")).text()
    assert 'id="prev-page"' in page_two
    assert "notifications 51 to 100, more on the next page" in page_two


@pytest.mark.parametrize(
    ("query", "named"),
    [("hs=33a", "hs"), ("from=yesterday", "from"), ("level=purple", "level"), ("sector=XXX", "sector")],
)
async def test_bad_filter_values_are_named(client: Client, sign_in: SignIn, query: str, named: str) -> None:
    await sign_in(client, "official")
    page = await client.get(f"/notifications?{query}")
    assert page.status == 400
    assert f"{named}:" in await page.text()
    api = await client.get(f"/api/notifications?{query}")
    assert api.status == 400
    assert (await api.json())["error"].startswith(f"{named}:")


def test_postgresql_branch_compiles_without_sqlite_only_sql() -> None:
    from sqlalchemy.dialects import postgresql

    from warning.storage.search import NotificationFilter, filter_conditions

    f = NotificationFilter(
        member="EU", hs_prefix="39", sector_prefixes=("99",), level="red", text="EV cosmetic"
    )
    sql = " AND ".join(
        str(c.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))  # type: ignore[no-untyped-call]
        for c in filter_conditions(f, "postgresql")
    )
    assert "notifications_fts" not in sql and "ILIKE" in sql.upper()
    assert "'G/TBT/N/EEC/%%'" in sql or "'G/TBT/N/EEC/%'" in sql  # historical symbols of the EU
    assert "product_matches.hs_code < '40'" in sql  # the range after prefix 39, digits only


@pytest.mark.parametrize(
    ("query", "keep"), [c for c in CASES if c[0].startswith(("hs=", "sector=", "member=KEN&hs"))]
)
async def test_broad_product_filters_probe_rows_and_find_the_same(
    client: Client,
    sign_in: SignIn,
    web_rt: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    keep: Reference,
) -> None:
    """The sample is small: lower the threshold so the EXISTS path is the one taken."""
    from warning.storage import search

    monkeypatch.setattr(search, "BROAD_PRODUCT_MATCHES", 1)
    await sign_in(client, "official")
    expected = await reference_keys(web_rt, keep)
    found, _ = await api_keys(client, query)
    assert found == expected and expected


@pytest.mark.parametrize("narrow", [0, 10_000])
@pytest.mark.parametrize(("query", "keep"), [c for c in CASES if "q=" in c[0]])
async def test_text_filters_find_the_same_by_walk_or_by_id(
    client: Client,
    sign_in: SignIn,
    web_rt: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    narrow: int,
    query: str,
    keep: Reference,
) -> None:
    """Few full-text hits are fetched by id, many are probed along the date order: same rows."""
    from warning.storage import search

    monkeypatch.setattr(search, "NARROW_TEXT_MATCHES", narrow)
    await sign_in(client, "official")
    expected = await reference_keys(web_rt, keep)
    found, _ = await api_keys(client, query)
    assert found == expected
