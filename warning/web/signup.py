"""Exporters' sign-up pages: ``/exporter/apply``, the verification link, the edit link; the pickers' API.

Anyone may apply. The answer to a complete application is the same page
whether the company or the email is known or not (no account enumeration);
a filled honeypot field gets that page too and stores nothing. Requests are
counted per client address (read as for sign-in: ``X-Forwarded-For`` only from
``[web] trusted_proxies``) and per email by the shared limiter of
:mod:`warning.web.limits`, in a budget of their own ("signup"), so every worker
shares the limits. The verification
link opens a page with a button (a mail scanner opening links confirms
nothing); the POST uses the link up.
"""

from __future__ import annotations

import logging

from aiohttp import web

from warning.exceptions import ApplicationError
from warning.runtime import Runtime
from warning.signup.applications import (
    check_edit_link,
    check_verify_link,
    resubmit,
    submit,
    verify,
)
from warning.signup.emails import company
from warning.signup.pickers import product_index, search_markets
from warning.storage.applications import events_of
from warning.web.background_mail import deliver_soon
from warning.web.i18n import translate
from warning.web.keys import LIMITS, RUNTIME, SIGNER
from warning.web.signup_form import FIGURE_ROWS, ApplyForm, Pickers, application_of, form_of, read_apply_form
from warning.web.templating import NavItem, language, render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NAV: list[NavItem] = []


def _empty_form(lang: str) -> ApplyForm:
    values = dict.fromkeys(("company_zh", "company_en", "credit_code", "contact_name", "email"), "")
    return ApplyForm(values | {"language": lang}, Pickers(), [("", "", "", "")] * FIGURE_ROWS)


def _message(
    request: web.Request, title: str, message: str, message_id: str, status: int = 200, **extra: object
) -> web.Response:
    return render(
        request,
        "exporter_apply_message.html",
        status=status,
        title=title,
        message=message,
        message_id=message_id,
        confirm_token=extra.get("confirm_token", ""),
    )


def _link_problem(request: web.Request, exc: ApplicationError) -> web.Response:
    lang = language(request)
    status = 410 if exc.key in ("link_used", "link_expired") else 400
    return _message(
        request, translate(lang, "verify_title"), translate(lang, exc.key), "link-problem", status
    )


@routes.get("/exporter/apply")
async def apply_page(request: web.Request) -> web.Response:
    return render(
        request, "exporter_apply.html", form=_empty_form(language(request)), edit_token="", notes=[]
    )


@routes.post("/exporter/apply")
async def apply(request: web.Request) -> web.Response:
    """Find (re-render with matches) or submit an application."""
    rt = request.app[RUNTIME]
    lang = language(request)
    post = await request.post()
    submitting = post.get("action") == "submit"
    form = read_apply_form(post, lang, submitting=submitting)
    if not submitting or form.errors:
        status = 400 if submitting else 200
        return render(request, "exporter_apply.html", status=status, form=form, edit_token="", notes=[])
    email = form.values["email"]
    limits = request.app[LIMITS]
    ip = limits.address_of(request)
    if not (await limits.attempt(rt.db, "signup", ip, email, rt.now())).allowed:
        log.warning("sign-up for %s from %s refused: too many requests", email, ip)
        return _message(
            request, translate(lang, "apply_title"), translate(lang, "apply_limited"), "apply-limited", 429
        )
    if post.get("website"):  # the honeypot: only robots fill a field nobody sees
        log.info("sign-up from %s dropped: honeypot filled", ip)
    else:
        await submit(rt, request.app[SIGNER], application_of(form))
        deliver_soon(request.app, "sign-up emails")
    hours = rt.config.web.signup_link_hours
    text = translate(lang, "apply_sent", email=email, hours=hours)
    return _message(request, translate(lang, "apply_sent_title"), text, "apply-sent")


@routes.get("/exporter/apply/verify")
async def verify_page(request: web.Request) -> web.Response:
    """The page an emailed verification link opens: one button that confirms."""
    token = request.query.get("token", "")
    try:
        found = await check_verify_link(request.app[RUNTIME], request.app[SIGNER], token)
    except ApplicationError as exc:
        return _link_problem(request, exc)
    lang = language(request)
    lead = translate(lang, "verify_lead", company=company(found.application))
    return _message(request, translate(lang, "verify_title"), lead, "verify-lead", confirm_token=token)


@routes.post("/exporter/apply/verify")
async def confirm(request: web.Request) -> web.Response:
    post = await request.post()
    token = post.get("token")
    try:
        found = await verify(
            request.app[RUNTIME], request.app[SIGNER], token if isinstance(token, str) else ""
        )
    except ApplicationError as exc:
        return _link_problem(request, exc)
    lang = language(request)
    text = translate(lang, "verified", company=company(found.application))
    return _message(request, translate(lang, "verified_title"), text, "email-verified")


async def _edit_notes(rt: Runtime, application_id: int) -> list[str]:
    async with rt.db.begin() as conn:
        events = await events_of(conn, application_id)
    changes = [e.note for e in events if e.action == "changes"]
    return changes[-1:]


@routes.get("/exporter/apply/edit")
async def edit_page(request: web.Request) -> web.Response:
    """The form of an application sent back for changes, filled in, with the official's note."""
    rt = request.app[RUNTIME]
    token = request.query.get("token", "")
    try:
        found = await check_edit_link(rt, request.app[SIGNER], token)
    except ApplicationError as exc:
        return _link_problem(request, exc)
    notes = await _edit_notes(rt, found.id)
    return render(
        request, "exporter_apply.html", form=form_of(found.application), edit_token=token, notes=notes
    )


@routes.post("/exporter/apply/edit")
async def edit(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    lang = language(request)
    post = await request.post()
    token = post.get("token")
    token = token if isinstance(token, str) else ""
    try:
        found = await check_edit_link(rt, request.app[SIGNER], token)
    except ApplicationError as exc:
        return _link_problem(request, exc)
    submitting = post.get("action") == "submit"
    form = read_apply_form(post, lang, submitting=submitting)
    form.values["email"] = found.application.email
    if not submitting or form.errors:
        notes = await _edit_notes(rt, found.id)
        status = 400 if submitting else 200
        return render(request, "exporter_apply.html", status=status, form=form, edit_token=token, notes=notes)
    try:
        await resubmit(rt, request.app[SIGNER], token, application_of(form))
    except ApplicationError as exc:
        return _link_problem(request, exc)
    return _message(
        request, translate(lang, "resubmitted_title"), translate(lang, "resubmitted"), "resubmitted"
    )


def _query(request: web.Request) -> tuple[str, str]:
    q = request.query.get("q", "")[:100]
    lang = request.query.get("lang") or language(request)
    return q, "zh" if lang == "zh" else "en"


@routes.get("/pickers/products")
async def products_api(request: web.Request) -> web.Response:
    """``{"results": [{"code", "name"}]}``: HS codes for a typed query (the pickers' script)."""
    q, lang = _query(request)
    results = product_index().search(q, lang)
    return web.json_response({"results": [{"code": p.code, "name": p.name} for p in results]})


@routes.get("/pickers/markets")
async def markets_api(request: web.Request) -> web.Response:
    """``{"results": [{"code", "name"}]}``: markets for a typed query."""
    q, lang = _query(request)
    return web.json_response({"results": [{"code": p.code, "name": p.name} for p in search_markets(q, lang)]})
