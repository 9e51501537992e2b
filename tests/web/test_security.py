"""Sign-in, sessions, CSRF, rate limits and security headers, through the HTTP interface."""

from __future__ import annotations

import datetime as dt
import re

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.web.conftest import PASSWORD, SECRET, SignIn, email_of
from warning.clock import FixedClock
from warning.runtime import Runtime
from warning.tokens import Signer
from warning.web.app import create_app
from warning.web.security import SESSION_COOKIE, decode_session, hash_password, safe_next, verify_password

Client = TestClient[web.Request, web.Application]


async def csrf_of(client: Client, path: str = "/login") -> str:
    html = await (await client.get(path)).text()
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the form"
    return match.group(1)


async def login(client: Client, email: str, password: str, next_path: str = "") -> web.Response:
    token = await csrf_of(client)
    form = {"csrf_token": token, "email": email, "password": password, "next": next_path}
    return await client.post("/login", data=form, allow_redirects=False)  # type: ignore[return-value]


async def test_official_signs_in_and_lands_on_the_page_asked_for(client: Client) -> None:
    response = await login(client, email_of("official").upper(), PASSWORD, "/notifications?member=KEN")
    assert response.status == 303
    assert response.headers["Location"] == "/notifications?member=KEN"
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # base_url is plain http in the test config
    page = await client.get("/notifications?member=KEN", allow_redirects=False)
    assert page.status == 200
    assert email_of("official") in await page.text()


async def test_wrong_password_and_unknown_email_are_refused_alike(client: Client) -> None:
    for email in (email_of("official"), "nobody@example.com"):
        response = await login(client, email, "wrong password!")
        assert response.status == 401
        assert "Wrong email or password." in await response.text()
        assert (await client.get("/dashboard", allow_redirects=False)).status == 303


async def test_next_parameter_cannot_leave_the_site(client: Client) -> None:
    response = await login(client, email_of("official"), PASSWORD, "//evil.example/")
    assert response.headers["Location"] == "/dashboard"
    assert safe_next("https://evil.example") == "/" and safe_next("/\\evil") == "/"
    assert safe_next("/notifications/3") == "/notifications/3"


async def test_sign_in_is_limited_per_account_until_the_window_passes(
    client: Client, web_rt: Runtime
) -> None:
    for _ in range(5):
        assert (await login(client, email_of("analyst"), "wrong password!")).status == 401
    blocked = await login(client, email_of("analyst"), PASSWORD)
    assert blocked.status == 429
    assert "Too many failed sign-ins" in await blocked.text()
    # Another account from the same address is not locked out by this one.
    assert (await login(client, email_of("official"), PASSWORD)).status == 303
    assert isinstance(web_rt.clock, FixedClock)
    web_rt.clock.advance(dt.timedelta(minutes=16))
    assert (await login(client, email_of("analyst"), PASSWORD)).status == 303


async def test_sign_in_is_limited_per_address(web_rt: Runtime) -> None:
    app = create_app(web_rt, Signer(SECRET))
    async with TestClient(TestServer(app)) as client:
        for i in range(20):
            assert (await login(client, f"guess{i}@example.com", "whatever1")).status == 401
        assert (await login(client, email_of("official"), PASSWORD)).status == 429


async def test_post_without_or_with_a_wrong_csrf_token_is_refused(client: Client, sign_in: SignIn) -> None:
    form = {"email": email_of("official"), "password": PASSWORD}
    assert (await client.post("/login", data=form, allow_redirects=False)).status == 403
    assert (await client.post("/login", data=form | {"csrf_token": "x" * 43})).status == 403
    await sign_in(client, "official")
    refused = await client.post("/logout", data={"csrf_token": "forged"}, allow_redirects=False)
    assert refused.status == 403
    assert "CSRF" in await refused.text()
    assert (await client.get("/dashboard", allow_redirects=False)).status == 200


async def test_sign_out_ends_the_session(client: Client, sign_in: SignIn) -> None:
    token = await sign_in(client, "official")
    response = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303


async def test_sign_in_gives_a_new_session(client: Client, web_rt: Runtime) -> None:
    before = await csrf_of(client)
    response = await login(client, email_of("official"), PASSWORD)
    session = decode_session(Signer(SECRET), response.cookies[SESSION_COOKIE].value, web_rt.now())
    assert session is not None and session.user_id is not None
    assert session.csrf != before


async def test_forged_or_expired_session_cookie_is_anonymous(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: "eyJ1IjoxfQ.forged"})
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303
    await sign_in(client, "official")  # valid for one hour
    assert (await client.get("/dashboard", allow_redirects=False)).status == 200
    assert isinstance(web_rt.clock, FixedClock)
    web_rt.clock.advance(dt.timedelta(hours=2))
    assert (await client.get("/dashboard", allow_redirects=False)).status == 303


async def test_security_headers_on_pages_errors_and_api(client: Client) -> None:
    for path in ("/login", "/no-such-page", "/api/alerts", "/static/style.css"):
        response = await client.get(path, allow_redirects=False)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_pages_carry_no_inline_script_or_style(client: Client, sign_in: SignIn) -> None:
    await sign_in(client, "admin")
    for path in ("/login", "/dashboard", "/notifications", "/notifications/1", "/ops/quarantine"):
        html = await (await client.get(path)).text()
        # The hostile notification's markup is there only escaped (&lt;script...).
        assert "<script" not in html and "<img" not in html
        assert "<style" not in html and " style=" not in html


async def test_secure_cookies_follow_config(web_rt: Runtime) -> None:
    config = web_rt.config.model_copy(
        update={"web": web_rt.config.web.model_copy(update={"secure_cookies": True})}
    )
    app = create_app(Runtime(config, web_rt.db, web_rt.clock), Signer(SECRET))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/login")
        assert response.cookies[SESSION_COOKIE]["secure"]


def test_passwords_are_argon2_and_short_ones_refused() -> None:
    hashed = hash_password("long enough pw")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "long enough pw") and not verify_password(hashed, "other one!")
    assert not verify_password(None, "long enough pw")
    try:
        hash_password("short")
    except ValueError as exc:
        assert "8 characters" in str(exc)
    else:
        raise AssertionError("a short password was accepted")
