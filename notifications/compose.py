"""Composing emails: each subscription's undelivered alerts become outbox messages.

Red alerts for ``immediate`` subscriptions go out one by one at once; the
rest wait for the contact's daily or weekly digest. Each message and the
``deliveries`` rows naming the alerts it carries are written in one
transaction, so a crash leaves both or neither, and no alert reaches a
contact twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup

from classifiers.nomenclature import Nomenclature, load_nomenclature
from notifications.digest import (
    LEVEL_COLOURS,
    Digest,
    DigestItem,
    MatchedCode,
    NotificationView,
    level_name,
    matched_codes,
    notification_view,
    order_items,
    urgency,
)
from notifications.links import Links
from notifications.message import build_message, message_id_for
from notifications.plain import plain_reasons
from notifications.render import (
    PAGE_URL_MARK,
    TEXTS,
    render_brief,
    render_codes,
    render_digest,
    render_item_head,
    subject,
)
from notifications.subscriptions import level_rank, sends_now, wants
from warning.mapping.mappings import current_sectors
from warning.review.shaping import shape_alerts, with_note
from warning.runtime import Runtime
from warning.storage.deliveries import (
    AlertRow,
    delivered_pairs,
    delivery_rows,
    insert_deliveries,
    levels_told,
    load_alerts,
    record_raises,
    undelivered_alerts,
)
from warning.storage.exporters import load_exporters
from warning.storage.notifications import load_notifications
from warning.storage.outbox import NewMessage, enqueue_many
from warning.storage.responses import latest_stc_marks
from warning.storage.review_actions import ReviewState, load_state
from warning.storage.schema import notifications as notifications_table
from warning.storage.subscriptions import StoredSubscription, load_subscriptions, sync_from_register
from warning.storage.translations import load_translations
from warning.translation.display import shown_notification
from warning.types import Exporter, Language, Level, Notification, Sector, StcMark, Translation

#: Messages written per transaction: each is atomic with its deliveries either way.
WRITE_BATCH = 500


@dataclass(frozen=True)
class Composed:
    """A rendered email waiting to be written to the outbox."""

    subscription: StoredSubscription
    key: str
    kind: str
    subject: str
    message: bytes
    message_id: str
    #: (alert id, level announced) of the alerts it brings for the first time.
    alerts: tuple[tuple[int, Level], ...]
    #: (alert id, level told before, level announced) of the rises it announces.
    raised: tuple[tuple[int, Level, Level], ...] = ()


@dataclass
class _Context:
    rt: Runtime
    links: Links
    nomenclature: Nomenclature
    notifications: dict[int, Notification]
    today: dt.date
    views: dict[tuple[int, str], tuple[NotificationView, str, Markup]]
    #: The register's exporters by id: reasons name their own products.
    exporters: dict[int, Exporter] = field(default_factory=dict)
    #: Matched codes by (HS codes, language): an exporter's few codes recur in its every item.
    codes: dict[tuple[tuple[str, ...], str], tuple[tuple[MatchedCode, ...], str, Markup]] = field(
        default_factory=dict
    )
    #: Brief lines by (notification id, language, level): the same for every reader.
    briefs: dict[tuple[int, str, Level], tuple[str, Markup]] = field(default_factory=dict)
    #: Stored translations of the loaded notifications, by id then (field, language).
    translations: dict[int, dict[tuple[str, str], Translation]] = field(default_factory=dict)
    #: The officials' overrides in force (issue 18): held-back alerts, levels set, expert notes.
    review: ReviewState = field(default_factory=ReviewState)
    #: Specific trade concern marks of the loaded notifications (issue 19).
    stc: dict[int, StcMark] = field(default_factory=dict)

    def brief(self, alert: AlertRow, email: str, language: Language) -> tuple[str, Markup]:
        """The alert listed in one line, its page link signed for ``email`` (cached but the link)."""
        key = (alert.notification_id, language, alert.effective_level)
        found = self.briefs.get(key)
        if found is None:
            view = self.view(alert.notification_id, language)[0]
            found = self.briefs[key] = render_brief(view, alert.effective_level, language)
        url = self.links.notification_page(alert.notification_id, email, language)
        # The mark is plain letters, the same escaped or not; Markup.replace escapes the URL.
        return found[0].replace(PAGE_URL_MARK, url), found[1].replace(PAGE_URL_MARK, url)

    def priority(self, alert: AlertRow, language: Language) -> tuple[int, int, int]:
        view = self.view(alert.notification_id, language)[0]
        return urgency(alert.effective_level, view.days_left, view.enquiry_days_left)

    def matched(self, alert: AlertRow, language: Language) -> tuple[tuple[MatchedCode, ...], str, Markup]:
        """The alert's matched codes as shown in ``language``, with their rendered part (cached)."""
        key = (tuple(m.hs_code for m in alert.matches), language)
        found = self.codes.get(key)
        if found is None:
            codes = matched_codes(alert.matches, self.nomenclature, language)
            found = self.codes[key] = (codes, *render_codes(codes, language))
        return found

    def view(self, notification_id: int, language: Language) -> tuple[NotificationView, str, Markup]:
        """The notification as shown in ``language``, with its rendered part (cached)."""
        key = (notification_id, language)
        found = self.views.get(key)
        if found is None:
            n = self.notifications[notification_id]
            view = notification_view(
                notification_id,
                n,
                language,
                self.today,
                self.rt.config.warning.enquiry_point_days,
                shown_notification(notification_id, n, language, self.translations.get(notification_id)),
            )
            view = with_note(view, self.review, language)
            mark = self.stc.get(notification_id)
            if mark is not None:
                view = replace(view, stc_number=mark.stc_number, stc_url=mark.url)
            found = (view, *render_item_head(view, language))
            self.views[key] = found
        return found


def _item(
    ctx: _Context, alert: AlertRow, email: str, language: Language, before: Level | None = None
) -> DigestItem:
    level = alert.effective_level
    view, head_text, head_html = ctx.view(alert.notification_id, language)
    codes, codes_text, codes_html = ctx.matched(alert, language)
    label = level_name(level, language)
    raised_from = level_name(before, language) if before is not None else None
    if raised_from is not None:
        label = TEXTS[language]["raised"].format(level=label, before=raised_from)
    return DigestItem(
        alert_id=alert.id,
        n=view,
        head_text=head_text,
        head_html=head_html,
        level=level,
        level_label=label,
        raised_from=raised_from,
        colour=LEVEL_COLOURS[level],
        reasons=plain_reasons(
            alert.reasons, alert.matches, ctx.exporters.get(alert.exporter_id), ctx.nomenclature, language
        ),
        codes=codes,
        codes_text=codes_text,
        codes_html=codes_html,
        relevant_url=ctx.links.feedback(alert.id, email, True),
        not_relevant_url=ctx.links.feedback(alert.id, email, False),
        page_url=ctx.links.notification_page(alert.notification_id, email, language),
    )


def compose_one(
    ctx: _Context,
    stored: StoredSubscription,
    alerts: Sequence[AlertRow],
    frequency: str,
    period: str,
    told: Mapping[int, Level] | None = None,
) -> Composed:
    """Render one email to one contact carrying ``alerts``; those in ``told``
    (alert id -> level the contact was told) are announced as raised.

    The ``[digest] full_items`` most urgent are shown in full (a rise always
    is), the next ``brief_items`` are listed one line each, and any left are
    counted with a link to the contact's alerts page: a catch-up digest of
    hundreds stays readable and under the size at which mail clients clip.
    Every alert is recorded as carried by the email.
    """
    sub = stored.subscription
    told = told or {}
    config = ctx.rt.config
    full, brief = _split(ctx, alerts, told, sub.language, config.digest.full_items)
    unlisted = max(0, len(brief) - config.digest.brief_items)
    items = [_item(ctx, a, sub.email, sub.language, told.get(a.id)) for a in full]
    briefs = [ctx.brief(a, sub.email, sub.language) for a in brief[: config.digest.brief_items]]
    digest = Digest(
        recipient=sub.email,
        name=sub.exporter,
        language=sub.language,
        frequency=frequency,
        items=order_items(items),
        count=len(alerts),
        today=ctx.today,
        zone_name=config.zone.name_zh if sub.language == "zh" else config.zone.name,
        unsubscribe_url=ctx.links.unsubscribe(stored.id, sub.email),
        brief_count=len(briefs),
        brief_text="".join(text for text, _ in briefs),
        brief_html=Markup("").join(html for _, html in briefs),
        unlisted=unlisted,
        alerts_url=ctx.links.exporter_alerts(),
        settings_url=ctx.links.exporter_settings(),
    )
    text, html = render_digest(digest)
    # A re-announcement names the level it announces: its key differs from the first email's.
    ids = ",".join(f"{a.id}^{a.effective_level}" if a.id in told else str(a.id) for a in alerts)
    if frequency == "immediate":
        key = f"alert:{ids}:{sub.email}:{stored.id}"
    else:
        batch = hashlib.sha256(ids.encode()).hexdigest()[:12]
        key = f"{frequency}:{period}:{sub.email}:{stored.id}:{batch}"
    title = subject(digest)
    message = build_message(
        sender=config.delivery.sender,
        recipient=sub.email,
        subject=title,
        text=text,
        html=html,
        now=ctx.rt.now(),
        message_key=key,
        unsubscribe_url=digest.unsubscribe_url,
    )
    return Composed(
        stored,
        key,
        "alert" if frequency == "immediate" else frequency,
        title,
        message,
        message_id_for(key, config.delivery.sender),
        tuple((a.id, a.effective_level) for a in alerts if a.id not in told),
        tuple((a.id, told[a.id], a.effective_level) for a in alerts if a.id in told),
    )


def _split(
    ctx: _Context, alerts: Sequence[AlertRow], told: Mapping[int, Level], language: Language, limit: int
) -> tuple[list[AlertRow], list[AlertRow]]:
    """The alerts shown in full and those listed briefly, each gravest first.
    ``limit`` 0: all in full."""
    if not limit or len(alerts) <= limit:
        return list(alerts), []
    ordered = sorted(alerts, key=lambda a: (a.id not in told, ctx.priority(a, language), a.id))
    return ordered[:limit], ordered[limit:]


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


#: Subscriptions composed per chunk: their alerts, notifications and rendered
#: emails are in memory together, so memory stays flat however large the backlog.
SUBSCRIPTION_CHUNK = 200
#: Rendered bytes held before they are written to the outbox.
WRITE_BYTES = 8_000_000


def _relevant(stored: StoredSubscription, frequencies: Sequence[str]) -> bool:
    """Whether a subscription can have anything due for these frequencies."""
    sub = stored.subscription
    digest_frequency = "daily" if sub.frequency == "immediate" else sub.frequency
    return ("immediate" in frequencies and sub.frequency == "immediate") or digest_frequency in frequencies


async def _start(rt: Runtime, frequencies: Sequence[str]) -> tuple[_Context, list[StoredSubscription]]:
    async with rt.db.begin() as conn:
        register = await load_exporters(conn)
        await sync_from_register(conn, register, rt.now())
        subs = [s for s in await load_subscriptions(conn) if _relevant(s, frequencies)]
    exporters = dict(register)
    ctx = _Context(rt, Links.for_runtime(rt), load_nomenclature(), {}, rt.today(), {}, exporters)
    return ctx, subs


async def _load_chunk(
    ctx: _Context, subs: Sequence[StoredSubscription], frequencies: Sequence[str]
) -> tuple[dict[int, list[AlertRow]], set[tuple[int, int]], dict[tuple[int, int], Level]]:
    """The undelivered and the raised alerts of these subscriptions' exporters,
    what was delivered of them, the levels told, and their notifications (added to ``ctx``)."""
    exporter_ids = sorted({s.exporter_id for s in subs})
    # Every minute's run wants only red alerts for immediate contacts.
    levels: tuple[Level, ...] | None = ("red",) if tuple(frequencies) == ("immediate",) else None
    async with ctx.rt.db.begin() as conn:
        alerts = await undelivered_alerts(conn, exporter_ids, levels)
        told = await levels_told(conn, exporter_ids, levels)
        known = {a.id for a in alerts}
        alerts += await load_alerts(conn, sorted({a for a, _ in told} - known))
        # The officials' review: held-back alerts go nowhere, levels set by them win.
        ctx.review = await load_state(conn)
        alerts = shape_alerts(alerts, ctx.review)
        done = await delivered_pairs(conn, [a.id for a in alerts])
        missing = sorted({a.notification_id for a in alerts} - ctx.notifications.keys())
        for start in range(0, len(missing), 500):
            where = notifications_table.c.id.in_(missing[start : start + 500])
            ctx.notifications.update(await load_notifications(conn, where))
        ctx.translations.update(await load_translations(conn, missing))
        ctx.stc.update(await latest_stc_marks(conn, missing))
    by_exporter: dict[int, list[AlertRow]] = defaultdict(list)
    for alert in sorted(alerts, key=lambda a: (a.exporter_id, a.notification_id)):
        by_exporter[alert.exporter_id].append(alert)
    return by_exporter, done, told


def _compose_subscription(
    ctx: _Context,
    stored: StoredSubscription,
    alerts: Sequence[AlertRow],
    done: set[tuple[int, int]],
    told: dict[tuple[int, int], Level],
    frequencies: Sequence[str],
    sectors: dict[str, Sector],
) -> list[Composed]:
    sub = stored.subscription
    raised: dict[int, Level] = {}
    due = []
    for a in alerts:
        if not wants(sub, a, ctx.notifications[a.notification_id], sectors):
            continue
        if (a.id, stored.id) not in done:
            due.append(a)
            continue
        before = told.get((a.id, stored.id))
        if before is not None and level_rank(a.effective_level) < level_rank(before):
            raised[a.id] = before  # risen above what the contact was told: announced again
            due.append(a)
    if not due:
        return []
    now_alone = [a for a in due if sends_now(sub, a)]
    rest = [a for a in due if not sends_now(sub, a)]
    out: list[Composed] = []
    if "immediate" in frequencies:
        out.extend(compose_one(ctx, stored, [a], "immediate", "", raised) for a in now_alone)
    # An immediate contact's less urgent alerts wait for the daily digest.
    digest_frequency = "daily" if sub.frequency == "immediate" else sub.frequency
    if rest and digest_frequency in frequencies:
        period = iso_week(ctx.today) if digest_frequency == "weekly" else ctx.today.isoformat()
        out.append(compose_one(ctx, stored, rest, digest_frequency, period, raised))
    return out


async def plan_chunks(rt: Runtime, frequencies: Sequence[str]) -> AsyncIterator[list[Composed]]:
    """Render the emails due for subscriptions of the given frequencies, a
    bounded chunk of subscriptions at a time (writes nothing)."""
    ctx, subs = await _start(rt, frequencies)
    sectors = {s.key: s for s in await current_sectors(rt)}
    for start in range(0, len(subs), SUBSCRIPTION_CHUNK):
        chunk = subs[start : start + SUBSCRIPTION_CHUNK]
        by_exporter, done, told = await _load_chunk(ctx, chunk, frequencies)
        out: list[Composed] = []
        size = 0
        for stored in chunk:
            alerts = by_exporter.get(stored.exporter_id, [])
            composed = _compose_subscription(ctx, stored, alerts, done, told, frequencies, sectors)
            out += composed
            size += sum(len(c.message) for c in composed)
            if size >= WRITE_BYTES:  # a year's digest can be most of a megabyte
                yield out
                out, size = [], 0
        # Notifications are kept for later chunks (few, shared); alerts are not.
        if out:
            yield out


async def plan(rt: Runtime, frequencies: Sequence[str]) -> list[Composed]:
    """Render the emails due for subscriptions of the given frequencies (writes nothing)."""
    return [c async for chunk in plan_chunks(rt, frequencies) for c in chunk]


def _new_message(c: Composed) -> NewMessage:
    email, exporter_id = c.subscription.subscription.email, c.subscription.exporter_id
    return NewMessage(c.key, email, c.kind, c.subject, c.message, exporter_id, c.message_id)


async def write(rt: Runtime, composed: Sequence[Composed]) -> int:
    """Write rendered emails to the outbox with their deliveries; returns messages queued."""
    queued = 0
    for start in range(0, len(composed), WRITE_BATCH):
        async with rt.db.begin() as conn:
            # The batch's deliveries go in with one statement, in the same
            # transaction as their messages (one per message was a third of writing).
            rows: list[dict[str, Any]] = []
            batch = composed[start : start + WRITE_BATCH]
            stored = await enqueue_many(conn, [_new_message(c) for c in batch], rt.now())
            for c, (outbox_id, created) in zip(batch, stored, strict=True):
                if created:
                    rows += delivery_rows(c.subscription.id, outbox_id, c.alerts, rt.now())
                    if c.raised:
                        await record_raises(conn, c.subscription.id, outbox_id, c.raised, rt.now())
                    queued += 1
            await insert_deliveries(conn, rows)
    return queued


async def compose_digests(rt: Runtime, frequencies: Sequence[str] = ("immediate", "daily")) -> int:
    """Queue the red alerts of ``immediate`` contacts and the daily digests.

    A scheduler can pass ``("immediate",)`` on every run and ``("daily",)``
    once a day. Returns the number of messages queued.
    """
    return await _write_chunks(rt, frequencies)


async def _write_chunks(rt: Runtime, frequencies: Sequence[str]) -> int:
    """Compose and write chunk after chunk; a chunk is written while the next
    is composed (the database works in its own thread, composing in this
    one). A chunk's messages and deliveries commit together, and a chunk
    never holds a subscription that another holds, so what one has not yet
    committed cannot make another send twice."""
    queued = 0
    writing: asyncio.Task[int] | None = None
    try:
        async for chunk in plan_chunks(rt, frequencies):
            if writing is not None:
                queued += await writing
            writing = asyncio.create_task(write(rt, chunk))
        if writing is not None:
            queued += await writing
    finally:
        if writing is not None:
            # Composing failed: the chunk being written is finished, not cut
            # short, and the composing error is the one raised.
            await asyncio.wait([writing])
            if not writing.cancelled():
                writing.exception()
    return queued


async def compose_weekly_digests(rt: Runtime) -> int:
    """Queue the exporters' weekly digests (the caller checks the review)."""
    return await _write_chunks(rt, ("weekly",))
