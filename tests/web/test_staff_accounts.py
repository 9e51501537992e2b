"""Staff accounts: /admin/users and ``tbtwarn users disable|enable|role|
reset-password|remove|language``; changes end the account's sessions at once, the last
admin stays, every change is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import PASSWORD, SignIn, email_of
from warning.cli.main import main
from warning.runtime import Runtime
from warning.storage.staff_accounts import staff_languages
from warning.storage.staff_tables import staff_audit
from warning.storage.users import get_user_by_email

Client = TestClient[web.Request, web.Application]


async def _audit(rt: Runtime) -> list[tuple[str, str, str]]:
    async with rt.db.begin() as conn:
        rows = await conn.execute(sa.select(staff_audit).order_by(staff_audit.c.id))
        return [(r.subject, r.action, r.by_email) for r in rows]


async def _admin_does(client: Client, sign_in: SignIn, **form: str) -> str:
    csrf = await sign_in(client, "admin")
    response = await client.post("/admin/users", data={"csrf_token": csrf, **form})
    assert response.status == 200
    return await response.text()


@pytest.mark.parametrize(
    ("form", "action"),
    [
        ({"action": "disable"}, "disable"),
        ({"action": "role", "role": "official"}, "role"),
        ({"action": "reset-password", "password": "a brand new password"}, "reset-password"),
        ({"action": "remove"}, "remove"),
    ],
)
async def test_change_ends_the_accounts_sessions_at_once(
    client: Client, web_rt: Runtime, sign_in: SignIn, form: dict[str, str], action: str
) -> None:
    await sign_in(client, "analyst")
    analyst_cookies = client.session.cookie_jar.filter_cookies(client.make_url("/"))
    assert (await client.get("/notifications", allow_redirects=False)).status == 200
    page = await _admin_does(client, sign_in, email=email_of("analyst"), **form)
    assert 'id="users-done"' in page
    client.session.cookie_jar.update_cookies(analyst_cookies, response_url=client.make_url("/"))
    response = await client.get("/notifications", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/login")
    assert (email_of("analyst"), action, email_of("admin")) in await _audit(web_rt)


async def test_disabled_account_cannot_sign_in_until_enabled(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:

    await _admin_does(client, sign_in, email=email_of("official"), action="disable")
    client.session.cookie_jar.clear()
    csrf = await sign_in.anonymous(client)
    form = {"csrf_token": csrf, "email": email_of("official"), "password": PASSWORD}
    assert (await client.post("/login", data=form, allow_redirects=False)).status == 401
    await _admin_does(client, sign_in, email=email_of("official"), action="enable")
    client.session.cookie_jar.clear()
    csrf = await sign_in.anonymous(client)
    form["csrf_token"] = csrf
    assert (await client.post("/login", data=form, allow_redirects=False)).status == 303


async def test_the_last_admin_stays(client: Client, web_rt: Runtime, sign_in: SignIn) -> None:
    for form in ({"action": "remove"}, {"action": "disable"}, {"action": "role", "role": "analyst"}):
        page = await _admin_does(client, sign_in, email=email_of("admin"), **form)
        assert "last admin" in page, form
    async with web_rt.db.begin() as conn:
        admin = await get_user_by_email(conn, email_of("admin"))
    assert admin is not None and admin.role == "admin"
    assert await _audit(web_rt) == []
    # With a second admin, the first may go.
    await _admin_does(client, sign_in, email=email_of("official"), action="role", role="admin")
    page = await _admin_does(client, sign_in, email=email_of("admin"), action="remove")
    assert 'id="users-done"' in page or "Sign in" in page


def test_cli_changes_accounts(
    web_rt: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(Path(web_rt.config.base_dir) / "config.toml")
    monkeypatch.setenv("TBTWARN_NOW", "2026-06-17T03:00:00+00:00")
    monkeypatch.setenv("NEW_PW", "another long password")
    analyst = email_of("analyst")
    assert main(["--config", config, "users", "disable", analyst, "--by", "ops@zone"]) == 0
    assert main(["--config", config, "users", "enable", analyst, "--by", "ops@zone"]) == 0
    assert main(["--config", config, "users", "role", analyst, "official", "--by", "ops@zone"]) == 0
    reset = ["users", "reset-password", analyst, "--password-env", "NEW_PW", "--by", "ops@zone"]
    assert main(["--config", config, *reset]) == 0
    assert main(["--config", config, "users", "remove", email_of("admin")]) == 1
    assert "last admin" in capsys.readouterr().err
    assert main(["--config", config, "users", "remove", analyst, "--by", "ops@zone"]) == 0
    assert main(["--config", config, "users", "disable", "nobody@zone.example"]) == 1


async def test_admin_sets_an_officials_email_language(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    csrf = await sign_in(client, "admin")
    form = {"csrf_token": csrf, "email": email_of("official"), "action": "language", "language": "en"}
    page = await (await client.post("/admin/users", data=form)).text()
    assert 'id="users-done"' in page and "English" in page
    async with web_rt.db.begin() as conn:
        languages = await staff_languages(conn)
    assert languages[email_of("official")] == "en" and languages[email_of("analyst")] == "zh"
    bad = await (await client.post("/admin/users", data=form | {"language": "klingon"})).text()
    assert 'id="users-error"' in bad and "unknown language" in bad
