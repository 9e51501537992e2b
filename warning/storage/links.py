"""Links between notifications of the same measure seen at two stages.

A US Federal Register proposed rule (key ``fr:<document_number>``) often
comes months before the WTO notification of the same measure. They are kept
as two notifications and linked when the texts tell: the WTO notification
names the FR document number, a CFR part or a docket that the proposed rule
has, or the proposed rule names the WTO symbol.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.schema import notification_links, notification_symbols, notifications
from warning.storage.sql import insert_ignore
from warning.symbols import find_symbols
from warning.types import Notification, NotificationLink

SAME_MEASURE = "same_measure"
FR_PREFIX = "fr:"
_FR_DOC_RE = re.compile(r"(?<![\d-])(\d{4}-\d{5})(?![\d-])")
_CFR_RE = re.compile(r"\b(\d{1,2})\s*C\.?F\.?R\.?\s*(?:parts?\s*|§+\s*)?(\d{1,4})\b", re.IGNORECASE)
# Regulations.gov dockets: CPSC-2026-0011, EPA-HQ-OPP-2022-0001, FDA-2026-N-1234, EERE-2026-BT-TP-0001.
_DOCKET_RE = re.compile(r"\b([A-Z]{2,}(?:-[A-Z]{1,6})*-(?:19|20)\d{2}(?:-[A-Z]{1,6})*-\d{3,6})\b")


def measure_refs(texts: Iterable[str]) -> set[str]:
    """References that identify a US measure: FR document numbers, CFR parts, dockets."""
    text = "\n".join(texts)
    refs = {f"FR Doc. {m}" for m in _FR_DOC_RE.findall(text)}
    refs |= {f"{t} CFR {p}" for t, p in _CFR_RE.findall(text)}
    refs |= {f"Docket {d}" for d in _DOCKET_RE.findall(text)}
    return refs


def _texts(title: str, description: str, links: Iterable[str]) -> list[str]:
    return [title, description, *links]


async def _link(conn: AsyncConnection, fr_id: int, wto_id: int, evidence: Iterable[str]) -> None:
    await insert_ignore(
        conn,
        notification_links,
        [
            {
                "notification_id": fr_id,
                "related_id": wto_id,
                "relation": SAME_MEASURE,
                "evidence": "; ".join(sorted(evidence)),
            }
        ],
    )


async def _link_proposed_rule(conn: AsyncConnection, fr_id: int, n: Notification) -> int:
    mine = measure_refs(_texts(n.title, n.description, n.links))
    found = 0
    named = [s.text for s in find_symbols(n.description) if s.member == "USA"]
    if named:
        rows = await conn.execute(
            sa.select(notification_symbols).where(notification_symbols.c.symbol.in_(named))
        )
        for row in rows.all():
            await _link(conn, fr_id, row.notification_id, [f"{row.symbol} named in the proposed rule"])
            found += 1
    # IN rather than JOIN + DISTINCT: PostgreSQL cannot compare JSON columns.
    us_ids = sa.select(notification_symbols.c.notification_id).where(
        notification_symbols.c.symbol.like("G/%/N/USA/%")
    )
    us_notifications = sa.select(
        notifications.c.id, notifications.c.title, notifications.c.description, notifications.c.links
    ).where(notifications.c.id.in_(us_ids))
    for row in (await conn.execute(us_notifications)).all():
        common = mine & measure_refs(_texts(row.title, row.description, row.links))
        if common:
            await _link(conn, fr_id, row.id, common)
            found += 1
    return found


async def _link_wto_notification(conn: AsyncConnection, wto_id: int, n: Notification) -> int:
    mine = measure_refs(_texts(n.title, n.description, n.links))
    if not mine:
        return 0
    proposed = sa.select(
        notifications.c.id, notifications.c.title, notifications.c.description, notifications.c.links
    ).where(notifications.c.key.like(f"{FR_PREFIX}%"))
    found = 0
    for row in (await conn.execute(proposed)).all():
        common = mine & measure_refs(_texts(row.title, row.description, row.links))
        if common:
            await _link(conn, row.id, wto_id, common)
            found += 1
    return found


async def link_related(conn: AsyncConnection, notification_id: int, n: Notification) -> int:
    """Link a just-stored notification to the others of the same measure; returns how many."""
    if n.key.startswith(FR_PREFIX):
        return await _link_proposed_rule(conn, notification_id, n)
    if any(s.member == "USA" for s in n.symbols):
        return await _link_wto_notification(conn, notification_id, n)
    return 0


async def related_notifications(conn: AsyncConnection, notification_id: int) -> list[NotificationLink]:
    """Notifications of the same measure as ``notification_id``, in either direction."""
    out: list[NotificationLink] = []
    for mine, theirs in (
        (notification_links.c.notification_id, notification_links.c.related_id),
        (notification_links.c.related_id, notification_links.c.notification_id),
    ):
        rows = await conn.execute(
            sa.select(
                theirs.label("other"),
                notifications.c.key,
                notification_links.c.relation,
                notification_links.c.evidence,
            )
            .join(notifications, notifications.c.id == theirs)
            .where(mine == notification_id)
        )
        out += [NotificationLink(r.other, r.key, r.relation, r.evidence) for r in rows]
    return sorted(out, key=lambda link: link.related_key)
