"""The notification list reads the session's user and its page through one connection,
and a removed account is refused at once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import event

from tests.web.conftest import SignIn, email_of
from warning.runtime import Runtime
from warning.storage.schema import staff_users

Client = TestClient[web.Request, web.Application]


async def test_list_page_takes_one_connection_per_request(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    await sign_in(client, "official")
    checkouts: list[object] = []

    def count(*_args: Any) -> None:
        checkouts.append(object())

    pool = web_rt.db.engine.sync_engine.pool
    event.listen(pool, "checkout", count)
    try:
        for query in ("", "?member=USA", "?q=cosmetic&hs=3304", "?sector=VI&open=1"):
            checkouts.clear()
            response = await client.get("/notifications" + query)
            assert response.status == 200, query
            assert "official@" in await response.text()  # the user was read through it
            assert len(checkouts) == 1, (query, len(checkouts))
        # Other pages keep their own transactions (and still know the user).
        checkouts.clear()
        response = await client.get("/")
        assert response.status == 200 and "official@" in await response.text()
        assert len(checkouts) >= 2
    finally:
        event.remove(pool, "checkout", count)


async def test_removed_account_is_refused_by_the_list_page_at_once(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    await sign_in(client, "analyst")
    assert (await client.get("/notifications?member=USA")).status == 200
    async with web_rt.db.begin() as conn:
        await conn.execute(sa.delete(staff_users).where(staff_users.c.email == email_of("analyst")))
    response = await client.get("/notifications?member=USA", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/login")
