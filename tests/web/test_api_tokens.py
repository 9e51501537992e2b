"""API tokens: issued by an admin and shown once, stored hashed; Bearer works
on every /api/ route, read-only; revoked or expired tokens get 401; a token
never opens a staff page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import SignIn
from warning.clock import FixedClock
from warning.runtime import Runtime
from warning.storage.api_tokens import issue_token
from warning.storage.staff_tables import api_tokens, staff_audit

Client = TestClient[web.Request, web.Application]
API_ROUTES = ("/api/notifications", "/api/notifications/1", "/api/alerts", "/api/notifications?count=1")


async def _issue_in_page(client: Client, sign_in: SignIn, name: str = "customs-dashboard") -> str:
    csrf = await sign_in(client, "admin")
    page = await client.post("/admin/tokens", data={"csrf_token": csrf, "name": name, "days": "30"})
    assert page.status == 200
    found = re.search(r'id="token-value">([^<]+)<', await page.text())
    assert found is not None
    client.session.cookie_jar.clear()  # the program has no session, only the token
    return found.group(1)


async def test_issued_token_is_shown_once_and_stored_hashed(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    token = await _issue_in_page(client, sign_in)
    await sign_in(client, "admin")
    listing = await (await client.get("/admin/tokens")).text()
    assert "customs-dashboard" in listing and token not in listing
    async with web_rt.db.begin() as conn:
        rows = (await conn.execute(sa.select(api_tokens))).all()
        audited = (await conn.execute(sa.select(staff_audit.c.action))).scalars().all()
    assert len(rows) == 1 and token not in str(tuple(rows[0])) and rows[0].scope == "read"
    assert audited == ["token-issue"]


async def test_bearer_reads_every_api_route(client: Client, sign_in: SignIn) -> None:
    token = await _issue_in_page(client, sign_in)
    headers = {"Authorization": f"Bearer {token}"}
    for path in API_ROUTES:
        response = await client.get(path, headers=headers)
        assert response.status == 200, path
        assert response.content_type == "application/json"
    assert (await client.get("/api/notifications")).status == 401  # and nothing without it


async def test_token_never_grants_a_staff_page_nor_a_write(client: Client, sign_in: SignIn) -> None:
    token = await _issue_in_page(client, sign_in)
    headers = {"Authorization": f"Bearer {token}"}
    staff_pages = ("/dashboard", "/notifications", "/notifications/1", "/digest", "/reports", "/review/email")
    for path in (*staff_pages, "/admin/tokens", "/admin/users", "/ops/outbox", "/calendar.ics"):
        response = await client.get(path, headers=headers, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login"), path
    response = await client.post("/api/notifications", headers=headers)
    assert response.status in (403, 405)


async def test_revoked_token_gets_401(client: Client, sign_in: SignIn) -> None:
    token = await _issue_in_page(client, sign_in)
    csrf = await sign_in(client, "admin")
    listing = await (await client.get("/admin/tokens")).text()
    token_id = re.search(r'name="id" value="(\d+)"', listing)
    assert token_id is not None
    revoked = await client.post("/admin/tokens/revoke", data={"csrf_token": csrf, "id": token_id.group(1)})
    assert revoked.status == 200 and "revoked" in await revoked.text()
    client.session.cookie_jar.clear()
    response = await client.get("/api/notifications", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401 and (await response.json())["status"] == 401


async def test_expired_and_unknown_tokens_get_401(client: Client, web_rt: Runtime) -> None:
    async with web_rt.db.begin() as conn:
        token, _ = await issue_token(conn, "short-lived", 1, "admin@zone.example.gov.cn", web_rt.now())
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/alerts", headers=headers)).status == 200
    assert isinstance(web_rt.clock, FixedClock)
    web_rt.clock.advance(dt.timedelta(days=1, seconds=1))
    assert (await client.get("/api/alerts", headers=headers)).status == 401
    for bad in ("tbtw_made-up", "not-even-a-token", token + "x"):
        response = await client.get("/api/alerts", headers={"Authorization": f"Bearer {bad}"})
        assert response.status == 401, bad


@pytest.mark.parametrize(("name", "days"), [("", 30), ("x" * 101, 30), ("ok", 0), ("ok", 400)])
async def test_bad_token_requests_are_refused(client: Client, sign_in: SignIn, name: str, days: int) -> None:
    csrf = await sign_in(client, "admin")
    page = await client.post("/admin/tokens", data={"csrf_token": csrf, "name": name, "days": str(days)})
    assert page.status == 400 and 'id="token-error"' in await page.text()


async def test_openapi_describes_bearer(client: Client) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert {"bearer": []} in document["security"]
