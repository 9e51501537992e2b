"""An application's life on both databases: verify once, expire, approve, match, ask for changes, reject."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.signup.helpers import OTHER_CODE, application, link_in, mails
from warning.clock import FixedClock
from warning.exceptions import ApplicationError
from warning.runtime import Runtime
from warning.signup.applications import (
    approve,
    check_edit_link,
    reject,
    request_changes,
    resubmit,
    submit,
    verify,
)
from warning.storage.applications import events_of, get_application
from warning.storage.exporters import load_exporters
from warning.storage.exposure import load_exposure
from warning.storage.schema import exporters
from warning.storage.subscriptions import load_subscriptions
from warning.tokens import Signer
from warning.types import ExposureRow

SIGNER = Signer(b"signup-tests-secret-0123456789")


async def _verified(rt: Runtime, **changes: object) -> int:
    a = application(**changes)
    application_id = await submit(rt, SIGNER, a)
    token = link_in((await mails(rt, "signup-verify", a.email))[-1], "/exporter/apply/verify")
    await verify(rt, SIGNER, token)
    return application_id


async def test_verification_link_works_once(runtime: Runtime) -> None:
    a = application()
    application_id = await submit(runtime, SIGNER, a)
    (text,) = await mails(runtime, "signup-verify")
    assert "请点击以下链接确认您的邮箱" in text and a.credit_code in text
    token = link_in(text, "/exporter/apply/verify")
    verified = await verify(runtime, SIGNER, token)
    assert verified.status == "verified"
    with pytest.raises(ApplicationError) as reused:
        await verify(runtime, SIGNER, token)
    assert reused.value.key == "link_used"
    async with runtime.db.begin() as conn:
        stored = await get_application(conn, application_id)
        events = await events_of(conn, application_id)
    assert stored is not None and stored.status == "verified" and stored.link_nonce is None
    assert [(e.action, e.actor) for e in events] == [("submitted", a.email), ("verified", a.email)]


async def test_verification_link_expires_with_the_application(runtime: Runtime, clock: FixedClock) -> None:
    await submit(runtime, SIGNER, application())
    token = link_in((await mails(runtime, "signup-verify"))[0], "/exporter/apply/verify")
    clock.advance(dt.timedelta(hours=runtime.config.web.signup_link_hours, seconds=1))
    with pytest.raises(ApplicationError) as expired:
        await verify(runtime, SIGNER, token)
    assert expired.value.key == "link_expired"
    with pytest.raises(ApplicationError) as forged:
        await verify(runtime, SIGNER, token[:-4] + "AAAA")
    assert forged.value.key == "link_invalid"


async def test_approval_adds_the_company_subscribes_and_welcomes(runtime: Runtime) -> None:
    figure = ExposureRow(None, "3304", "KEN", 250_000.0, 2025)
    application_id = await _verified(runtime, figures=(figure,))
    outcome = await approve(runtime, application_id, "official@zone.example.gov.cn", "looks right")
    assert not outcome.joined_existing
    async with runtime.db.begin() as conn:
        (exporter_id, exporter), *_ = await load_exporters(conn)
        subs = await load_subscriptions(conn, email="lin@minjiang.example.cn")
        figures = await load_exposure(conn)
        events = await events_of(conn, application_id)
    assert exporter_id == outcome.exporter_id
    assert (exporter.name, exporter.credit_code, exporter.hs_codes, exporter.markets) == (
        "福州闽江化妆品有限公司",
        "91350100M000100Y43",
        ("3304",),
        ("KEN", "EU"),
    )
    assert [(s.exporter_id, s.subscription.hs_prefixes, s.customised) for s in subs] == [
        (exporter_id, ("3304",), True)
    ]
    assert [(f.exporter, f.hs_code, f.market, f.value_usd) for f in figures] == [
        ("福州闽江化妆品有限公司", "3304", "KEN", 250_000.0)
    ]
    assert (events[-1].action, events[-1].actor, events[-1].note) == (
        "approved",
        "official@zone.example.gov.cn",
        "looks right",
    )
    (welcome,) = await mails(runtime, "signup-welcome")
    assert "已列入本区出口企业名录" in welcome and "肯尼亚" in welcome and "3304" in welcome
    with pytest.raises(ApplicationError) as twice:
        await approve(runtime, application_id, "official@zone.example.gov.cn")
    assert twice.value.key == "not_pending"


async def test_second_application_of_a_company_becomes_a_contact(runtime: Runtime) -> None:
    await approve(runtime, await _verified(runtime), "official@zone.example.gov.cn")
    # Same credit code, another person, other products.
    second = await _verified(runtime, email="chen@minjiang.example.cn", hs_codes=("3305",), markets=("USA",))
    outcome = await approve(runtime, second, "official@zone.example.gov.cn")
    # Same email, a typo in the code: still the same company.
    third = await _verified(runtime, credit_code=OTHER_CODE, company_zh="闽江化妆品")
    assert (await approve(runtime, third, "official@zone.example.gov.cn")).joined_existing
    async with runtime.db.begin() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(exporters))).scalar_one()
        ((_, exporter),) = await load_exporters(conn)
        chen = await load_subscriptions(conn, email="chen@minjiang.example.cn")
    assert outcome.joined_existing and count == 1
    assert exporter.emails == ("lin@minjiang.example.cn", "chen@minjiang.example.cn")
    assert exporter.hs_codes == ("3304", "3305") and exporter.markets == ("KEN", "EU", "USA")
    assert [(s.exporter_id, s.subscription.hs_prefixes) for s in chen] == [(outcome.exporter_id, ("3305",))]


async def test_rejection_needs_a_reason_and_tells_the_applicant(runtime: Runtime) -> None:
    application_id = await _verified(runtime)
    with pytest.raises(ApplicationError) as no_reason:
        await reject(runtime, application_id, "official@zone.example.gov.cn", "  ")
    assert no_reason.value.key == "note_required"
    await reject(runtime, application_id, "official@zone.example.gov.cn", "不是本区企业")
    (told,) = await mails(runtime, "signup-rejected", "lin@minjiang.example.cn")
    assert "未获批准" in told and "不是本区企业" in told
    async with runtime.db.begin() as conn:
        events = await events_of(conn, application_id)
        assert await load_exporters(conn) == []
    assert (events[-1].action, events[-1].note) == ("rejected", "不是本区企业")


async def test_changes_requested_then_edited_once(runtime: Runtime) -> None:
    application_id = await _verified(runtime)
    await request_changes(runtime, SIGNER, application_id, "official@zone.example.gov.cn", "请补充英文名称")
    (text,) = await mails(runtime, "signup-changes")
    assert "请补充英文名称" in text
    token = link_in(text, "/exporter/apply/edit")
    assert (await check_edit_link(runtime, SIGNER, token)).status == "changes"
    edited = await resubmit(
        runtime, SIGNER, token, application(company_en="Minjiang Cosmetics", email="other@example.org")
    )
    assert edited.status == "verified" and edited.application.email == "lin@minjiang.example.cn"
    with pytest.raises(ApplicationError) as reused:
        await resubmit(runtime, SIGNER, token, application())
    assert reused.value.key == "link_used"
    async with runtime.db.begin() as conn:
        stored = await get_application(conn, application_id)
        actions = [e.action for e in await events_of(conn, application_id)]
    assert stored is not None and stored.application.company_en == "Minjiang Cosmetics"
    assert actions == ["submitted", "verified", "changes", "edited"]
