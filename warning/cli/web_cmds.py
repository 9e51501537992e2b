"""Commands of the web app: serve, staff users, exporter feed links."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from typing import TYPE_CHECKING, cast

from warning.cli.base import SubParsers
from warning.cli.staff_cmds import add_account_actions
from warning.clock import demo_clock_note
from warning.service import early_stop
from warning.types import ROLES, Role

if TYPE_CHECKING:
    from warning.runtime import Runtime


async def _start_workers(args: argparse.Namespace) -> list[asyncio.subprocess.Process]:
    """Extra server processes sharing the port (SO_REUSEPORT: the kernel spreads connections)."""
    command = [sys.executable, "-m", "warning.cli.main", "--config", str(args.config), "serve"]
    command += ["--host", args.host, "--port", str(args.port), "--worker"]
    return [await asyncio.create_subprocess_exec(*command) for _ in range(args.workers - 1)]


async def serve(args: argparse.Namespace, rt: Runtime) -> int:
    """Run the web app until interrupted (SIGINT or SIGTERM), with ``--workers`` processes."""
    from aiohttp import web

    from warning.web.app import create_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if early_stop.requested():  # a SIGTERM while the process was starting
        stop.set()
    shared = args.workers > 1 or args.worker
    runner = web.AppRunner(create_app(rt), access_log=None)
    await runner.setup()
    workers: list[asyncio.subprocess.Process] = []
    try:
        await web.TCPSite(runner, args.host, args.port, reuse_port=shared or None).start()
        if not args.worker:
            workers = await _start_workers(args)
            note = demo_clock_note(rt.config.demo.now, rt.config.zone.timezone)
            if note:
                print(note, flush=True)
            print(
                f"tbtwarn web app on http://{args.host}:{args.port}/ ({args.workers} process(es))", flush=True
            )
        await stop.wait()
    finally:
        for worker in workers:
            worker.terminate()
            await worker.wait()
        await runner.cleanup()
    return 0


def _password(args: argparse.Namespace) -> str | None:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            print(f"tbtwarn: environment variable {args.password_env} is not set", file=sys.stderr)
            return None
        return value
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        print("tbtwarn: the passwords differ", file=sys.stderr)
        return None
    return first


async def users_add(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.users import InvalidEmailError, UserExistsError, add_user, check_email
    from warning.web.security import hash_password

    try:  # before asking for a password
        check_email(args.email)
    except InvalidEmailError as exc:
        print(f"tbtwarn users add: {exc}", file=sys.stderr)
        return 2
    password = _password(args)
    if password is None:
        return 1
    try:
        hashed = await asyncio.to_thread(hash_password, password)
        async with rt.db.begin() as conn:
            user = await add_user(conn, args.email, hashed, cast(Role, args.role), rt.now())
    except (UserExistsError, ValueError) as exc:
        print(f"tbtwarn: {exc}", file=sys.stderr)
        return 1
    print(f"added {user.email} ({user.role})")
    return 0


async def users_list(args: argparse.Namespace, rt: Runtime) -> int:
    from warning.storage.staff_accounts import staff_languages
    from warning.storage.users import list_users

    async with rt.db.begin() as conn:
        users = await list_users(conn)
        languages = await staff_languages(conn)
    for user in users:
        last = user.last_login_at.isoformat() if user.last_login_at else "never signed in"
        print(f"{user.email}\t{user.role}\t{languages.get(user.email, 'zh')}\t{last}")
    print(f"{len(users)} staff accounts")
    return 0


async def feed_url(args: argparse.Namespace, rt: Runtime) -> int:
    """Print the signed Atom feed URL of an exporter."""
    from warning.storage.overview import exporter_id_by_name
    from warning.tokens import service_signer
    from warning.web.feeds import exporter_feed_path, exporter_feed_token

    async with rt.db.begin() as conn:
        exporter_id = await exporter_id_by_name(conn, args.exporter)
    if exporter_id is None:
        print(f"tbtwarn: no exporter named {args.exporter!r}", file=sys.stderr)
        return 1
    signer = service_signer(rt.config.base_dir / "var", rt.now())
    token = exporter_feed_token(signer, exporter_id, rt.now(), rt.config.web.feed_token_days)
    print(rt.config.zone.base_url.rstrip("/") + exporter_feed_path(token))
    return 0


def register(sub: SubParsers) -> None:
    p = sub.add_parser("serve", help="run the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--workers", type=int, default=1, help="server processes sharing the port (Linux)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)  # a child of --workers
    p.set_defaults(handler=serve, graceful_stop=True)

    p = sub.add_parser("users", help="staff accounts of the web app")
    what = p.add_subparsers(dest="what", required=True, metavar="ACTION")
    a = what.add_parser("add", help="add a staff account")
    a.add_argument("email")
    a.add_argument("--role", choices=ROLES, required=True)
    a.add_argument("--password-env", metavar="VAR", help="read the password from this variable")
    a.set_defaults(handler=users_add)
    what.add_parser("list", help="list staff accounts").set_defaults(handler=users_list)
    add_account_actions(what)  # disable, enable, role, reset-password, remove (issue 18)

    p = sub.add_parser("feed-url", help="print an exporter's signed Atom feed URL")
    p.add_argument("exporter", help="the exporter's name as in the register")
    p.set_defaults(handler=feed_url)
