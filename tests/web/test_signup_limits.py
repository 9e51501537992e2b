"""Sign-up requests are counted by the shared limiter (issue 14's): a budget of their
own, the client address read as for sign-in (``X-Forwarded-For`` only from a trusted proxy)."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.signup.helpers import mails
from tests.web.conftest import SECRET
from tests.web.test_email_exporter import _subscription_of
from tests.web.test_sign_in_limits import links_sent, proxied_rt, request_link
from tests.web.test_signup import _csrf, _form, _post
from warning.runtime import Runtime
from warning.tokens import Signer
from warning.web.app import create_app

Client = TestClient[web.Request, web.Application]
__all__ = ["proxied_rt"]  # the fixture: the web database behind a proxy on 127.0.0.1


async def _apply_from(client: Client, csrf: str, email: str, forwarded: str) -> int:
    headers = {"X-Forwarded-For": forwarded, "Accept-Language": "zh-CN"}
    data = [
        (k, str(v))
        for k, vs in _form(csrf, email=email).items()
        for v in (vs if isinstance(vs, list) else [vs])
    ]
    return (await client.post("/exporter/apply", data=data, headers=headers)).status


async def test_a_trusted_proxy_names_the_applicant(proxied_rt: Runtime) -> None:
    allowed = proxied_rt.config.web.signup_per_ip
    async with TestClient(TestServer(create_app(proxied_rt, Signer(SECRET)))) as client:
        csrf = await _csrf(client)
        for i in range(allowed):
            assert await _apply_from(client, csrf, f"a{i}@example.cn", "203.0.113.5") == 200
        assert await _apply_from(client, csrf, "one-more@example.cn", "203.0.113.5") == 429
        # Another applicant behind the same proxy is not refused; what a client writes
        # to the left of the proxy's hop is never believed.
        assert await _apply_from(client, csrf, "b@example.cn", "203.0.113.5, 198.51.100.7, 10.1.2.3") == 200
        assert await _apply_from(client, csrf, "c@example.cn", "198.51.100.8") == 200
    assert len(await mails(proxied_rt, "signup-verify")) == allowed + 2


async def test_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(web_rt: Runtime) -> None:
    allowed = web_rt.config.web.signup_per_ip
    async with TestClient(TestServer(create_app(web_rt, Signer(SECRET)))) as client:
        csrf = await _csrf(client)
        for i in range(allowed):  # a different made-up address each time: all count against the peer
            assert await _apply_from(client, csrf, f"a{i}@example.cn", f"192.0.2.{i}") == 200
        assert await _apply_from(client, csrf, "one-more@example.cn", "192.0.2.200") == 429


async def test_sign_up_and_sign_in_links_have_separate_budgets(client: Client, web_rt: Runtime) -> None:
    csrf = await _csrf(client)
    for i in range(web_rt.config.web.signup_per_ip):
        assert (await _post(client, _form(csrf, email=f"p{i}@example.cn")))[0] == 200
    assert (await _post(client, _form(csrf, email="late@example.cn")))[0] == 429
    _, email = await _subscription_of(web_rt, 1)
    await request_link(client, email)  # sign-up's budget is spent; the sign-in link's is not
    assert await links_sent(web_rt) == 1
