"""``/admin/users``: staff accounts for admins: disable, enable, change role,
reset the password, remove (each ending the account's sessions at once), set
the language of the official's emails; every change is audited (the audit is
listed below the accounts)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from aiohttp import web

from warning.storage import staff_accounts
from warning.storage.staff_accounts import STAFF_LANGUAGES, AccountError, disabled_ids, staff_languages
from warning.storage.staff_audit import audit_log
from warning.storage.users import list_users
from warning.types import ROLES
from warning.web.i18n import translate
from warning.web.keys import RUNTIME
from warning.web.security import current_user, hash_password, require_role
from warning.web.templating import NavItem, language, render, see_other

routes = web.RouteTableDef()
NAV = [NavItem("/admin/users", "nav_users", ("admin",))]
ACTIONS = ("disable", "enable", "role", "reset-password", "remove", "language")


@routes.get("/admin/users")
@require_role("admin")
async def users_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        users = await list_users(conn)
        disabled = await disabled_ids(conn)
        languages = await staff_languages(conn)
        log = await audit_log(conn)
    return render(
        request,
        "admin_users.html",
        users=users,
        disabled=disabled,
        log=log,
        roles=ROLES,
        languages=languages,
        # The names of the languages an official's emails can be in, in the reader's language.
        language_names={code: translate(language(request), f"language_{code}") for code in STAFF_LANGUAGES},
        done=request.query.get("done"),
        error=request.query.get("error"),
    )


async def _change(request: web.Request, action: str, email: str, form: dict[str, str]) -> None:
    rt = request.app[RUNTIME]
    user = current_user(request)
    assert user is not None
    by, now = user.email, rt.now()
    hashed = ""
    if action == "reset-password":
        hashed = await asyncio.to_thread(hash_password, form.get("password", ""))
    async with rt.db.begin() as conn:
        if action == "disable":
            await staff_accounts.disable(conn, email, by, now)
        elif action == "enable":
            await staff_accounts.enable(conn, email, by, now)
        elif action == "role":
            await staff_accounts.set_role(conn, email, form.get("role", ""), by, now)
        elif action == "reset-password":
            await staff_accounts.reset_password(conn, email, hashed, by, now)
        elif action == "language":
            await staff_accounts.set_language(conn, email, form.get("language", ""), by, now)
        else:
            await staff_accounts.remove(conn, email, by, now)


@routes.post("/admin/users")
@require_role("admin")
async def change_user(request: web.Request) -> web.Response:
    """One account change from the page's forms; back to the page with its outcome."""
    posted = await request.post()
    form = {k: str(v) for k, v in posted.items() if isinstance(v, str)}
    action, email = form.get("action", ""), form.get("email", "")
    if action not in ACTIONS:
        raise web.HTTPBadRequest(reason=f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    try:
        await _change(request, action, email, form)
    except (AccountError, ValueError) as exc:
        return see_other(f"/admin/users?error={quote(str(exc))}")
    return see_other(f"/admin/users?done={quote(action + ':' + email)}")
