"""Rendering pages: one jinja2 environment, autoescaped everywhere, and the shared context."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined

from warning.symbols import reference
from warning.translation.display import label as translation_label
from warning.types import Role
from warning.web.i18n import LEVEL_NAMES, translate, zone_name
from warning.web.security import LANG_KEY, SESSION_KEY, Session, current_user
from warning.web.summary_rows import summary_rows


@dataclass(frozen=True)
class NavItem:
    """An entry of the top navigation, shown to users holding one of ``roles``."""

    path: str
    #: Catalogue key of its label.
    label: str
    roles: tuple[Role, ...]


NAV_KEY: Final = web.AppKey("nav", list[NavItem])


@cache
def environment() -> Environment:
    """The jinja2 environment of the web app; autoescape is on for every template."""
    env = Environment(
        loader=PackageLoader("warning.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    env.filters["isoweek"] = lambda d: "{}-W{:02d}".format(*d.isocalendar()[:2]) if d else ""
    env.globals["summary_rows"] = summary_rows
    env.filters["reference"] = reference  # a stored key as people read it
    env.filters["isotime"] = lambda t: t.strftime("%Y-%m-%d %H:%M") + " UTC" if t else ""
    return env


def language(request: web.Request) -> str:
    lang: str = request.get(LANG_KEY, "en")
    return lang


def base_context(request: web.Request) -> dict[str, Any]:
    """What every page's layout needs: the user, the language, the CSRF token, the navigation."""
    lang = language(request)
    user = current_user(request)
    session: Session | None = request.get(SESSION_KEY)
    nav = [item for item in request.app[NAV_KEY] if user is not None and user.may(*item.roles)]

    def t(key: str, **values: object) -> str:
        return translate(lang, key, **values)

    def level_name(level: str | None) -> str:
        return LEVEL_NAMES[lang].get(level or "", "") or t("no_level")

    return {
        "lang": lang,
        "t": t,
        "level_name": level_name,
        "level_names": LEVEL_NAMES[lang],
        "zone_name": lambda tz: zone_name(tz, lang),
        "translation_label": lambda status: translation_label(status, lang),
        "user": user,
        "exporter_email": session.exporter_email if session else None,
        "csrf_token": session.csrf if session else "",
        "nav": nav,
        "path": request.path,
        "path_qs": request.path_qs,
    }


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """Render ``template`` with the shared context plus ``context`` as an HTML response."""
    html = environment().get_template(template).render(base_context(request) | context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def see_other(location: str) -> web.Response:
    """A 303 redirect: after a POST, the browser follows it with a GET."""
    return web.Response(status=303, headers={"Location": location})
