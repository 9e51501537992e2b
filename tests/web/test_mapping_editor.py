"""The analysts' ICS mapping and sector editor, in-process: preview, save, and what reads them."""

from __future__ import annotations

import re

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import SignIn, email_of
from warning.runtime import Runtime
from warning.storage.mappings import load_ics_overrides, load_sector_overrides, mapping_history
from warning.storage.notifications import replace_matches, upsert_notification
from warning.storage.schema import notifications, product_matches
from warning.symbols import parse_symbol
from warning.types import Notification, ProductMatch

Client = TestClient[web.Request, web.Application]
#: Not in the shipped mapping, nor its group or field: a notification with it has no ICS match.
FRESH_ICS = "97.230"
TARGET_KEY = "G/TBT/N/NZL/7777"


async def add_ics_target(rt: Runtime) -> int:
    """A notification whose only product clue is an unmapped ICS code; returns its id."""
    async with rt.db.begin() as conn:
        n = Notification(
            key=TARGET_KEY,
            symbols=(parse_symbol(TARGET_KEY),),
            area="TBT",
            member_codes=("NZL",),
            member_name="New Zealand",
            notification_type="Regular notification",
            title="Conformity assessment procedure for zorblat units",
            ics_codes=(f"{FRESH_ICS}.10",),
        )
        await upsert_notification(conn, n, rt.now())
        return int(
            (
                await conn.execute(sa.select(notifications.c.id).where(notifications.c.key == n.key))
            ).scalar_one()
        )


async def _codes(rt: Runtime, notification_id: int) -> set[str]:
    async with rt.db.begin() as conn:
        query = sa.select(product_matches.c.hs_code).where(
            product_matches.c.notification_id == notification_id
        )
        return set(await conn.scalars(query))


def _row(html: str, notification_id: int, column: str) -> str:
    found = re.search(rf'href="/notifications/{notification_id}">.*?class="{column}">([^<]*)<', html, re.S)
    assert found is not None, f"notification {notification_id} is not in the preview"
    return found[1]


async def test_ics_row_preview_then_save_makes_the_notification_match(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    target = await add_ics_target(web_rt)
    csrf = await sign_in(client, "analyst")
    form = {"csrf_token": csrf, "action": "add", "key": FRESH_ICS, "hs_prefixes": "4202", "note": "cases"}
    bad = await client.post("/analyst/mappings/ics/preview", data=form | {"hs_prefixes": "9977"})
    assert bad.status == 400 and "9977" in await bad.text()
    taken = await client.post("/analyst/mappings/ics/preview", data=form | {"key": "97.200.50"})
    assert taken.status == 400 and "exists already" in await taken.text()
    preview = await client.post("/analyst/mappings/ics/preview", data=form)
    html = await preview.text()
    assert preview.status == 200 and 'id="evaluation-change"' in html
    assert "Sectors: precision and recall together (F1)" in html and "sector_f1" not in html
    assert "4202" in _row(html, target, "gained")
    assert "VIII" in _row(html, target, "gained-sectors")  # HS 42 is in section VIII
    async with web_rt.db.begin() as conn:
        assert await load_ics_overrides(conn) == {}  # a preview stores nothing
    assert "4202" not in await _codes(web_rt, target)
    saved = await client.post("/analyst/mappings/ics/save", data=form, allow_redirects=False)
    assert saved.status == 303
    assert "4202" in await _codes(web_rt, target)
    async with web_rt.db.begin() as conn:
        history = await mapping_history(conn)
    assert [(h.kind, h.key, h.action, h.version, h.author) for h in history] == [
        ("ics", FRESH_ICS, "add", 1, email_of("analyst"))
    ]
    page = await (await client.get(saved.headers["Location"])).text()
    assert 'id="mapping-saved"' in page and f'id="ics-{FRESH_ICS}"' in page and "cases" in page
    # Removing it previews the loss; saving the removal takes the match away again.
    removal = {"csrf_token": csrf, "action": "remove", "key": FRESH_ICS}
    assert "4202" in _row(
        await (await client.post("/analyst/mappings/ics/preview", data=removal)).text(), target, "lost"
    )
    assert (
        await client.post("/analyst/mappings/ics/save", data=removal, allow_redirects=False)
    ).status == 303
    assert "4202" not in await _codes(web_rt, target)


async def test_sector_preview_then_save_puts_the_notification_in_the_sector(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    target = await add_ics_target(web_rt)
    async with web_rt.db.begin() as conn:
        await replace_matches(conn, target, [ProductMatch("420212", 6, 0.9, "rule", "test")])
    csrf = await sign_in(client, "analyst")
    form = {
        "csrf_token": csrf,
        "action": "add",
        "key": "luggage",
        "name_en": "Luggage <b>& cases</b>",
        "name_zh": "箱包",
        "hs_prefixes": "4202, 4203",
    }
    assert (await client.post("/analyst/mappings/sectors/preview", data=form | {"key": "XI"})).status == 400
    preview = await client.post("/analyst/mappings/sectors/preview", data=form)
    html = await preview.text()
    assert preview.status == 200 and "<b>&" not in html  # names are escaped
    assert _row(html, target, "gained-sectors") == "luggage"
    assert (await client.get("/notifications?sector=luggage")).status == 400  # not saved yet
    saved = await client.post("/analyst/mappings/sectors/save", data=form)
    assert saved.status == 200 and "Saved: luggage" in await saved.text()
    listed = await (await client.get("/notifications?sector=luggage")).text()
    assert TARGET_KEY in listed
    async with web_rt.db.begin() as conn:
        assert set(await load_sector_overrides(conn)) == {"luggage"}
    # Narrowing the shipped section VIII to chapters 41 and 43 takes the target (4202) out of it.
    change = {"csrf_token": csrf, "action": "change", "key": "VIII", "name_en": "Leather", "name_zh": "皮革"}
    narrowed = await client.post("/analyst/mappings/sectors/preview", data=change | {"hs_prefixes": "41 43"})
    assert _row(await narrowed.text(), target, "lost-sectors") == "VIII"


async def test_every_mapping_form_needs_the_csrf_token_and_the_analyst_role(
    client: Client, sign_in: SignIn
) -> None:
    await sign_in(client, "analyst")
    for path in ("/analyst/mappings/ics/preview", "/analyst/mappings/sectors/save"):
        response = await client.post(path, data={"action": "add", "key": "XI"}, allow_redirects=False)
        assert response.status == 403, path
    page = await (await client.get("/analyst/mappings")).text()
    forms = re.findall(r'<form method="post".*?</form>', page, re.S)
    assert {"ics-form", "sector-form"} <= {m[1] for f in forms if (m := re.search(r'id="([^"]+)"', f))}
    assert all('name="csrf_token"' in f for f in forms)
