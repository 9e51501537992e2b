"""``tbtwarn users disable|enable|role|reset-password|remove|language``: managing
staff accounts (each change is audited; all but ``language`` end the account's sessions)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from warning.types import ROLES

if TYPE_CHECKING:
    from warning.runtime import Runtime

# The handlers import the storage layer themselves: `tbtwarn --help` loads no database layer.
Change = Callable[[argparse.Namespace, "Runtime"], Awaitable[str]]


def _by(args: argparse.Namespace) -> str:
    return str(args.by or f"cli:{getpass.getuser()}")


async def _disable(args: argparse.Namespace, rt: Runtime) -> str:
    from warning.storage import staff_accounts

    async with rt.db.begin() as conn:
        await staff_accounts.disable(conn, args.email, _by(args), rt.now())
    return f"disabled {args.email}; its sessions are ended"


async def _enable(args: argparse.Namespace, rt: Runtime) -> str:
    from warning.storage import staff_accounts

    async with rt.db.begin() as conn:
        await staff_accounts.enable(conn, args.email, _by(args), rt.now())
    return f"enabled {args.email}"


async def _role(args: argparse.Namespace, rt: Runtime) -> str:
    from warning.storage import staff_accounts

    async with rt.db.begin() as conn:
        user = await staff_accounts.set_role(conn, args.email, args.role, _by(args), rt.now())
    return f"{user.email} is now {user.role}; its sessions are ended"


def _new_password(args: argparse.Namespace) -> str:
    from warning.storage.staff_accounts import AccountError

    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            raise AccountError(f"environment variable {args.password_env} is not set")
        return value
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("New password again: "):
        raise AccountError("the passwords differ")
    return first


async def _reset(args: argparse.Namespace, rt: Runtime) -> str:
    from warning.storage import staff_accounts
    from warning.web.security import hash_password

    hashed = await asyncio.to_thread(hash_password, _new_password(args))
    async with rt.db.begin() as conn:
        await staff_accounts.reset_password(conn, args.email, hashed, _by(args), rt.now())
    return f"password of {args.email} reset; its sessions are ended"


async def _remove(args: argparse.Namespace, rt: Runtime) -> str:
    from warning.storage import staff_accounts

    async with rt.db.begin() as conn:
        await staff_accounts.remove(conn, args.email, _by(args), rt.now())
    return f"removed {args.email}"


async def _language(args: argparse.Namespace, rt: Runtime) -> str:
    from warning.storage import staff_accounts

    async with rt.db.begin() as conn:
        user = await staff_accounts.set_language(conn, args.email, args.language, _by(args), rt.now())
    return f"{user.email} now gets emails in {args.language}"


def _run(change: Change) -> Callable[[argparse.Namespace, Runtime], Awaitable[int]]:
    async def handler(args: argparse.Namespace, rt: Runtime) -> int:
        from warning.storage.staff_accounts import AccountError

        try:
            print(await change(args, rt))
        except (AccountError, ValueError) as exc:
            print(f"tbtwarn: {exc}", file=sys.stderr)
            return 1
        return 0

    return handler


def add_account_actions(what: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The account-changing actions under ``tbtwarn users``."""
    for name, change, text in (
        ("disable", _disable, "disable an account (its sessions end at once)"),
        ("enable", _enable, "enable a disabled account"),
        ("role", _role, "change an account's role"),
        ("reset-password", _reset, "set a new password"),
        ("remove", _remove, "remove an account (never the last admin)"),
        ("language", _language, "the language of an official's emails (zh or en; zh by default)"),
    ):
        p = what.add_parser(name, help=text)
        p.add_argument("email")
        if name == "role":
            p.add_argument("role", choices=ROLES)
        if name == "language":
            p.add_argument("language", choices=("zh", "en"))
        if name == "reset-password":
            p.add_argument("--password-env", metavar="VAR", help="read the new password from this variable")
        p.add_argument("--by", help="who makes the change, for the audit (default: cli:<login name>)")
        p.set_defaults(handler=_run(change))
