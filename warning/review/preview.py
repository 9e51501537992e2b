"""An exporter contact's next email, rendered exactly as composing would
send it (the officials' overrides applied), in either language; writes nothing."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from dataclasses import dataclass

from classifiers.nomenclature import load_nomenclature
from notifications.compose import _compose_subscription, _Context, _load_chunk  # the composer's own steps
from notifications.links import Links
from warning.mapping.mappings import current_sectors
from warning.runtime import Runtime
from warning.storage.subscriptions import StoredSubscription, load_subscriptions
from warning.types import Language


@dataclass(frozen=True)
class EmailPreview:
    subject: str
    text: str
    html: str
    #: Alerts it carries.
    count: int


def _frequencies(stored: StoredSubscription) -> tuple[str, ...]:
    frequency = stored.subscription.frequency
    return ("immediate", "daily") if frequency == "immediate" else (frequency,)


async def subscriptions_of(rt: Runtime, exporter_id: int) -> list[StoredSubscription]:
    """The active subscriptions (contacts) of one exporter."""
    async with rt.db.begin() as conn:
        return [s for s in await load_subscriptions(conn) if s.exporter_id == exporter_id and s.active]


async def preview_email(rt: Runtime, subscription_id: int, language: Language) -> list[EmailPreview] | None:
    """The emails the contact's next run would get (an immediate contact may get
    several), rendered in ``language``; None: no such active subscription."""
    async with rt.db.begin() as conn:
        found = [s for s in await load_subscriptions(conn) if s.id == subscription_id and s.active]
    if not found:
        return None
    stored = found[0]
    stored = dataclasses.replace(
        stored, subscription=dataclasses.replace(stored.subscription, language=language)
    )
    ctx = _Context(rt, Links.for_runtime(rt), load_nomenclature(), {}, rt.today(), {})
    sectors = {s.key: s for s in await current_sectors(rt)}
    frequencies = _frequencies(stored)
    by_exporter, done, told = await _load_chunk(ctx, [stored], frequencies)
    alerts = by_exporter.get(stored.exporter_id, [])
    out = []
    for composed in _compose_subscription(ctx, stored, alerts, done, told, frequencies, sectors):
        message = email.message_from_bytes(composed.message, policy=email.policy.default)
        text_part = message.get_body(("plain",))
        html_part = message.get_body(("html",))
        out.append(
            EmailPreview(
                composed.subject,
                text_part.get_content() if text_part is not None else "",
                html_part.get_content() if html_part is not None else "",
                len(composed.alerts) + len(composed.raised),
            )
        )
    return out
