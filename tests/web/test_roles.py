"""Every route checks its role: anonymous visitors go to /login, wrong roles get 403."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.web.conftest import SignIn
from warning.types import Role

Client = TestClient[web.Request, web.Application]

#: Every guarded GET route (with a sample path) and the roles that may see it; admin may see all.
GUARDED: dict[str, tuple[str, set[Role]]] = {
    "/dashboard": ("/dashboard", {"official"}),
    "/notifications": ("/notifications", {"official", "analyst"}),
    "/notifications/{id}": ("/notifications/1", {"official", "analyst"}),
    "/ops/sources": ("/ops/sources", {"admin"}),
    "/ops/quarantine": ("/ops/quarantine", {"admin"}),
    "/ops/outbox": ("/ops/outbox", {"admin"}),
    "/api/notifications": ("/api/notifications", {"official", "analyst"}),
    "/api/notifications/{id}": ("/api/notifications/1", {"official", "analyst"}),
    "/api/alerts": ("/api/alerts", {"official", "analyst"}),
    "/calendar.ics": ("/calendar.ics", {"official", "analyst"}),
    "/digest": ("/digest", {"official"}),
    "/digest/chart.png": ("/digest/chart.png", {"official"}),
    "/review/email": ("/review/email?exporter=1&lang=en", {"official"}),
    "/review/email.html": ("/review/email.html?subscription=1&lang=zh", {"official"}),
    "/admin/users": ("/admin/users", {"admin"}),
    "/admin/tokens": ("/admin/tokens", {"admin"}),
    "/reports": ("/reports", {"official"}),
    "/analyst/rules": ("/analyst/rules", {"analyst"}),
    "/analyst/evaluation": ("/analyst/evaluation", {"analyst"}),
    "/analyst/feedback": ("/analyst/feedback", {"analyst"}),
    "/analyst/reclassify": ("/analyst/reclassify", {"analyst"}),  # POST too (starts it)
    "/analyst/mappings": ("/analyst/mappings", {"analyst"}),
    "/applications": ("/applications", {"official"}),
    "/applications/{id}": ("/applications/1", {"official"}),
    "/responses/attachments/{id}": ("/responses/attachments/1", {"official", "analyst"}),
    "/responses": ("/responses", {"official", "analyst"}),
}
#: Guarded routes of the fixture's response file #1 (issue 19: one concern, no draft
#: yet): (method, sample path, roles, what an allowed role gets with an empty form).
GUARDED_RESPONSES: dict[str, tuple[str, str, set[Role], int]] = {
    "/responses/{id}": ("GET", "/responses/1", {"official", "analyst"}, 200),
    "/responses/{id}/comment-v{version}.docx": (
        "GET",
        "/responses/1/comment-v1.docx",
        {"official", "analyst"},
        404,
    ),
    "/responses/{id}/companies.xlsx": ("GET", "/responses/1/companies.xlsx", {"official", "analyst"}, 200),
    "/responses/{id}/documents/{file}": ("GET", "/responses/1/documents/1", {"official", "analyst"}, 404),
    "/responses/{id}/export.zip": ("GET", "/responses/1/export.zip", {"official", "analyst"}, 200),
    "/responses/{id}/assign": ("POST", "/responses/1/assign", {"official", "analyst"}, 400),
    "/responses/{id}/draft": ("POST", "/responses/1/draft", {"official", "analyst"}, 400),
    "/responses/{id}/approve": ("POST", "/responses/1/approve", {"official"}, 409),  # no draft yet
    "/responses/{id}/full-text": (
        "POST",
        "/responses/1/full-text",
        {"official", "analyst"},
        303,
    ),  # none to send
    "/responses/{id}/close": ("POST", "/responses/1/close", {"official", "analyst"}, 400),
    "/responses/{id}/reopen": ("POST", "/responses/1/reopen", {"official", "analyst"}, 409),  # not closed
    "/responses/{id}/answer": ("POST", "/responses/1/answer", {"official", "analyst"}, 400),
    "/responses/{id}/stc": ("POST", "/responses/1/stc", {"official", "analyst"}, 400),
}
#: Guarded POST-only routes; posted with a bad week or an empty form, an allowed role gets 400.
GUARDED_POST: dict[str, tuple[str, set[Role]]] = {
    "/digest/approve": ("/digest/approve", {"official"}),
    "/digest/send": ("/digest/send", {"official"}),
    "/review/change": ("/review/change", {"official"}),
    "/admin/users": ("/admin/users", {"admin"}),
    "/admin/tokens": ("/admin/tokens", {"admin"}),
    "/admin/tokens/revoke": ("/admin/tokens/revoke", {"admin"}),
    "/analyst/rules/preview": ("/analyst/rules/preview", {"analyst"}),
    "/analyst/rules/save": ("/analyst/rules/save", {"analyst"}),
    "/analyst/mappings/ics/preview": ("/analyst/mappings/ics/preview", {"analyst"}),
    "/analyst/mappings/ics/save": ("/analyst/mappings/ics/save", {"analyst"}),
    "/analyst/mappings/sectors/preview": ("/analyst/mappings/sectors/preview", {"analyst"}),
    "/analyst/mappings/sectors/save": ("/analyst/mappings/sectors/save", {"analyst"}),
    "/applications/{id}/decide": ("/applications/1/decide", {"official"}),
    "/notifications/{id}/translations": ("/notifications/1/translations", {"official", "analyst"}),
}
#: Routes for a signed-in exporter contact only (``require_exporter``), with a sample path and method.
EXPORTER_ONLY: dict[str, tuple[str, str]] = {
    "/exporter": ("GET", "/exporter"),
    "/exporter/alerts": ("GET", "/exporter/alerts"),
    "/exporter/subscriptions/{id}": ("POST", "/exporter/subscriptions/1"),
    "/exporter/alerts/{id}/feedback": ("POST", "/exporter/alerts/1/feedback"),
}
#: Routes open to anyone, each for a stated reason.
PUBLIC = {
    "/",  # redirects to /login or the user's home page
    "/login",
    "/logout",  # POST, CSRF-checked; signing out needs no role
    "/lang",  # POST, CSRF-checked; anyone may switch language
    "/api/openapi.json",  # describes the API, holds no data
    "/feeds/exporter/{token}.atom",  # the signed token is the credential
    "/feedback",  # email link: the signed token is the credential
    "/unsubscribe",  # email link (GET confirms, POST is RFC 8058 one-click): the signed token
    "/exporter/login",  # asks for an email and sends a sign-in link
    "/exporter/signin",  # the signed, expiring link is the credential
    "/exporter/logout",  # POST, CSRF-checked
    "/exporter/apply",  # sign-up: anyone may apply (rate-limited, honeypot, verified by email)
    "/exporter/apply/verify",  # email link: the signed, single-use token is the credential
    "/exporter/apply/edit",  # email link: the signed, single-use token is the credential
    "/pickers/products",  # HS nomenclature look-up for the sign-up form, holds no data
    "/pickers/markets",  # WTO members look-up for the sign-up form, holds no data
    # Its signed, expiring link is the credential; without one, a signed-in contact only
    # (anyone else goes to /exporter/login), and only notifications that alerted them.
    "/exporter/notifications/{id}",
    # Issue 19, the same credential as the notification page (its token, else a signed-in
    # contact): a concern or full-text request only for the contact's companies the measure
    # alerted; "My concerns" shows only the contact's companies' (tests/web/test_concern_pages.py).
    "/exporter/notifications/{id}/concern",
    "/exporter/notifications/{id}/full-text",
    "/exporter/concerns",
}


def test_every_route_is_guarded_or_deliberately_public(web_app: web.Application) -> None:
    seen: set[str] = set()
    for route in web_app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("formatter") or info.get("path") or info.get("prefix")
        if path == "/static" or route.method == "HEAD":
            continue
        seen.add(path)
        roles = getattr(route.handler, "required_roles", None)
        exporter_only = getattr(route.handler, "exporter_only", False)
        if path in PUBLIC:
            assert roles is None and not exporter_only, f"{path} is listed as public but checks roles"
        elif path in EXPORTER_ONLY:
            assert exporter_only and roles is None, path
        else:
            staff = GUARDED | GUARDED_POST | {k: (v[1], v[2]) for k, v in GUARDED_RESPONSES.items()}
            assert path in staff, f"route {path} is neither guarded in this test nor public"
            assert roles, f"{path} checks no role"
            assert set(roles) <= staff[path][1] | {"official", "analyst"}, path
    assert seen == set(GUARDED) | set(GUARDED_POST) | set(GUARDED_RESPONSES) | set(EXPORTER_ONLY) | PUBLIC


@pytest.mark.parametrize("role", ["official", "analyst", "admin", "anonymous"])
async def test_response_file_routes_check_the_role_first(client: Client, sign_in: SignIn, role: str) -> None:
    csrf = await (sign_in.anonymous(client) if role == "anonymous" else sign_in(client, role))
    for route, (method, path, allowed, status) in GUARDED_RESPONSES.items():
        data = {"csrf_token": csrf} if method == "POST" else None
        response = await client.request(method, path, data=data, allow_redirects=False)
        expected = 303 if role == "anonymous" else status if role == "admin" or role in allowed else 403
        assert response.status == expected, (role, route, response.status)


@pytest.mark.parametrize("route", sorted(GUARDED))
async def test_anonymous_is_sent_to_login_or_refused(client: Client, route: str) -> None:
    path = GUARDED[route][0]
    response = await client.get(path, allow_redirects=False)
    if path.startswith("/api/"):
        assert response.status == 401
        assert (await response.json())["error"]
    else:
        assert response.status == 303
        location = urlparse(response.headers["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize("role", ["official", "analyst", "admin"])
async def test_each_role_sees_exactly_its_pages(client: Client, sign_in: SignIn, role: Role) -> None:
    await sign_in(client, role)
    for route, (path, allowed) in GUARDED.items():
        response = await client.get(path, allow_redirects=False)
        expected = 200 if role == "admin" or role in allowed else 403
        assert response.status == expected, (role, route, response.status)


async def test_navigation_shows_only_allowed_pages(client: Client, sign_in: SignIn) -> None:
    await sign_in(client, "analyst")
    html = await (await client.get("/notifications")).text()
    assert 'href="/notifications"' in html
    assert 'href="/dashboard"' not in html and 'href="/ops/sources"' not in html


@pytest.mark.parametrize("role", ["official", "analyst", "admin"])
async def test_each_role_may_post_exactly_its_actions(client: Client, sign_in: SignIn, role: Role) -> None:
    csrf = await sign_in(client, role)
    for route, (path, allowed) in GUARDED_POST.items():
        response = await client.post(
            path, data={"csrf_token": csrf, "week": "no-week"}, allow_redirects=False
        )
        expected = 400 if role == "admin" or role in allowed else 403
        assert response.status == expected, (role, route, response.status)


async def test_anonymous_posts_go_to_login(client: Client, sign_in: SignIn) -> None:
    csrf = await sign_in.anonymous(client)
    for path, _ in GUARDED_POST.values():
        response = await client.post(path, data={"csrf_token": csrf}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login"), path


@pytest.mark.parametrize("who", ["anonymous", "official", "admin"])
async def test_exporter_pages_refuse_everyone_else(client: Client, sign_in: SignIn, who: str) -> None:
    csrf = await (sign_in.anonymous(client) if who == "anonymous" else sign_in(client, who))
    for method, path in EXPORTER_ONLY.values():
        data = {"csrf_token": csrf, "relevant": "1"}
        response = await client.request(method, path, data=data, allow_redirects=False)
        assert response.status == 303, (who, path, response.status)
        assert response.headers["Location"].split("?next=")[0] == "/exporter/login"


async def test_an_exporter_session_reaches_no_staff_page(client: Client, sign_in: SignIn) -> None:
    csrf = await sign_in.exporter(client, "zhang@example.cn")
    assert (await client.get("/exporter", allow_redirects=False)).status == 200
    for path, _ in GUARDED.values():
        response = await client.get(path, allow_redirects=False)
        assert response.status in (303, 401), path
    for path, _ in GUARDED_POST.values():
        response = await client.post(path, data={"csrf_token": csrf}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login"), path
