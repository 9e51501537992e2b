"""Reminders at 10, 5 and 2 days before the enquiry-point date: once each,
day by day on the clock seam, and never once the comment was sent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import WriteConfig
from tests.responses.queue_helpers import CONFIG_EXTRA, measure_with_concern
from warning.clock import FixedClock
from warning.config import load_config
from warning.responses.reminders import THRESHOLDS, compose_reminders, threshold_due
from warning.responses.sending import approve_and_send
from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.storage.responses import add_draft, get_response_file

START = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai


@pytest.mark.parametrize(
    ("left", "due"),
    [(11, None), (10, 10), (9, 10), (6, 10), (5, 5), (3, 5), (2, 2), (0, 2), (-1, None)],
)
def test_the_threshold_reached(left: int, due: int | None) -> None:
    today = dt.date(2026, 7, 1)
    assert threshold_due(today + dt.timedelta(days=left), today) == due


async def _rt(write_config: WriteConfig, clock: FixedClock, database_url: str) -> Runtime:
    config = load_config(write_config(extra=CONFIG_EXTRA))
    return await Runtime.open(config.model_copy(update={"database_url": database_url}), clock)


async def _reminders(rt: Runtime) -> list[tuple[str, str]]:
    async with rt.db.begin() as conn:
        found = await list_messages(conn)
    return [(m.idempotency_key, m.recipient) for m in found if m.kind == "response-reminder"]


async def test_each_reminder_fires_once_over_the_days(
    write_config: WriteConfig, database_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(START)
    rt = await _rt(write_config, clock, database_url)
    try:
        # Enquiry-point date 2026-07-15 (deadline 07-20 less 5 days): 14 days away.
        response_id = await measure_with_concern(rt, dt.date(2026, 7, 20))
        async with rt.db.begin() as conn:
            file = await get_response_file(conn, response_id)
            assert file is not None
            await add_draft(conn, file, text_zh="草稿", text_en="draft", author="a@x.cn", now=rt.now())
        fired: list[tuple[dt.date, int]] = []
        for _ in range(20):  # the job runs twice a day, every day until past the date
            for _ in range(2):
                before = len(await _reminders(rt))
                await compose_reminders(rt)
                new = (await _reminders(rt))[before:]
                fired += [(rt.today(), int(key.split(":")[2])) for key, _ in new]
            clock.advance(dt.timedelta(days=1))
        # One email a threshold (the officials' address; nobody assigned yet), on its day.
        assert fired == [
            (dt.date(2026, 7, 5), 10),
            (dt.date(2026, 7, 10), 5),
            (dt.date(2026, 7, 13), 2),
        ]
        assert sorted({t for _, t in fired}) == sorted(THRESHOLDS)
        assert {r for _, r in await _reminders(rt)} == {"official@zone.example.gov.cn"}
    finally:
        await rt.close()


async def test_the_assignee_is_reminded_too(write_config: WriteConfig, database_url: str) -> None:
    from warning.storage.responses import assign

    clock = FixedClock(START + dt.timedelta(days=4))
    rt = await _rt(write_config, clock, database_url)
    try:
        response_id = await measure_with_concern(rt, dt.date(2026, 7, 20))
        async with rt.db.begin() as conn:
            file = await get_response_file(conn, response_id)
            assert file is not None
            await assign(conn, file, "李分析", "li@analysts.example.cn", actor="official", now=rt.now())
        assert await compose_reminders(rt) == 2
        assert await compose_reminders(rt) == 0
        assert {r for _, r in await _reminders(rt)} == {
            "li@analysts.example.cn",
            "official@zone.example.gov.cn",
        }
    finally:
        await rt.close()


async def test_no_reminder_once_the_comment_was_sent(write_config: WriteConfig, database_url: str) -> None:
    clock = FixedClock(START)
    rt = await _rt(write_config, clock, database_url)
    try:
        response_id = await measure_with_concern(rt, dt.date(2026, 7, 20))
        async with rt.db.begin() as conn:
            file = await get_response_file(conn, response_id)
            assert file is not None
            await add_draft(conn, file, text_zh="意见", text_en="comment", author="a@x.cn", now=rt.now())
            from warning.responses.lifecycle import transition

            await transition(conn, response_id, "drafting", actor="a@x.cn", now=rt.now(), config=rt.config)
            await approve_and_send(rt, conn, response_id, actor="official@zone.example.gov.cn")
        for _ in range(20):
            await compose_reminders(rt)
            clock.advance(dt.timedelta(days=1))
        assert await _reminders(rt) == []
    finally:
        await rt.close()
