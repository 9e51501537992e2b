"""Commands for emails: send, outbox, subscriptions, weekly digests."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from warning.cli.base import SubParsers
from warning.exceptions import SubscriptionError
from warning.types import LEVELS, OUTBOX_STATUSES, Subscription

if TYPE_CHECKING:
    from warning.runtime import Runtime


async def send_cmd(args: argparse.Namespace, rt: Runtime) -> int:
    from notifications.compose import compose_digests
    from notifications.deliver import deliver_pending
    from warning.levels.alerting import create_alerts

    pairs = await create_alerts(rt)
    queued = await compose_digests(rt)
    outcome = await deliver_pending(rt)
    print(
        f"{pairs} matches, {queued} queued, {outcome.sent} delivered, {outcome.failed} failed, "
        f"{outcome.deferred} left pending, {outcome.settled} settled after a stop"
    )
    for error in outcome.errors:
        print(f"delivery error: {error}")
    return 0 if outcome.failed == 0 and outcome.deferred == 0 else 1


async def outbox_list(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.outbox import list_messages

    async with rt.db.begin() as conn:
        messages = await list_messages(conn, args.status, limit=args.limit)
    for m in messages:
        error = f" ({m.last_error})" if m.last_error else ""
        print(f"#{m.id} {m.status} {m.kind} {m.recipient} attempts={m.attempts}{error}: {m.subject}")
    print(f"{len(messages)} messages")
    return 0


async def outbox_requeue(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.outbox import list_messages, requeue

    async with rt.db.begin() as conn:
        found = {m.id: m for m in await list_messages(conn) if m.id in set(args.ids)}
        for message_id in args.ids:
            message = found.get(message_id)
            if message is None or message.status not in ("failed", "uncertain"):
                state = message.status if message else "unknown"
                print(f"#{message_id}: {state}, not requeued (only failed or uncertain messages)")
                continue
            await requeue(conn, message_id, f"requeued by hand (was {message.status})")
            print(f"#{message_id}: pending again; tbtwarn send delivers it")
    return 0


async def subscriptions_list(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.exporters import load_exporters
    from warning.storage.subscriptions import load_subscriptions, sync_from_register

    async with rt.db.begin() as conn:
        await sync_from_register(conn, await load_exporters(conn), rt.now())
        subs = await load_subscriptions(conn, active_only=False, email=args.email)
    for s in subs:
        sub = s.subscription
        state = "active" if s.active else "unsubscribed"
        own = " (own choices)" if s.customised else ""
        print(
            f"#{s.id} {sub.email} [{sub.exporter}] {state}{own}: {sub.frequency}, {sub.language}, "
            f"level >= {sub.min_level}, markets {','.join(sub.markets)}, "
            f"hs {','.join(sub.hs_prefixes) or '-'}, sectors {','.join(sub.sectors) or '-'}"
        )
    print(f"{len(subs)} subscriptions")
    return 0


def _changes(args: argparse.Namespace, sub: Subscription, sector_keys: set[str]) -> Subscription:
    """The subscription with the options given on the command line.

    Raises:
        SubscriptionError: an unknown sector or a malformed HS prefix.
    """
    from notifications.subscriptions import changed_subscription

    return changed_subscription(
        sub,
        sector_keys,
        sectors=args.sectors,
        hs=args.hs,
        markets=args.markets,
        min_level=args.min_level,
        frequency=args.frequency,
        language=args.language,
    )


async def subscriptions_set(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.mapping.mappings import current_sectors
    from warning.storage.exporters import load_exporters
    from warning.storage.subscriptions import load_subscriptions, save_choices, sync_from_register

    sector_keys = {s.key for s in await current_sectors(rt)}
    async with rt.db.begin() as conn:
        await sync_from_register(conn, await load_exporters(conn), rt.now())
        subs = await load_subscriptions(conn, active_only=False, email=args.email)
        if args.exporter:
            subs = [s for s in subs if s.subscription.exporter == args.exporter]
        if not subs:
            raise SubscriptionError(
                f"no subscription for {args.email}" + (f" at {args.exporter}" if args.exporter else "")
            )
        for stored in subs:
            new = _changes(args, stored.subscription, sector_keys)
            active = stored.active if args.active is None else args.active
            await save_choices(conn, stored, new, rt.now(), active=active)
    print(f"updated {len(subs)} subscription(s) of {args.email}")
    return 0


async def digest_weekly(args: argparse.Namespace, rt: Runtime) -> int:
    from notifications.compose import iso_week
    from notifications.officials import compose_officials_digest, render_report, weekly_report

    week = args.week or iso_week(rt.today())
    if args.preview:
        _, text, _ = render_report(await weekly_report(rt, week, args.language))
        sys.stdout.write(text)
        return 0
    officials = await compose_officials_digest(rt, week)
    print(f"weekly digest {week}: {officials} officials' messages queued")
    return await _exporters_weekly(rt, week)


async def _exporters_weekly(rt: Runtime, week: str) -> int:
    from notifications.compose import compose_weekly_digests
    from warning.storage.reviews import get_review

    if rt.config.digest.review_required:
        async with rt.db.begin() as conn:
            review = await get_review(conn, week)
        if review is None or review.status != "approved":
            print(
                f"exporters' weekly digests wait for approval: tbtwarn digest approve --week {week} --by NAME"
            )
            return 0
    queued = await compose_weekly_digests(rt)
    print(f"{queued} exporters' weekly digests queued; tbtwarn send delivers them")
    return 0


async def digest_approve(args: argparse.Namespace, rt: Runtime) -> int:
    from notifications.compose import iso_week
    from warning.storage.reviews import approve

    week = args.week or iso_week(rt.today())
    async with rt.db.begin() as conn:
        review = await approve(conn, week, args.by, rt.now())
    assert review.approved_at is not None
    print(f"weekly digest {week} approved by {review.approved_by} at {review.approved_at.isoformat()}")
    return await _exporters_weekly(rt, week)


def register(sub: SubParsers) -> None:
    p = sub.add_parser("send", help="match, compose immediate and daily emails, deliver the outbox")
    p.set_defaults(handler=send_cmd)

    p = sub.add_parser("outbox", help="the email outbox")
    what = p.add_subparsers(dest="what", required=True, metavar="ACTION")
    o = what.add_parser("list", help="list messages")
    o.add_argument("--status", choices=OUTBOX_STATUSES)
    o.add_argument("--limit", type=int, default=None)
    o.set_defaults(handler=outbox_list)
    o = what.add_parser("requeue", help="send failed or uncertain messages again")
    o.add_argument("ids", type=int, nargs="+", metavar="ID")
    o.set_defaults(handler=outbox_requeue)

    p = sub.add_parser("subscriptions", help="what each exporter contact receives")
    what = p.add_subparsers(dest="what", required=True, metavar="ACTION")
    s = what.add_parser("list", help="list subscriptions (created from the export register)")
    s.add_argument("--email")
    s.set_defaults(handler=subscriptions_list)
    s = what.add_parser("set", help="change a contact's subscription (kept across register imports)")
    s.add_argument("email")
    s.add_argument("--exporter", help="only the subscription for this exporter (by name)")
    s.add_argument("--sectors", help="comma-separated sector keys (empty string: none)")
    s.add_argument("--hs", help="comma-separated HS prefixes (empty string: none)")
    s.add_argument("--markets", help="comma-separated member codes, or *")
    s.add_argument("--min-level", dest="min_level", choices=LEVELS)
    s.add_argument("--frequency", choices=("immediate", "daily", "weekly"))
    s.add_argument("--language", choices=("zh", "en"))
    s.add_argument("--active", dest="active", action="store_true", default=None)
    s.add_argument("--unsubscribe", dest="active", action="store_false")
    s.set_defaults(handler=subscriptions_set)

    p = sub.add_parser("digest", help="weekly digests")
    what = p.add_subparsers(dest="what", required=True, metavar="ACTION")
    w = what.add_parser("weekly", help="queue the officials' weekly digest (and exporters' if approved)")
    w.add_argument("--week", help="ISO week YYYY-Www (default: this week)")
    w.add_argument("--preview", action="store_true", help="print the officials' digest, queue nothing")
    w.add_argument(
        "--language",
        choices=("zh", "en"),
        default="zh",
        help="of the --preview (emails go in each official's)",
    )
    w.set_defaults(handler=digest_weekly)
    a = what.add_parser("approve", help="approve a week's digest: exporters' weekly digests go out")
    a.add_argument("--week", help="ISO week YYYY-Www (default: this week)")
    a.add_argument("--by", required=True, help="who approves")
    a.set_defaults(handler=digest_approve)
