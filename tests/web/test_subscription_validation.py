"""Issue 14: the subscription form and ``subscriptions set`` validate markets and HS prefixes
as the register import does, naming every bad value in the form's language.

Only modules that existed before the fix are imported, so this file runs (and fails) on the old code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.conftest import DEMO_EXPORTERS
from tests.web.conftest import SignIn
from warning.cli.main import main
from warning.runtime import Runtime
from warning.storage.schema import subscriptions
from warning.storage.subscriptions import get_subscription

Client = TestClient[web.Request, web.Application]
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


async def _post(client: Client, form: dict[str, object], path: str) -> tuple[int, str]:
    data = [(k, str(v)) for k, vs in form.items() for v in (vs if isinstance(vs, list) else [vs])]
    response = await client.post(path, data=data, headers=ZH, allow_redirects=False)
    return response.status, await response.text()


async def _subscription(rt: Runtime) -> tuple[int, str]:
    async with rt.db.begin() as conn:
        query = sa.select(subscriptions.c.id, subscriptions.c.email).order_by(subscriptions.c.id)
        row = (await conn.execute(query)).first()
    assert row is not None
    return row.id, row.email


async def test_subscription_form_refuses_unknown_markets_and_deduplicates_codes(
    client: Client, sign_in: SignIn, web_rt: Runtime
) -> None:
    """Issue 14: NARNIA and XXX were stored, and 10,000 copies of one prefix."""
    sub_id, email = await _subscription(web_rt)
    csrf = await sign_in.exporter(client, email)
    form = {
        "csrf_token": csrf,
        "hs_prefixes": ", ".join(["3304"] * 10_000),
        "markets": "NARNIA, XXX",
        "active": "1",
    }
    status, page = await _post(client, form, f"/exporter/subscriptions/{sub_id}")
    assert status == 400 and "未知市场：NARNIA、XXX" in page
    async with web_rt.db.begin() as conn:
        before = await get_subscription(conn, sub_id)
    assert "NARNIA" not in before.subscription.markets
    form["markets"] = "KEN, EU, KEN"
    status, _ = await _post(client, form, f"/exporter/subscriptions/{sub_id}")
    assert status == 303
    async with web_rt.db.begin() as conn:
        after = await get_subscription(conn, sub_id)
    assert after.subscription.hs_prefixes == ("3304",)
    assert after.subscription.markets == ("KEN", "EU")


def test_cli_subscriptions_set_refuses_unknown_markets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(
        'database_url = "sqlite+aiosqlite:///var/cli.db"\n', encoding="utf-8"
    )
    assert main(["init"]) == 0
    assert main(["import", "exporters", str(DEMO_EXPORTERS)]) == 0
    email = "compliance@spring-toys.example.com"
    capsys.readouterr()
    assert main(["subscriptions", "set", email, "--markets", "NARNIA"]) == 1
    assert "unknown market(s): NARNIA" in capsys.readouterr().err
    assert main(["subscriptions", "set", email, "--markets", "NARNIA,USA,XXX", "--hs", "9503,95x"]) == 1
    err = capsys.readouterr().err
    assert "unknown market(s): NARNIA, XXX" in err and "95x" in err
    assert main(["subscriptions", "set", email, "--markets", "usa,kenya,USA", "--hs", "9503,9503"]) == 0
    capsys.readouterr()
    assert main(["subscriptions", "list", "--email", email]) == 0
    assert "markets USA,KEN, hs 9503," in capsys.readouterr().out
