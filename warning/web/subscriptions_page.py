"""An exporter contact's subscriptions page (``/exporter``): pickers, levels, frequency, preview.

Each subscription is one form with the sectors, the product and market
pickers (chips; "find" posts the form back and lists matches, or the
picker script shows them as one types), the minimum level, the frequency
and the language. "Preview" shows the alerts these settings would have
brought in the last 90 days, storing nothing; "Save" stores them. Every bad
value is named in the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from notifications.subscriptions import changed_subscription
from warning.review.surfaces import warning_shaper
from warning.runtime import Runtime
from warning.signup.choices import ChoiceError
from warning.signup.preview import Preview, preview
from warning.storage.subscriptions import StoredSubscription, load_subscriptions, save_choices
from warning.types import LEVELS, Subscription
from warning.web.keys import RUNTIME, SECTORS
from warning.web.params import path_id
from warning.web.security import current_exporter, require_exporter
from warning.web.signup_form import Pickers, read_pickers
from warning.web.templating import NavItem, language, render, see_other

routes = web.RouteTableDef()
NAV: list[NavItem] = []
#: The subscriptions form's field for HS prefixes (its name before the pickers, kept).
HS_FIELD = "hs_prefixes"


@dataclass
class Draft:
    """One subscription form as shown: stored values, or what the contact is editing."""

    sub: Subscription
    active: bool
    pickers: Pickers
    errors: list[str] = field(default_factory=list)
    preview: Preview | None = None


async def _own(rt: Runtime, email: str) -> list[StoredSubscription]:
    async with rt.db.begin() as conn:
        return await load_subscriptions(conn, active_only=False, email=email)


def _stored_draft(s: StoredSubscription) -> Draft:
    sub = s.subscription
    return Draft(sub, s.active, Pickers(sub.hs_prefixes, sub.markets))


async def _render(
    request: web.Request,
    subs: list[StoredSubscription],
    drafts: dict[int, Draft],
    *,
    saved: str | None = None,
    status: int = 200,
) -> web.Response:
    return render(
        request,
        "exporter_subscriptions.html",
        status=status,
        subs=subs,
        drafts={s.id: drafts.get(s.id) or _stored_draft(s) for s in subs},
        sectors=await request.app[SECTORS].get(),
        levels=LEVELS,
        saved=saved,
    )


@routes.get("/exporter")
@require_exporter
async def subscriptions_page(request: web.Request) -> web.Response:
    email = current_exporter(request)
    assert email is not None
    subs = await _own(request.app[RUNTIME], email)
    return await _render(request, subs, {}, saved=request.query.get("saved"))


def _form_value(form: object, name: str) -> str | None:
    value = form.get(name)  # type: ignore[attr-defined]
    return (value or None) if isinstance(value, str) else None


@routes.post("/exporter/subscriptions/{id:\\d+}")
@require_exporter
async def save_subscription(request: web.Request) -> web.Response:
    """Find (list picker matches), preview (the last 90 days) or save (marked customised)."""
    rt = request.app[RUNTIME]
    email = current_exporter(request)
    assert email is not None
    lang = language(request)
    subs = await _own(rt, email)
    wanted = path_id(request, "subscription")
    stored = next((s for s in subs if s.id == wanted), None)
    if stored is None:
        raise web.HTTPForbidden(reason="not one of your subscriptions")
    form = await request.post()
    action = form.get("action", "save")
    sectors = await request.app[SECTORS].get()
    pickers = read_pickers(form, lang, searched=action == "find", hs_field=HS_FIELD)
    draft = Draft(stored.subscription, form.get("active") == "1", pickers)
    try:
        draft.sub = changed_subscription(
            stored.subscription,
            {s.key for s in sectors},
            sectors=[v for v in form.getall("sectors", []) if isinstance(v, str)],
            hs=[v for v in form.getall(HS_FIELD, []) if isinstance(v, str)],
            markets=[v for v in form.getall("markets", []) if isinstance(v, str)],
            min_level=_form_value(form, "min_level"),
            frequency=_form_value(form, "frequency"),
            language=_form_value(form, "language"),
            lang=lang,
        )
    except ChoiceError as exc:
        draft.errors = [p.text(lang) for p in exc.problems]
        status = 400 if action in ("save", "preview") else 200
        return await _render(request, subs, {stored.id: draft}, status=status)
    if action == "save":
        async with rt.db.begin() as conn:
            await save_choices(conn, stored, draft.sub, rt.now(), active=draft.active)
        return see_other(f"/exporter?saved={stored.id}")
    draft.pickers.hs, draft.pickers.markets = draft.sub.hs_prefixes, draft.sub.markets
    if action == "preview":
        async with rt.db.begin() as conn:
            draft.preview = await preview(
                conn,
                draft.sub,
                {s.key: s for s in sectors},
                rt.today(),
                rt.config.classifier.alert_threshold,
                await warning_shaper(conn),  # levels as the exporter receives them
            )
    return await _render(request, subs, {stored.id: draft})
