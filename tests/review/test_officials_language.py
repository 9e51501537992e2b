"""Each official gets the weekly and monthly emails in their own language, one
language per email (the staff account's, set on /admin/users or with
``tbtwarn users language``; Chinese without an account or a choice); the
monthly report carries its xlsx workbook attached and still links to it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from notifications.officials import compose_officials_digest
from tests.review.fixtures import WEEK, populate, write_review_config
from tests.web.conftest import WEB_NOW, email_of
from warning.cli.main import main
from warning.clock import FixedClock
from warning.config import load_config
from warning.reports.monthly import compose_monthly_report
from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.storage.staff_accounts import staff_languages
from warning.storage.staff_tables import staff_audit

#: Has a staff account (the fixtures' official), set to English below.
ENGLISH = email_of("official")
#: No staff account: Chinese.
CHINESE = "director@commerce.example.gov.cn"
CJK = re.compile(r"[\u4e00-\u9fff]")


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Two officials: the list is written as TOML by the fixture's one-address helper.
    path = write_review_config(tmp_path, officials=f'{ENGLISH}", "{CHINESE}')
    asyncio.run(populate(path))
    monkeypatch.setenv("TBTWARN_NOW", WEB_NOW.isoformat())
    return path


async def sent(path: Path, kind: str) -> dict[str, EmailMessage]:
    rt = await Runtime.open(load_config(path), FixedClock(WEB_NOW))
    try:
        async with rt.db.begin() as conn:
            return {
                m.recipient: parse(m.message)
                for m in await list_messages(conn, bodies=True)
                if m.kind == kind
            }
    finally:
        await rt.close()


async def queue_both(path: Path) -> None:
    rt = await Runtime.open(load_config(path), FixedClock(WEB_NOW))
    try:
        async with rt.db.begin() as conn:
            assert (await staff_languages(conn))[ENGLISH] == "en"
            audited = (await conn.execute(sa.select(staff_audit.c.action, staff_audit.c.by_email))).all()
        assert ("language", "ops@zone") in audited
        assert await compose_officials_digest(rt, WEEK) == 2
        assert await compose_monthly_report(rt, "2026-06") == 2
    finally:
        await rt.close()


def test_weekly_and_monthly_emails_in_each_officials_language(config_path: Path) -> None:
    assert main(["--config", str(config_path), "users", "language", ENGLISH, "en", "--by", "ops@zone"]) == 0
    with pytest.raises(SystemExit):  # argparse refuses another language
        main(["--config", str(config_path), "users", "language", ENGLISH, "fr"])
    asyncio.run(queue_both(config_path))
    weekly = asyncio.run(sent(config_path, "officials"))
    en, zh = weekly[ENGLISH], weekly[CHINESE]
    assert str(en["Subject"]).startswith("Weekly TBT digest 2026-W25")
    assert str(zh["Subject"]).startswith("TBT周报 2026-W25")
    en_text, zh_text = body(en, "plain"), body(zh, "plain")
    assert "This week: 3" in en_text and "Red and orange" not in zh_text and "This week" not in zh_text
    assert "本周通报: 3" in zh_text and "本周通报" not in en_text and "按预警等级" not in en_text
    assert 'lang="en"' in body(en, "html") and 'lang="zh"' in body(zh, "html")
    # Chinese in the English email only where the data is Chinese (an exporter's name).
    assert not CJK.search(en_text.replace("济南鲁缘化妆品有限公司", ""))

    monthly = asyncio.run(sent(config_path, "monthly-report"))
    for address, language, header in ((ENGLISH, "en", "Member"), (CHINESE, "zh", "通报成员")):
        message = monthly[address]
        text = body(message, "plain")
        assert "/reports?period=2026-06&format=xlsx" in text  # the link stays
        files = [p for p in message.iter_attachments() if p.get_filename()]
        assert len(files) == 1 and str(files[0].get_filename()).endswith(".xlsx"), language
        workbook = load_workbook(io.BytesIO(files[0].get_payload(decode=True)))  # type: ignore[arg-type]
        first = workbook.worksheets[0]
        assert first.cell(1, 1).value == header, language
    assert "Notifications:" in body(monthly[ENGLISH], "plain") and "通报：" in body(monthly[CHINESE], "plain")
