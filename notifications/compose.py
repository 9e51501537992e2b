"""Composing digests: each exporter's pending alerts become outbox messages."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from classifiers.nomenclature import load_nomenclature
from notifications.digest import Digest, build_item
from notifications.message import build_message
from notifications.render import render_digest, subject
from warning.runtime import Runtime
from warning.storage.alerts import mark_alerts_queued, matches_from_json, pending_alerts
from warning.storage.exporters import load_exporters
from warning.storage.notifications import load_notifications
from warning.storage.outbox import enqueue
from warning.storage.schema import notifications as notifications_table


async def compose_digests(rt: Runtime) -> int:
    """Queue one digest per exporter contact for the alerts not yet sent.

    The message, its outbox row and the alerts' link to it are written in
    one transaction, so a crash leaves either all of them or none.
    Returns the number of messages queued.
    """
    nomenclature = load_nomenclature()
    today = rt.today()
    queued = 0
    async with rt.db.begin() as conn:
        alerts = await pending_alerts(conn)
        if not alerts:
            return 0
        by_exporter: dict[int, list[Any]] = defaultdict(list)
        for alert in alerts:
            by_exporter[alert.exporter_id].append(alert)
        exporters = dict(await load_exporters(conn))
        ids = sorted({a.notification_id for a in alerts})
        notes = dict(await load_notifications(conn, notifications_table.c.id.in_(ids)))
    for exporter_id, exporter_alerts in by_exporter.items():
        exporter = exporters[exporter_id]
        items = tuple(
            build_item(
                notes[a.notification_id],
                matches_from_json(a.matches),
                nomenclature,
                exporter.language,
                today,
            )
            for a in exporter_alerts
        )
        digest = Digest(exporter, exporter.language, items, today, _zone_name(rt, exporter.language))
        text, html = render_digest(digest)
        alert_ids = [a.id for a in exporter_alerts]
        batch = hashlib.sha256(",".join(map(str, alert_ids)).encode()).hexdigest()[:16]
        async with rt.db.begin() as conn:
            first_id: int | None = None
            for recipient in exporter.emails:
                key = f"digest:{exporter_id}:{recipient}:{batch}"
                message = build_message(
                    sender=rt.config.delivery.sender,
                    recipient=recipient,
                    subject=subject(digest),
                    text=text,
                    html=html,
                    now=rt.now(),
                    message_key=key,
                )
                outbox_id = await enqueue(
                    conn,
                    idempotency_key=key,
                    recipient=recipient,
                    kind="digest",
                    subject=subject(digest),
                    message=message.as_bytes(),
                    exporter_id=exporter_id,
                    now=rt.now(),
                )
                first_id = first_id or outbox_id
                queued += 1
            if first_id is not None:
                await mark_alerts_queued(conn, alert_ids, first_id)
    return queued


def _zone_name(rt: Runtime, language: str) -> str:
    return rt.config.zone.name_zh if language == "zh" else rt.config.zone.name
