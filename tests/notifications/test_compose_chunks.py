"""Composing in bounded chunks gives the same emails as composing at once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import notifications.compose
from notifications.compose import compose_digests
from tests.notifications.conftest import MakeRuntime
from tests.notifications.helpers import notification, seed
from warning.storage.outbox import list_messages
from warning.storage.schema import deliveries


async def test_one_subscription_per_chunk_and_per_write(
    make_runtime: MakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifications.compose, "SUBSCRIPTION_CHUNK", 1)
    monkeypatch.setattr(notifications.compose, "WRITE_BYTES", 1)
    rt = await make_runtime()
    await seed(
        rt,
        [
            (notification("G/TBT/N/USA/10"), "red"),
            (notification("G/TBT/N/KEN/20"), "orange"),
            (notification("G/TBT/N/EU/30"), "orange"),
            (notification("G/TBT/N/JPN/40"), "yellow"),
        ],
    )
    assert await compose_digests(rt) == 3  # one daily digest per contact, as in one piece
    async with rt.db.begin() as conn:
        pairs = (await conn.execute(sa.select(sa.func.count()).select_from(deliveries))).scalar()
        recipients = sorted(m.recipient for m in await list_messages(conn))
    assert pairs == 3 + 4 + 4
    assert recipients == ["boss@qilu.example.com", "en@qilu.example.com", "zh@luyuan.example.com"]
    assert await compose_digests(rt) == 0


async def test_a_composing_failure_keeps_the_chunks_written_and_the_next_run_sends_the_rest(
    make_runtime: MakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk is written while the next is composed: when composing fails, the
    chunk in flight is still committed with its deliveries, and nothing twice."""
    monkeypatch.setattr(notifications.compose, "SUBSCRIPTION_CHUNK", 1)
    rt = await make_runtime()
    await seed(rt, [(notification("G/TBT/N/USA/10"), "red"), (notification("G/TBT/N/EU/30"), "orange")])
    real = notifications.compose.compose_one

    def failing(ctx, stored, *args, **kwargs):  # type: ignore[no-untyped-def]
        if stored.subscription.email == "zh@luyuan.example.com":
            raise RuntimeError("template broke")
        return real(ctx, stored, *args, **kwargs)

    monkeypatch.setattr(notifications.compose, "compose_one", failing)
    with pytest.raises(RuntimeError, match="template broke"):
        await compose_digests(rt)
    async with rt.db.begin() as conn:
        first = sorted(m.recipient for m in await list_messages(conn))
        pairs = (await conn.execute(sa.select(sa.func.count()).select_from(deliveries))).scalar()
    # The zh contact comes last: the chunk before it was being written when it failed.
    assert first == ["boss@qilu.example.com", "en@qilu.example.com"] and pairs == 2 + 2
    monkeypatch.setattr(notifications.compose, "compose_one", real)
    assert await compose_digests(rt) == 1
    assert await compose_digests(rt) == 0
