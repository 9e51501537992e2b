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
}
#: Routes open to anyone, each for a stated reason.
PUBLIC = {
    "/",  # redirects to /login or the user's home page
    "/login",
    "/logout",  # POST, CSRF-checked; signing out needs no role
    "/lang",  # POST, CSRF-checked; anyone may switch language
    "/api/openapi.json",  # describes the API, holds no data
    "/feeds/exporter/{token}.atom",  # the signed token is the credential
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
        if path in PUBLIC:
            assert roles is None, f"{path} is listed as public but checks roles"
        else:
            assert path in GUARDED, f"route {path} is neither guarded in this test nor public"
            assert set(roles or ()) <= GUARDED[path][1] | {"official", "analyst"}, path
    assert seen == set(GUARDED) | PUBLIC


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
