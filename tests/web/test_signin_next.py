"""Signing in by an emailed link brings the contact back to the page they asked for."""

from __future__ import annotations

import email as email_lib
import re
from urllib.parse import parse_qs, quote, urlparse

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.test_email_exporter import use_sign_in_link
from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.storage.schema import subscriptions

Client = TestClient[web.Request, web.Application]


async def _contact(rt: Runtime) -> str:
    async with rt.db.begin() as conn:
        found = (await conn.execute(sa.select(subscriptions.c.email).order_by(subscriptions.c.id))).first()
    assert found is not None, "the sample run creates subscriptions"
    return str(found.email)


def _asked_in(login: str) -> str:
    url = urlparse(login)
    assert url.path == "/exporter/login"
    [asked] = parse_qs(url.query)["next"]
    return asked


async def _link_asked_from(client: Client, rt: Runtime, login_path: str, email: str) -> str:
    """Open ``login_path`` (the sign-in page, maybe with ``next=``), ask for a link, return it."""
    page = await (await client.get(login_path)).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    form = {"email": email, "csrf_token": csrf[1]}
    hidden = re.search(r'name="next" id="next" value="([^"]+)"', page)
    if hidden is not None:
        form["next"] = hidden[1].replace("&amp;", "&")
    response = await client.post("/exporter/login", data=form)
    assert response.status == 200 and 'id="link-sent"' in await response.text()
    async with rt.db.begin() as conn:
        rows = [m for m in await list_messages(conn, bodies=True) if m.kind == "exporter-login"]
    parsed = email_lib.message_from_bytes(rows[-1].message)
    [text] = [p.get_payload(decode=True) for p in parsed.walk() if p.get_content_type() == "text/plain"]
    found = re.search(r"http\S+/exporter/signin\?token=\S+", text.decode())
    assert found is not None
    url = urlparse(found[0])
    return f"{url.path}?{url.query}"


@pytest.mark.parametrize("asked", ["/exporter/alerts", "/exporter/alerts?level=red&page=2", "/exporter"])
async def test_the_all_alerts_link_lands_on_the_alerts_after_signing_in(
    client: Client, web_rt: Runtime, asked: str
) -> None:
    # The email's "All your alerts" link, opened without a session.
    first = await client.get(asked, allow_redirects=False)
    assert first.status == 303
    login = first.headers["Location"]
    assert _asked_in(login) == asked
    link = await _link_asked_from(client, web_rt, login, await _contact(web_rt))
    response = await use_sign_in_link(client, link)
    assert response.status == 303 and response.headers["Location"] == asked
    assert (await client.get(asked, allow_redirects=False)).status == 200


async def test_a_notification_page_without_its_token_comes_back_after_signing_in(
    client: Client, web_rt: Runtime
) -> None:
    first = await client.get("/exporter/notifications/1", allow_redirects=False)
    assert _asked_in(first.headers["Location"]) == "/exporter/notifications/1"
    # An expired or cut link's page offers to sign in, back to the same page.
    refused = await (await client.get("/exporter/notifications/1?token=cut")).text()
    assert 'href="/exporter/login?next=%2Fexporter%2Fnotifications%2F1"' in refused
    link = await _link_asked_from(client, web_rt, first.headers["Location"], await _contact(web_rt))
    response = await use_sign_in_link(client, link)
    assert response.headers["Location"] == "/exporter/notifications/1"


@pytest.mark.parametrize(
    "hostile",
    [
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
        "/%2F/evil.example",
        "/%09/evil.example",
        "/\t/evil.example",
        "/exporter\r\nSet-Cookie: x=1",
        "exporter/alerts",
    ],
)
async def test_a_next_that_would_leave_the_site_lands_on_the_home_page(
    client: Client, web_rt: Runtime, hostile: str
) -> None:
    login = "/exporter/login?next=" + quote(hostile, safe="")
    page = await (await client.get(login)).text()
    assert 'id="next"' not in page, "an unsafe path is not even carried in the form"
    # Posted straight to the form, past the page: refused all the same.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    email = await _contact(web_rt)
    form = {"email": email, "csrf_token": csrf[1], "next": hostile}
    assert (await client.post("/exporter/login", data=form)).status == 200
    async with web_rt.db.begin() as conn:
        rows = [m for m in await list_messages(conn, bodies=True) if m.kind == "exporter-login"]
    parsed = email_lib.message_from_bytes(rows[-1].message)
    [text] = [p.get_payload(decode=True) for p in parsed.walk() if p.get_content_type() == "text/plain"]
    found = re.search(r"http\S+/exporter/signin\?token=\S+", text.decode())
    assert found is not None
    url = urlparse(found[0])
    response = await use_sign_in_link(client, f"{url.path}?{url.query}")
    assert response.status == 303 and response.headers["Location"] == "/exporter"
