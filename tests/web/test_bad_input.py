"""Hostile input found by probing (issue 14): redirects after sign-in stay on the site,
and what used to give a 500 gets a 400 or 404 with the usual error body."""

from __future__ import annotations

import json
import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.conftest import WriteConfig
from tests.web.conftest import PASSWORD, SignIn, email_of
from tests.web.test_security import csrf_of, login
from warning.cli.main import main
from warning.runtime import Runtime
from warning.storage.rules import load_rules, rule_history
from warning.web.security import safe_next

Client = TestClient[web.Request, web.Application]


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",  # browsers drop the tab: //evil.example
        "/%09/evil.example",
        "/%2F/evil.example",
        "/%252F/evil.example",  # encoded twice
        "/%5Cevil.example",
        "/\\evil.example",
        "//evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\x00",
        "/\x7f",
        "/a b",
        "/\u2028",
        "/\u200b/evil.example",  # an invisible format character
        "/%E0%A4%A",  # percent-encoded bytes that are not UTF-8
        "https://evil.example/",
        "evil.example",
        "",
    ],
)
def test_next_accepts_only_a_plain_relative_path(target: str) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    "target", ["/notifications/3", "/notifications?member=KEN&q=a%20b", "/analyst/rules?edit=2#form", "/通报"]
)
def test_next_keeps_a_local_path(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ["/\t/evil.example", "/x\r\nSet-Cookie: x=1", "/\x01", "/\x00/x", "/\x7f"])
async def test_control_characters_in_next_are_answered_not_dropped(client: Client, target: str) -> None:
    response = await login(client, email_of("official"), PASSWORD, target)
    assert response.status == 303 and response.headers["Location"] == "/dashboard"
    token = await csrf_of(client, "/dashboard")
    switched = await client.post(
        "/lang", data={"csrf_token": token, "lang": "zh", "next": target}, allow_redirects=False
    )
    assert switched.status == 303 and switched.headers["Location"] == "/"


async def test_the_sign_in_form_carries_only_a_safe_next(client: Client) -> None:
    html = await (await client.get("/login?next=%2F%09%2Fevil.example")).text()
    assert re.search(r'name="next" value="/"', html)


async def api_error(client: Client, path: str) -> tuple[int, dict[str, object]]:
    response = await client.get(path)
    assert response.content_type == "application/json"
    return response.status, json.loads(await response.text())


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        (f"/api/alerts?exporter_id={HUGE}", 400, "exporter_id"),
        (f"/api/alerts?notification_id={HUGE}", 400, "notification_id"),
        ("/api/alerts?exporter_id=%C2%B2", 400, "exporter_id"),  # "²" passes str.isdigit
        ("/api/alerts?page=%C2%B2", 400, "page"),
        (f"/api/alerts?page={HUGE}", 400, "page"),
        ("/api/alerts?since=9999-12-31T23:59:59-23:59", 400, "since"),
        ("/api/alerts?since=0001-01-01T00:00:00%2B23:59", 400, "since"),
        ("/api/notifications?q=ABC%00DEF", 400, "control characters"),
        ("/api/notifications?q=%01", 400, "control characters"),
        ("/api/notifications?hs=%C2%B2%C2%B2", 400, "hs"),
        (f"/api/notifications/{HUGE}", 404, "no notification"),
    ],
)
async def test_api_bad_values_get_400_or_404_with_the_error_body(
    client: Client, sign_in: SignIn, path: str, status: int, says: str
) -> None:
    await sign_in(client, "analyst")
    got, body = await api_error(client, path)
    assert (got, body["status"]) == (status, status)
    assert says in str(body["error"])


@pytest.mark.parametrize(
    "q", ['"', 'a"b"c', "abc AND def", "NEAR(abc", "abc*", "^abc", "abc OR", "(abc", "-abc", "col:abc", "'"]
)
async def test_search_words_are_never_read_as_full_text_syntax(
    client: Client, sign_in: SignIn, q: str
) -> None:
    await sign_in(client, "analyst")
    response = await client.get("/api/notifications", params={"q": q})
    assert response.status == 200, await response.text()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/notifications?q=ABC%00DEF", 400),
        (f"/notifications/{HUGE}", 404),
        ("/notifications/%C2%B2", 404),
        ("/dashboard?week=9999-12-31", 400),
        ("/dashboard?week=0001-01-01", 400),
        ("/digest?week=9999-W52", 400),
        ("/digest?week=0001-W01", 400),
    ],
)
async def test_pages_answer_bad_values_with_an_error_page(
    client: Client, sign_in: SignIn, path: str, status: int
) -> None:
    await sign_in(client, "admin")
    response = await client.get(path)
    assert response.status == status
    assert response.content_type == "text/html"


async def test_exporter_pages_refuse_huge_numbers(client: Client, web_rt: Runtime, sign_in: SignIn) -> None:
    from tests.web.test_email_exporter import _subscription_of

    _, email = await _subscription_of(web_rt, 1)
    token = await sign_in.exporter(client, email)
    response = await client.get(f"/exporter/alerts?page={HUGE}")
    assert response.status == 400 and "page" in await response.text()
    feedback = await client.post(
        f"/exporter/alerts/{HUGE}/feedback", data={"csrf_token": token, "relevant": "1"}
    )
    assert feedback.status == 404 and "no alert" in await feedback.text()
    saved = await client.post(f"/exporter/subscriptions/{HUGE}", data={"csrf_token": token})
    assert saved.status == 404


def _phrases(n: int) -> str:
    return "\n".join(f"gadget number {i}" for i in range(n))


async def test_a_rule_of_hundreds_of_phrases_is_refused_whole(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    csrf = await sign_in(client, "analyst")
    form = {"csrf_token": csrf, "action": "add", "phrases": _phrases(400), "hs_codes": "4202"}
    preview = await client.post("/analyst/rules/preview", data=form)
    assert preview.status == 400
    assert "at most 50 phrases; this one has 400" in await preview.text()
    zh = await client.post("/analyst/rules/preview", data=form, headers={"Accept-Language": "zh-CN"})
    assert zh.status == 400 and "每条规则最多 50 个短语，此规则有 400 个" in await zh.text()
    saved = await client.post("/analyst/rules/save", data=form, allow_redirects=False)
    assert saved.status == 400
    async with web_rt.db.begin() as conn:
        assert await load_rules(conn) == [] and await rule_history(conn) == []
    exclusions = form | {"phrases": "gadget", "exclusions": _phrases(51)}
    assert (await client.post("/analyst/rules/save", data=exclusions)).status == 400


async def test_a_rule_of_fifty_phrases_is_previewed_and_saved(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    csrf = await sign_in(client, "analyst")
    form = {"csrf_token": csrf, "action": "add", "phrases": _phrases(50), "hs_codes": "4202"}
    assert (await client.post("/analyst/rules/preview", data=form)).status == 200
    assert (await client.post("/analyst/rules/save", data=form, allow_redirects=False)).status == 303
    async with web_rt.db.begin() as conn:
        (rule,) = await load_rules(conn)
    assert len(rule.phrases) == 50


def test_the_command_line_refuses_a_rule_too_large(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(write_config())
    phrases = [arg for i in range(51) for arg in ("--phrase", f"gadget {i}")]
    assert main(["--config", cfg, "rules", "add", *phrases, "--hs", "4202"]) == 2
    assert "at most 50 phrases, this one has 51" in capsys.readouterr().err
    assert main(["--config", cfg, "rules", "list"]) == 0
    assert "no rules" in capsys.readouterr().out
