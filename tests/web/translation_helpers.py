"""Shared by the translation page tests: an English-notified measure of the
sample, and the next digest of a new Chinese contact it concerns."""

from __future__ import annotations

import sqlalchemy as sa

from notifications.compose import compose_digests
from notifications.deliver import deliver_pending
from tests.notifications.helpers import parse
from warning.runtime import Runtime
from warning.storage.alerts import add_alert
from warning.storage.exporters import load_exporters, save_exporter
from warning.storage.outbox import list_messages
from warning.storage.schema import notifications
from warning.storage.subscriptions import sync_from_register
from warning.translation.glossary import text_language
from warning.types import Exporter, ProductMatch

NEW_CONTACT = "new@quancheng.example.com"


async def english_notification(rt: Runtime) -> tuple[int, str]:
    """The id and title of a sample notification whose title and description are in English."""
    query = sa.select(notifications.c.id, notifications.c.title, notifications.c.description).order_by(
        notifications.c.id
    )
    async with rt.db.begin() as conn:
        for nid, title, description in await conn.execute(query):
            english = text_language(title, "en") == "en" and text_language(description or "x", "en") == "en"
            if english and description and "<" not in title:
                return nid, title
    raise AssertionError("the sample has no English notification")


async def next_digest_of_new_contact(rt: Runtime, notification_id: int) -> tuple[str, str]:
    """Register a Chinese exporter the notification concerns, compose and
    deliver the daily digests: its email's plain text and HTML."""
    exporter = Exporter("泉城新材料有限公司", (NEW_CONTACT,), "zh", ("3304",), ("*",))
    async with rt.db.begin() as conn:
        await save_exporter(conn, exporter, rt.now())
        stored = await load_exporters(conn)
        await sync_from_register(conn, stored, rt.now())
        exporter_id = next(i for i, e in stored if e.name == exporter.name)
        await add_alert(
            conn, notification_id, exporter_id, [ProductMatch("3304", 4, 0.9, "test", "test")], rt.now()
        )
    await compose_digests(rt)
    await deliver_pending(rt)
    async with rt.db.begin() as conn:
        (message,) = [m for m in await list_messages(conn, bodies=True) if m.recipient == NEW_CONTACT]
    email = parse(message.message)
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, html
