"""The sign-up form, its links, the officials' decisions and the subscriptions form, in-process."""

from __future__ import annotations

import re

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.signup.helpers import CODE, link_in, mails
from tests.web.conftest import SignIn
from warning.runtime import Runtime
from warning.storage.applications import events_of, get_application
from warning.storage.schema import exporters, subscriptions
from warning.storage.signup_tables import applications
from warning.storage.subscriptions import get_subscription

Client = TestClient[web.Request, web.Application]
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


async def _csrf(client: Client, path: str = "/exporter/apply") -> str:
    page = await client.get(path, headers=ZH)
    found = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert found is not None
    return found[1]


def _form(csrf: str, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf_token": csrf,
        "company_zh": "福州闽江化妆品有限公司",
        "credit_code": CODE,
        "contact_name": "林小姐",
        "email": "lin@minjiang.example.cn",
        "language": "zh",
        "hs": ["3304"],
        "markets": ["KEN", "EU"],
        "action": "submit",
    }
    return form | changes


async def _post(client: Client, form: dict[str, object], path: str = "/exporter/apply") -> tuple[int, str]:
    data = [(k, str(v)) for k, vs in form.items() for v in (vs if isinstance(vs, list) else [vs])]
    response = await client.post(path, data=data, headers=ZH)
    return response.status, await response.text()


async def _count(rt: Runtime, table: sa.Table) -> int:
    async with rt.db.begin() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def test_wrong_check_character_is_named_in_chinese(client: Client, web_rt: Runtime) -> None:
    csrf = await _csrf(client)
    status, page = await _post(client, _form(csrf, credit_code="91350100M000100Y44"))
    assert status == 400
    assert "91350100M000100Y44：校验码不符（GB 32100-2015）" in page
    assert await _count(web_rt, applications) == 1  # only the fixture's


async def test_unknown_markets_and_codes_are_named_in_the_forms_language(client: Client) -> None:
    csrf = await _csrf(client)
    status, page = await _post(
        client, _form(csrf, hs=["3304", "33x", "3399"], markets=["NARNIA", "KEN", "XXX"])
    )
    assert status == 400
    assert "未知市场：NARNIA、XXX" in page
    assert "HS编码 33x 须为2、4或6位数字" in page and "HS编码 3399 在HS 2022中不存在" in page
    response = await client.post(
        "/exporter/apply", data=[("csrf_token", csrf), ("markets", "NARNIA"), ("action", "submit")]
    )
    assert "unknown market(s): NARNIA" in await response.text()  # English page, English message


async def test_find_lists_matches_without_javascript(client: Client) -> None:
    csrf = await _csrf(client)
    status, page = await _post(client, _form(csrf, action="find", hs_query="洗发水", markets_query="肯尼"))
    assert status == 200 and 'id="form-errors"' not in page
    assert re.search(
        r'<input type="checkbox" name="hs" value="3305"> <span class="chip-code">3305</span> 洗发水', page
    )
    assert 'value="3304" checked' in page  # the chosen chip stays
    assert 'value="KEN" checked' in page and 'name="markets" value="KEN">' not in page


async def test_pickers_api_answers_in_the_asked_language(client: Client) -> None:
    data = await (await client.get("/pickers/products?q=shampoo&lang=zh")).json()
    assert data["results"][0]["code"] == "3305" and data["results"][0]["name"].startswith("洗发水")
    data = await (await client.get("/pickers/markets?q=欧盟&lang=en")).json()
    assert data["results"][0] == {"code": "EU", "name": "European Union"}


async def test_same_answer_whether_the_company_is_known_or_not(client: Client, web_rt: Runtime) -> None:
    csrf = await _csrf(client)
    async with web_rt.db.begin() as conn:
        known = (await conn.execute(sa.select(subscriptions.c.email).limit(1))).scalar_one()
    answers = []
    for email in (known, "new@example.cn"):
        status, page = await _post(client, _form(csrf, email=email))
        assert status == 200 and 'id="apply-sent"' in page
        answers.append(page.replace(email, "EMAIL"))
    assert answers[0] == answers[1]
    assert len(await mails(web_rt, "signup-verify")) == 2


async def test_honeypot_gets_the_same_page_and_stores_nothing(client: Client, web_rt: Runtime) -> None:
    csrf = await _csrf(client)
    status, page = await _post(client, _form(csrf, website="http://spam.example"))
    assert status == 200 and 'id="apply-sent"' in page
    assert await _count(web_rt, applications) == 1 and await mails(web_rt, "signup-verify") == []


async def test_rate_limit_per_email(client: Client, web_rt: Runtime) -> None:
    csrf = await _csrf(client)
    allowed = web_rt.config.web.signup_per_email
    for _ in range(allowed):
        assert (await _post(client, _form(csrf)))[0] == 200
    status, page = await _post(client, _form(csrf))
    assert status == 429 and "申请过多" in page
    assert len(await mails(web_rt, "signup-verify")) == allowed


async def test_rate_limit_per_address(client: Client, web_rt: Runtime) -> None:
    csrf = await _csrf(client)
    allowed = web_rt.config.web.signup_per_ip
    for i in range(allowed):
        assert (await _post(client, _form(csrf, email=f"p{i}@example.cn")))[0] == 200
    assert (await _post(client, _form(csrf, email="one-more@example.cn")))[0] == 429
    assert len(await mails(web_rt, "signup-verify")) == allowed


async def test_verification_link_opens_a_button_then_works_once(client: Client, web_rt: Runtime) -> None:
    csrf = await _csrf(client)
    await _post(client, _form(csrf))
    token = link_in((await mails(web_rt, "signup-verify"))[0], "/exporter/apply/verify")
    page = await client.get(f"/exporter/apply/verify?token={token}", headers=ZH)
    assert page.status == 200 and 'id="confirm-email"' in await page.text()
    async with web_rt.db.begin() as conn:
        assert (await get_application(conn, 2)).status == "unverified"  # type: ignore[union-attr]
    status, text = await _post(client, {"csrf_token": csrf, "token": token}, "/exporter/apply/verify")
    assert status == 200 and 'id="email-verified"' in text
    status, text = await _post(client, {"csrf_token": csrf, "token": token}, "/exporter/apply/verify")
    assert status == 410 and "此链接已使用过" in text
    assert (await client.get(f"/exporter/apply/verify?token={token}")).status == 410


async def test_official_approves_and_the_decision_is_recorded(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    csrf = await sign_in(client, "official")
    listing = await (await client.get("/applications")).text()
    assert 'id="application-1"' in listing and "示例出口有限公司" in listing
    before = await _count(web_rt, exporters)
    response = await client.post(
        "/applications/1/decide", data={"csrf_token": csrf, "action": "approve"}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await client.get(response.headers["Location"])).text()
    assert 'id="decision-done"' in page and "示例出口有限公司" in page
    assert await _count(web_rt, exporters) == before + 1
    async with web_rt.db.begin() as conn:
        events = await events_of(conn, 1)
    assert (events[-1].action, events[-1].actor) == ("approved", "official@zone.example.gov.cn")
    assert len(await mails(web_rt, "signup-welcome", "wang@example.cn")) == 1


async def test_rejection_needs_a_reason(client: Client, sign_in: SignIn, web_rt: Runtime) -> None:
    csrf = await sign_in(client, "official")
    response = await client.post("/applications/1/decide", data={"csrf_token": csrf, "action": "reject"})
    assert response.status == 400 and 'id="decision-error"' in await response.text()
    response = await client.post(
        "/applications/1/decide", data={"csrf_token": csrf, "action": "reject", "note": "not in our zone"}
    )
    assert response.status == 200
    (told,) = await mails(web_rt, "signup-rejected")
    assert "not in our zone" in told


async def test_exporters_cannot_decide(client: Client, sign_in: SignIn) -> None:
    csrf = await sign_in(client, "analyst")
    response = await client.post("/applications/1/decide", data={"csrf_token": csrf, "action": "approve"})
    assert response.status == 403


async def _subscription(rt: Runtime) -> tuple[int, str]:
    async with rt.db.begin() as conn:
        row = (
            await conn.execute(
                sa.select(subscriptions.c.id, subscriptions.c.email).order_by(subscriptions.c.id)
            )
        ).first()
    assert row is not None
    return row.id, row.email


async def test_preview_shows_the_last_90_days_without_saving(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    sub_id, email = await _subscription(web_rt)
    async with web_rt.db.begin() as conn:
        before = await get_subscription(conn, sub_id)
    csrf = await sign_in.exporter(client, email)
    form = {
        "csrf_token": csrf,
        "hs_prefixes": ["33"],
        "markets": ["*"],
        "min_level": "blue",
        "action": "preview",
    }
    status, page = await _post(client, form, f"/exporter/subscriptions/{sub_id}")
    assert status == 200 and 'id="preview-result"' in page
    found = re.search(r"过去90天（自(\S+)起）：(\d+)条预警", page)
    assert found is not None and int(found[2]) > 0
    async with web_rt.db.begin() as conn:
        assert await get_subscription(conn, sub_id) == before
