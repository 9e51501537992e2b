"""Sign-in limits (issue 14): separate staff and exporter budgets, counted in the
database (shared by every process), by the client address a trusted proxy names."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.web.conftest import PASSWORD, SECRET, WEB_NOW, email_of, write_web_config
from tests.web.test_email_exporter import _subscription_of
from tests.web.test_security import login
from warning.clock import FixedClock
from warning.config import load_config
from warning.exceptions import ConfigError
from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.tokens import Signer
from warning.web.app import create_app
from warning.web.limits import Budget, client_address

Client = TestClient[web.Request, web.Application]


async def request_link(client: Client, email: str, headers: dict[str, str] | None = None) -> None:
    page = await client.get("/exporter/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert csrf is not None
    form = {"email": email, "csrf_token": csrf[1]}
    response = await client.post("/exporter/login", data=form, headers=headers or {})
    assert response.status == 200 and 'id="link-sent"' in await response.text()


async def links_sent(rt: Runtime) -> int:
    async with rt.db.begin() as conn:
        return sum(m.kind == "exporter-login" for m in await list_messages(conn))


async def test_link_requests_never_use_up_the_staff_budget(client: Client, web_rt: Runtime) -> None:
    for i in range(25):
        await request_link(client, f"flood{i}@example.org")
    assert (await login(client, email_of("admin"), PASSWORD)).status == 303


async def test_failed_sign_ins_never_use_up_the_exporter_budget(client: Client, web_rt: Runtime) -> None:
    for i in range(20):
        assert (await login(client, f"guess{i}@example.com", "whatever1")).status == 401
    assert (await login(client, email_of("admin"), PASSWORD)).status == 429
    _, email = await _subscription_of(web_rt, 1)
    await request_link(client, email)
    assert await links_sent(web_rt) == 1


async def test_link_requests_are_limited_per_contact_and_per_address(client: Client, web_rt: Runtime) -> None:
    _, email = await _subscription_of(web_rt, 1)
    for _ in range(6):  # the page looks the same each time; the sixth sends nothing
        await request_link(client, email)
    assert await links_sent(web_rt) == 5
    for i in range(15):  # 5 + 15 = 20 counted from this address (a refused one is not counted)
        await request_link(client, f"other{i}@example.org")
    _, second = await _subscription_of(web_rt, 2)
    await request_link(client, second)  # the 21st from this address
    assert await links_sent(web_rt) == 5
    assert isinstance(web_rt.clock, FixedClock)
    web_rt.clock.advance(dt.timedelta(minutes=16))  # the window (15 minutes) has passed
    await request_link(client, second)
    assert await links_sent(web_rt) == 6


async def test_every_process_shares_the_counts(web_rt: Runtime) -> None:
    """Two apps on two runtimes (two workers, or two machines on one database)."""
    other_rt = await Runtime.open(web_rt.config, FixedClock(WEB_NOW))
    try:
        async with (
            TestClient(TestServer(create_app(web_rt, Signer(SECRET)))) as first,
            TestClient(TestServer(create_app(other_rt, Signer(SECRET)))) as second,
        ):
            for _ in range(5):
                assert (await login(first, email_of("analyst"), "wrong password!")).status == 401
            assert (await login(second, email_of("analyst"), PASSWORD)).status == 429
            # The account's other failures are forgotten at its next success, in any worker.
            assert isinstance(web_rt.clock, FixedClock) and isinstance(other_rt.clock, FixedClock)
            for clock in (web_rt.clock, other_rt.clock):
                clock.advance(dt.timedelta(minutes=16))
            assert (await login(second, email_of("analyst"), PASSWORD)).status == 303
    finally:
        await other_rt.close()


@pytest.fixture
async def proxied_rt(web_template: Path, tmp_path: Path) -> AsyncIterator[Runtime]:
    """The web database behind a reverse proxy on 127.0.0.1 (``[web] trusted_proxies``)."""
    config_path = write_web_config(tmp_path)
    with config_path.open("a", encoding="utf-8") as fh:
        fh.write('[web]\ntrusted_proxies = ["127.0.0.1", "10.0.0.0/8"]\n')
    (tmp_path / "var").mkdir(exist_ok=True)
    shutil.copy(web_template, tmp_path / "var" / "web.db")
    rt = await Runtime.open(load_config(config_path), FixedClock(WEB_NOW))
    try:
        yield rt
    finally:
        await rt.close()


async def _login_from(client: Client, address: str, email: str, password: str) -> int:
    page = await client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert csrf is not None
    form = {"csrf_token": csrf[1], "email": email, "password": password, "next": ""}
    headers = {"X-Forwarded-For": address}
    return (await client.post("/login", data=form, headers=headers, allow_redirects=False)).status


async def test_a_trusted_proxy_names_the_client(proxied_rt: Runtime) -> None:
    async with TestClient(TestServer(create_app(proxied_rt, Signer(SECRET)))) as client:
        for i in range(20):
            assert await _login_from(client, "203.0.113.5", f"guess{i}@example.com", "whatever1") == 401
        assert await _login_from(client, "203.0.113.5", email_of("admin"), PASSWORD) == 429
        # Another client behind the same proxy is not locked out; the proxy's own hops are skipped,
        # and what the client wrote to the left of them is never believed.
        assert (
            await _login_from(client, "203.0.113.5, 198.51.100.7, 10.1.2.3", email_of("admin"), PASSWORD)
            == 303
        )


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(web_rt: Runtime) -> None:
    async with TestClient(TestServer(create_app(web_rt, Signer(SECRET)))) as client:
        for i in range(20):  # a different made-up address each time: all count against the peer
            assert await _login_from(client, f"192.0.2.{i}", f"guess{i}@example.com", "whatever1") == 401
        assert await _login_from(client, "192.0.2.200", email_of("admin"), PASSWORD) == 429


TRUSTED = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("198.51.100.1", ["203.0.113.9"], "198.51.100.1"),  # untrusted peer: the header is ignored
        ("10.0.0.2", ["203.0.113.9"], "203.0.113.9"),
        ("10.0.0.2", ["1.1.1.1, 203.0.113.9, 10.0.0.7"], "203.0.113.9"),  # rightmost untrusted hop
        ("10.0.0.2", ["1.1.1.1", "203.0.113.9"], "203.0.113.9"),  # several headers, in order
        ("10.0.0.2", ["10.0.0.9, 10.0.0.8"], "10.0.0.9"),  # only proxies: the farthest one
        ("10.0.0.2", ["203.0.113.9, not-an-address"], "10.0.0.2"),  # garbage from the last hop
        ("10.0.0.2", [], "10.0.0.2"),
        ("::1", ["[2001:db8::5]:443"], "2001:db8::5"),
        (None, ["203.0.113.9"], "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, TRUSTED) == expected


def test_trusted_proxies_must_be_addresses_or_networks(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[web]\ntrusted_proxies = ["10.0.0.0/8", "proxy.example"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"trusted_proxies.*'proxy.example' is not an IP address"):
        load_config(path)


async def test_a_huge_email_is_counted_in_a_bucket_that_fits(client: Client) -> None:
    """PostgreSQL refuses a key longer than the column (400); SQLite would not notice."""
    budget = Budget("exporter", 20, 5, dt.timedelta(minutes=15))
    assert all(len(b) <= 400 for b in budget.buckets("2001:db8::1" * 10, "x" * 100_000 + "@example.org"))
    assert (await login(client, "x" * 100_000 + "@example.org", "whatever1")).status == 401
