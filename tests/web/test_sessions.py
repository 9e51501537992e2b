"""Server-side sessions (issue 14): a copied cookie dies with its session, and account
changes end an account's sessions at once; exporter sign-in links work once."""

from __future__ import annotations

import asyncio
import re

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.web.conftest import PASSWORD, SECRET, SignIn, email_of
from tests.web.test_email_exporter import _sign_in_link, _subscription_of, use_sign_in_link
from tests.web.test_security import login
from warning.runtime import Runtime
from warning.storage.schema import staff_users
from warning.storage.sessions import revoke_exporter_sessions, revoke_user_sessions
from warning.storage.users import get_user_by_email, set_password_hash
from warning.tokens import Signer
from warning.web.app import create_app
from warning.web.exporters import LOGIN_PURPOSE
from warning.web.security import SESSION_COOKIE, hash_password

Client = TestClient[web.Request, web.Application]


def cookie_of(client: Client) -> str:
    """The session cookie the browser holds now (what an attacker would copy)."""
    found = [c.value for c in client.session.cookie_jar if c.key == SESSION_COOKIE]
    assert len(found) == 1
    return found[0]


async def status_with_cookie(web_rt: Runtime, cookie: str, path: str) -> tuple[int, str]:
    """The status and Location of ``path`` from another browser holding ``cookie``."""
    async with TestClient(TestServer(create_app(web_rt, Signer(SECRET)))) as other:
        other.session.cookie_jar.update_cookies({SESSION_COOKIE: cookie}, response_url=other.make_url("/"))
        response = await other.get(path, allow_redirects=False)
        return response.status, response.headers.get("Location", "")


async def csrf_on(client: Client, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', await (await client.get(path)).text())
    assert match is not None
    return match[1]


async def test_a_copied_staff_cookie_stops_working_at_sign_out(client: Client, web_rt: Runtime) -> None:
    assert (await login(client, email_of("official"), PASSWORD)).status == 303
    copied = cookie_of(client)
    assert await status_with_cookie(web_rt, copied, "/dashboard") == (200, "")
    token = await csrf_on(client, "/dashboard")
    assert (await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)).status == 303
    status, location = await status_with_cookie(web_rt, copied, "/dashboard")
    assert status == 303 and location.startswith("/login")


async def test_a_copied_exporter_cookie_stops_working_at_sign_out(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    _, email = await _subscription_of(web_rt, 1)
    token = await sign_in.exporter(client, email)
    copied = cookie_of(client)
    assert (await status_with_cookie(web_rt, copied, "/exporter"))[0] == 200
    response = await client.post("/exporter/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303
    assert await status_with_cookie(web_rt, copied, "/exporter") == (303, "/exporter/login?next=/exporter")


async def _signed_in(web_rt: Runtime, sign_in: SignIn, role: str) -> tuple[Client, str]:
    client = TestClient(TestServer(create_app(web_rt, Signer(SECRET))))
    await client.start_server()
    await sign_in(client, role)  # type: ignore[arg-type]
    assert (await client.get("/notifications", allow_redirects=False)).status == 200
    return client, cookie_of(client)


async def test_password_change_role_change_and_removal_end_sessions_at_once(
    web_rt: Runtime, sign_in: SignIn
) -> None:
    clients = [await _signed_in(web_rt, sign_in, role) for role in ("official", "analyst", "admin")]
    try:
        async with web_rt.db.begin() as conn:
            official = await get_user_by_email(conn, email_of("official"))
            assert official is not None
            await set_password_hash(conn, official.id, hash_password("a new long password"))
            await conn.execute(
                sa.update(staff_users)
                .where(staff_users.c.email == email_of("analyst"))
                .values(role="official")
            )
            await conn.execute(sa.delete(staff_users).where(staff_users.c.email == email_of("admin")))
        for client, copied in clients:
            assert (await client.get("/notifications", allow_redirects=False)).status == 303
            assert (await status_with_cookie(web_rt, copied, "/notifications"))[0] == 303
    finally:
        for client, _ in clients:
            await client.close()


async def test_revoking_an_account_ends_every_browser_and_sign_out_only_its_own(
    web_rt: Runtime, sign_in: SignIn
) -> None:
    """What account management (disabling an account) calls: revoke_user_sessions."""
    first, _ = await _signed_in(web_rt, sign_in, "analyst")
    second, _ = await _signed_in(web_rt, sign_in, "analyst")
    try:
        token = await csrf_on(first, "/notifications")
        assert (await first.post("/logout", data={"csrf_token": token}, allow_redirects=False)).status == 303
        assert (await second.get("/notifications", allow_redirects=False)).status == 200
        third, _ = await _signed_in(web_rt, sign_in, "analyst")
        async with web_rt.db.begin() as conn:
            analyst = await get_user_by_email(conn, email_of("analyst"))
            assert analyst is not None
            assert await revoke_user_sessions(conn, analyst.id) == 2
        for client in (second, third):
            response = await client.get("/notifications", allow_redirects=False)
            assert response.status == 303 and response.headers["Location"].startswith("/login")
        await third.close()
        # The official's session is another account's: untouched.
        official, _ = await _signed_in(web_rt, sign_in, "official")
        assert (await official.get("/dashboard", allow_redirects=False)).status == 200
        await official.close()
    finally:
        await first.close()
        await second.close()


async def test_revoking_an_exporter_contact_ends_its_sessions(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    _, email = await _subscription_of(web_rt, 1)
    await sign_in.exporter(client, email)
    assert (await client.get("/exporter", allow_redirects=False)).status == 200
    async with web_rt.db.begin() as conn:
        assert await revoke_exporter_sessions(conn, email.upper()) == 1
    assert (await client.get("/exporter", allow_redirects=False)).status == 303


async def test_an_exporter_sign_in_link_works_once(client: Client, web_rt: Runtime) -> None:
    _, email = await _subscription_of(web_rt, 1)
    link = await _sign_in_link(client, web_rt, email)
    # Opening the link (as a mail scanner would) uses nothing up: it can be opened again.
    assert (await client.get(link)).status == 200
    first = await use_sign_in_link(client, link)
    assert first.status == 303 and first.headers["Location"] == "/exporter"
    assert (await client.get("/exporter", allow_redirects=False)).status == 200
    # The same link again, from this browser or any other: refused, in the page's language.
    async with TestClient(TestServer(create_app(web_rt, Signer(SECRET)))) as other:
        again = await other.get(link, headers={"Accept-Language": "zh-CN"})
        assert again.status == 400 and "此登录链接已使用过" in await again.text()
        csrf = await csrf_on(other, "/exporter/login")
        token = link.split("token=", 1)[1]
        replay = await other.post("/exporter/signin", data={"csrf_token": csrf, "token": token})
        assert replay.status == 400 and "already been used" in await replay.text()
        assert (await other.get("/exporter", allow_redirects=False)).status == 303


async def test_two_clients_racing_with_one_link_get_one_session(client: Client, web_rt: Runtime) -> None:
    _, email = await _subscription_of(web_rt, 1)
    link = await _sign_in_link(client, web_rt, email)
    token = link.split("token=", 1)[1]
    async with (
        TestClient(TestServer(create_app(web_rt, Signer(SECRET)))) as one,
        TestClient(TestServer(create_app(web_rt, Signer(SECRET)))) as two,
    ):
        forms = [{"csrf_token": await csrf_on(c, "/exporter/login"), "token": token} for c in (one, two)]
        responses = await asyncio.gather(
            *(
                c.post("/exporter/signin", data=f, allow_redirects=False)
                for c, f in zip((one, two), forms, strict=True)
            )
        )
        assert sorted(r.status for r in responses) == [303, 400]


async def test_a_link_for_a_contact_is_refused_when_the_token_is_forged_or_old(
    client: Client, web_rt: Runtime
) -> None:
    _, email = await _subscription_of(web_rt, 1)
    signer = Signer(SECRET)

    # A link as made before links were single-use (no nonce): refused, not a session.
    old = signer.sign(LOGIN_PURPOSE, {"e": email}, web_rt.now().replace(year=2027))
    response = await client.get(f"/exporter/signin?token={old}")
    assert response.status == 400 and "not valid" in await response.text()
    forged = Signer(b"another-secret-0123456789abcdef").sign(
        LOGIN_PURPOSE, {"e": email, "n": "x"}, web_rt.now().replace(year=2027)
    )
    assert (await client.get(f"/exporter/signin?token={forged}")).status == 400
