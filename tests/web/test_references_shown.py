"""A measure without a WTO symbol is named readably wherever people see it (pages,
emails, Atom, iCalendar, CSV), never by its internal key (``url:<link>``), which
stays the key in storage."""

from __future__ import annotations

import email as email_lib
import re
from email import policy
from email.message import EmailMessage

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import SECRET, SignIn
from warning.export import notification_records
from warning.levels.deadlines import deadlines_calendar
from warning.runtime import Runtime
from warning.storage.outbox import list_messages
from warning.storage.schema import alerts, exporters, notifications, subscriptions
from warning.symbols import reference
from warning.tokens import Signer
from warning.web.feeds import exporter_feed_path, exporter_feed_token

Client = TestClient[web.Request, web.Application]
INTERNAL = "url:http"


async def _keyless_alert(rt: Runtime) -> tuple[int, str, int, str, str]:
    """(notification id, key, exporter id, exporter name, contact) of an alert on a measure
    that has no WTO symbol, as the bundled sample has (one with a deadline first)."""
    async with rt.db.begin() as conn:
        row = (
            await conn.execute(
                sa.select(notifications.c.id, notifications.c.key, alerts.c.exporter_id, exporters.c.name)
                .join(alerts, alerts.c.notification_id == notifications.c.id)
                .join(exporters, exporters.c.id == alerts.c.exporter_id)
                .where(notifications.c.key.startswith("url:"))
                .order_by(notifications.c.comment_deadline.is_(None), notifications.c.id)
            )
        ).first()
        assert row is not None, "the sample alerts some exporter to a measure without a symbol"
        contact = await conn.scalar(
            sa.select(subscriptions.c.email).where(subscriptions.c.exporter_id == row.exporter_id)
        )
    return row.id, row.key, row.exporter_id, row.name, str(contact)


async def test_emails_name_it_readably(web_rt: Runtime) -> None:
    _, key, _, _, contact = await _keyless_alert(web_rt)
    async with web_rt.db.begin() as conn:
        digests = [m for m in await list_messages(conn, bodies=True) if m.recipient == contact]
    assert digests
    texts = []
    for message in digests:
        parsed = email_lib.message_from_bytes(message.message, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        parts = [parsed.get_body((kind,)) for kind in ("plain", "html")]
        bodies = [p.get_content() for p in parts if p is not None]
        assert len(bodies) == 2 and all(INTERNAL not in body for body in bodies)
        texts.append(bodies[0])
    assert any(reference(key) in text for text in texts)


async def test_pages_name_it_readably(client: Client, web_rt: Runtime, sign_in: SignIn) -> None:
    notification_id, key, _, _, contact = await _keyless_alert(web_rt)
    shown = reference(key)
    await sign_in.exporter(client, contact)
    for path in (f"/exporter/notifications/{notification_id}", "/exporter/alerts"):
        html = await (await client.get(path)).text()
        assert shown in html and INTERNAL not in html, path
    await sign_in(client, "analyst")
    page = await (await client.get(f"/notifications/{notification_id}")).text()
    heading = re.search(r'<h1 id="notification-key">([^<]*)', page)
    assert heading is not None and heading[1].strip() == shown
    listed, number = "", 1
    while True:  # every page of the staff list
        html = await (await client.get(f"/notifications?page={number}")).text()
        listed += html
        if 'rel="next"' not in html and f"page={number + 1}" not in html:
            break
        number += 1
    assert shown in listed and INTERNAL not in listed


async def test_feeds_calendars_and_csv_name_it_readably(
    client: Client, web_rt: Runtime, sign_in: SignIn
) -> None:
    notification_id, key, exporter_id, name, _ = await _keyless_alert(web_rt)
    shown = reference(key)
    token = exporter_feed_token(Signer(SECRET), exporter_id, web_rt.now(), 30)
    atom = await (await client.get(exporter_feed_path(token))).text()
    assert f"{shown} · " in atom and INTERNAL not in atom  # the reference, then the title
    # Its link is our page of it (the WTO has none).
    assert f"/exporter/notifications/{notification_id}" in atom
    ics = (await deadlines_calendar(web_rt, name)).decode().replace("\r\n ", "")  # unfolded
    assert shown in ics and INTERNAL not in ics
    await sign_in(client, "official")
    staff_ics = await (await client.get("/calendar.ics")).text()
    assert INTERNAL not in staff_ics.replace("\r\n ", "")
    record = next(r for r in await notification_records(web_rt) if r["key"] == key)
    assert record["reference"] == shown  # the key is kept as it is stored
