"""Server-side sessions, single-use links and shared sign-in counters, on SQLite and
PostgreSQL (issue 14): what several workers or machines share."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from warning.clock import FixedClock
from warning.runtime import Runtime
from warning.storage.rate_limits import clear_bucket, hit_counts, record_hits, take_back
from warning.storage.schema import staff_users
from warning.storage.session_tables import rate_limit_hits, web_sessions
from warning.storage.sessions import (
    create_session,
    record_signin_link,
    revoke_session,
    revoke_user_sessions,
    session_exporter,
    session_user,
    signin_link_usable,
    use_signin_link,
)
from warning.storage.users import add_user, set_password_hash

HOUR = dt.timedelta(hours=1)


async def test_a_session_lives_until_revoked_or_expired(runtime: Runtime) -> None:
    now = runtime.now()
    async with runtime.db.begin() as conn:
        user = await add_user(conn, "li@zone.example", "hash-1", "analyst", now)
        await create_session(conn, "sid-a", now=now, expires_at=now + HOUR, user_id=user.id)
        await create_session(conn, "sid-b", now=now, expires_at=now + HOUR, user_id=user.id)
        await create_session(conn, "sid-x", now=now, expires_at=now + HOUR, exporter_email="a@b.example")
    async with runtime.db.begin() as conn:
        found = await session_user(conn, "sid-a", now)
        assert found is not None and found.email == "li@zone.example"
        assert await session_user(conn, "sid-x", now) is None  # an exporter's, not staff
        assert await session_exporter(conn, "sid-x", now) == "a@b.example"
        assert await session_exporter(conn, "sid-a", now) is None
        assert await session_user(conn, "sid-a", now + HOUR) is None  # expired
        await revoke_session(conn, "sid-a")
        assert await session_user(conn, "sid-a", now) is None
        assert await session_user(conn, "sid-b", now) is not None
        # Only digests are stored, never the id the cookie carries.
        stored = set(await conn.scalars(sa.select(web_sessions.c.token_hash)))
        assert "sid-b" not in stored and all(len(h) == 64 for h in stored)


async def test_account_changes_end_its_sessions(runtime: Runtime) -> None:
    now = runtime.now()
    async with runtime.db.begin() as conn:
        user = await add_user(conn, "li@zone.example", "hash-1", "analyst", now)
        for sid in ("p", "r", "d"):
            await create_session(conn, sid, now=now, expires_at=now + HOUR, user_id=user.id)
    async with runtime.db.begin() as conn:
        await set_password_hash(conn, user.id, "hash-2")
        assert await session_user(conn, "p", now) is None
    async with runtime.db.begin() as conn:
        await create_session(conn, "r2", now=now, expires_at=now + HOUR, user_id=user.id)
        await conn.execute(sa.update(staff_users).where(staff_users.c.id == user.id).values(role="admin"))
        assert await session_user(conn, "r2", now) is None
        await create_session(conn, "d2", now=now, expires_at=now + HOUR, user_id=user.id)
        await create_session(conn, "d3", now=now, expires_at=now + HOUR, user_id=user.id)
        assert await revoke_user_sessions(conn, user.id) == 6  # p, r, d, r2, d2, d3
        await create_session(conn, "gone", now=now, expires_at=now + HOUR, user_id=user.id)
        await conn.execute(sa.delete(staff_users).where(staff_users.c.id == user.id))
        # ON DELETE CASCADE: the account's sessions go with it.
        assert (await conn.execute(sa.select(sa.func.count()).select_from(web_sessions))).scalar_one() == 0


async def test_a_link_is_used_once_even_by_racing_workers(runtime: Runtime) -> None:
    now = runtime.now()
    async with runtime.db.begin() as conn:
        await record_signin_link(conn, "nonce-1", "a@b.example", now, now + HOUR)
        assert await signin_link_usable(conn, "nonce-1", "a@b.example", now)
        assert not await signin_link_usable(conn, "nonce-1", "c@d.example", now)  # another contact

    async def use() -> bool:
        async with runtime.db.begin() as conn:
            return await use_signin_link(conn, "nonce-1", "a@b.example", now)

    assert sorted(await asyncio.gather(use(), use(), use())) == [False, False, True]
    async with runtime.db.begin() as conn:
        assert not await signin_link_usable(conn, "nonce-1", "a@b.example", now)
        await record_signin_link(conn, "nonce-2", "a@b.example", now, now + HOUR)
        assert not await use_signin_link(conn, "nonce-2", "a@b.example", now + HOUR)  # expired


async def test_counters_slide_and_are_shared(runtime: Runtime) -> None:
    assert isinstance(runtime.clock, FixedClock)
    window = dt.timedelta(minutes=15)
    buckets = ("staff-ip:203.0.113.5", "staff-account:li@zone.example")
    ids = []
    async with runtime.db.begin() as conn:
        for _ in range(3):
            ids += await record_hits(conn, buckets, runtime.now(), window)
            runtime.clock.advance(dt.timedelta(minutes=5))
        # 15 minutes after the first: it has left the window.
        assert await hit_counts(conn, buckets, runtime.now(), window) == {b: 2 for b in buckets}
        await take_back(conn, ids[-2:])
        await clear_bucket(conn, buckets[1])
        assert await hit_counts(conn, (*buckets, "none"), runtime.now(), window) == {
            buckets[0]: 1,
            buckets[1]: 0,
            "none": 0,
        }
        runtime.clock.advance(window)
        await record_hits(conn, ("exporter-ip:x",), runtime.now(), window)
        # Old rows are deleted as new ones come: the table holds one window.
        assert (await conn.execute(sa.select(sa.func.count()).select_from(rate_limit_hits))).scalar_one() == 1
