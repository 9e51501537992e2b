"""The outbox keeps each message's body in ``outbox_bodies``: migrated from
the old column, written with the message, read by the claims and by
listings only when asked."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from warning.runtime import Runtime
from warning.storage.database import Database, alembic_config
from warning.storage.outbox import (
    NewMessage,
    claim,
    claim_many,
    enqueue,
    enqueue_many,
    lapsed_claims,
    list_messages,
)
from warning.storage.schema import outbox_bodies

MINE = "0012_outbox_bodies"
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
BODY = b"Subject: digest\r\n\r\n" + bytes(range(256)) * 400  # binary, past a page

#: The outbox as it was before this migration (the body in ``message``).
OLD_OUTBOX = sa.table(
    "outbox",
    *(sa.column(name, sa.String) for name in ("idempotency_key", "recipient", "kind", "subject", "status")),
    sa.column("message", sa.LargeBinary),
    sa.column("attempts", sa.Integer),
    sa.column("created_at", sa.DateTime),
)


def _upgrade_all_but_mine(connection: sa.Connection) -> list[str]:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    others = [h for h in ScriptDirectory.from_config(cfg).get_heads() if h != MINE]
    for head in others:
        command.upgrade(cfg, head)
    return others


async def test_stored_body_survives_the_upgrade(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.begin() as conn:
            assert await conn.run_sync(_upgrade_all_but_mine)
            assert "outbox_bodies" not in await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
            await conn.execute(
                sa.insert(OLD_OUTBOX).values(
                    idempotency_key="daily:a@x.example:2026-11-23",
                    recipient="a@x.example",
                    kind="daily",
                    subject="Digest",
                    status="pending",
                    message=BODY,
                    attempts=0,
                    created_at=NOW.replace(tzinfo=None),
                )
            )
        await db.migrate()
        async with db.begin() as conn:
            columns = await conn.run_sync(lambda c: [c["name"] for c in sa.inspect(c).get_columns("outbox")])
            (listed,) = await list_messages(conn, bodies=True)
            (claimed,) = await claim_many(conn, [listed.id], NOW)
    finally:
        await db.close()
    assert "message" not in columns
    assert (listed.recipient, listed.status, listed.message) == ("a@x.example", "pending", BODY)
    assert (claimed.status, claimed.attempts, claimed.message) == ("sending", 1, BODY)


async def _enqueue(runtime: Runtime, n: int) -> int:
    async with runtime.db.begin() as conn:
        new_id, created = await enqueue(
            conn,
            idempotency_key=f"key-{n}",
            recipient=f"r{n}@x.example",
            kind="daily",
            subject=f"Digest {n}",
            message=BODY + str(n).encode(),
            exporter_id=None,
            now=NOW,
        )
    assert created
    return new_id


async def test_listings_leave_bodies_out_and_claims_bring_them(runtime: Runtime) -> None:
    ids = [await _enqueue(runtime, n) for n in range(3)]
    async with runtime.db.begin() as conn:
        bodies = sa.select(outbox_bodies.c.outbox_id, outbox_bodies.c.message)
        stored = {int(i): bytes(m) for i, m in await conn.execute(bodies)}
        listed = await list_messages(conn, "pending")
        with_bodies = await list_messages(conn, "pending", bodies=True)
        claimed = await claim_many(conn, [ids[2], ids[0]], NOW + dt.timedelta(minutes=5))
        again = await claim_many(conn, ids, NOW + dt.timedelta(minutes=5))
        one = await claim(conn, ids[1], NOW - dt.timedelta(minutes=1))
        lapsed = await lapsed_claims(conn, NOW)
    assert stored == {i: BODY + str(n).encode() for n, i in enumerate(ids)}
    assert [(m.id, m.message) for m in listed] == [(i, b"") for i in ids]
    assert [(m.id, m.message) for m in with_bodies] == list(stored.items())
    assert [(m.id, m.status, m.message) for m in claimed] == [
        (ids[0], "sending", stored[ids[0]]),
        (ids[2], "sending", stored[ids[2]]),
    ]
    assert [m.id for m in again] == [ids[1]]  # the others were claimed already
    assert again[0].message == stored[ids[1]]
    assert one is None  # claimed by the second claim_many
    assert lapsed == []  # every lease runs past NOW


async def test_a_lapsed_claim_comes_back_with_its_body(runtime: Runtime) -> None:
    message_id = await _enqueue(runtime, 7)
    async with runtime.db.begin() as conn:
        claimed = await claim(conn, message_id, NOW - dt.timedelta(seconds=1))
        lapsed = await lapsed_claims(conn, NOW)
    assert claimed is not None and claimed.message == BODY + b"7"
    assert [(m.id, m.status, m.message) for m in lapsed] == [(message_id, "sending", BODY + b"7")]


async def test_enqueue_many_stores_new_keys_once_and_names_the_known_ones(runtime: Runtime) -> None:
    def new(key: str, body: bytes) -> NewMessage:
        return NewMessage(key, f"{key}@ex.example", "daily", f"digest {key}", body, None, f"<{key}@zone>")

    async with runtime.db.begin() as conn:
        ((known, created),) = await enqueue_many(conn, [new("a", b"first a")], NOW)
        stored = await enqueue_many(
            conn, [new("b", BODY), new("a", b"second a"), new("c", b"c"), new("b", b"second b")], NOW
        )
        messages = await claim_many(conn, [i for i, _ in stored], NOW + dt.timedelta(minutes=5))
    assert created is True
    b, a, c, b_again = stored
    assert a == (known, False) and b[1] is True and c[1] is True and b_again == (b[0], False)
    assert len({known, b[0], c[0]}) == 3
    found = {m.idempotency_key: (m.id, m.message, m.recipient, m.message_id) for m in messages}
    assert found == {
        "a": (known, b"first a", "a@ex.example", "<a@zone>"),  # the known one is not overwritten
        "b": (b[0], BODY, "b@ex.example", "<b@zone>"),
        "c": (c[0], b"c", "c@ex.example", "<c@zone>"),
    }
