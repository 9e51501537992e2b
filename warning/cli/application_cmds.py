"""Commands for sign-up applications: list, approve, ask for changes, reject."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warning.cli.base import SubParsers, command_group

if TYPE_CHECKING:
    from warning.runtime import Runtime
    from warning.types import ApplicationStatus

# The handlers import what they use: `tbtwarn --help` loads no database layer.
STATUSES: tuple[ApplicationStatus, ...] = ("unverified", "verified", "changes", "approved", "rejected")


async def applications_list(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.applications import events_of, list_applications

    chosen = args.status or "verified"
    statuses = None if chosen == "all" else [s for s in STATUSES if s == chosen]
    async with rt.db.begin() as conn:
        found = await list_applications(conn, statuses)
        for s in found:
            a = s.application
            print(
                f"#{s.id} {s.status}: {a.company_zh}"
                + (f" / {a.company_en}" if a.company_en else "")
                + f" {a.credit_code} {a.email} hs={','.join(a.hs_codes)} markets={','.join(a.markets)}"
            )
            if args.history:
                for e in await events_of(conn, s.id):
                    print(f"    {e.at.isoformat()} {e.actor} {e.action}" + (f": {e.note}" if e.note else ""))
    print(f"{len(found)} applications")
    return 0


async def _deliver(rt: Runtime) -> None:
    from notifications.deliver import deliver_pending

    outcome = await deliver_pending(rt)
    print(f"emails: {outcome.sent} delivered, {outcome.failed} failed")


async def applications_approve(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.signup.applications import approve

    outcome = await approve(rt, args.id, args.by, args.note or "")
    how = "joined existing exporter" if outcome.joined_existing else "new exporter"
    print(f"application #{args.id} approved: {how} {outcome.exporter_name} (#{outcome.exporter_id})")
    await _deliver(rt)
    return 0


async def applications_changes(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.signup.applications import request_changes
    from warning.tokens import service_signer

    signer = service_signer(rt.config.base_dir / "var", rt.now())
    await request_changes(rt, signer, args.id, args.by, args.note)
    print(f"application #{args.id} sent back to the applicant for changes")
    await _deliver(rt)
    return 0


async def applications_reject(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.signup.applications import reject

    await reject(rt, args.id, args.by, args.reason)
    print(f"application #{args.id} rejected; the applicant is told why")
    await _deliver(rt)
    return 0


def register(sub: SubParsers) -> None:
    what = command_group(sub, "applications", "exporters' sign-up applications", metavar="ACTION")
    p = what.add_parser("list", help="applications waiting for a decision (or in another state)")
    p.add_argument("--status", choices=(*STATUSES, "all"), help="default: verified (waiting for a decision)")
    p.add_argument("--history", action="store_true", help="each application's steps: who, when, why")
    p.set_defaults(handler=applications_list)
    p = what.add_parser("approve", help="add the company to the register (or the contact to its exporter)")
    p.add_argument("id", type=int)
    p.add_argument("--by", required=True, help="the official deciding (recorded)")
    p.add_argument("--note", help="why (recorded)")
    p.set_defaults(handler=applications_approve)
    p = what.add_parser("changes", help="send the application back with a note and an edit link")
    p.add_argument("id", type=int)
    p.add_argument("--by", required=True, help="the official deciding (recorded)")
    p.add_argument("--note", required=True, help="what to change (emailed to the applicant)")
    p.set_defaults(handler=applications_changes)
    p = what.add_parser("reject", help="reject the application; the applicant is emailed the reason")
    p.add_argument("id", type=int)
    p.add_argument("--by", required=True, help="the official deciding (recorded)")
    p.add_argument("--reason", required=True, help="why (emailed to the applicant)")
    p.set_defaults(handler=applications_reject)
