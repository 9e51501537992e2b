"""Analysts' pages: rules with a preview before saving, evaluation, feedback, reclassify.

The ICS mapping and sector editors are in :mod:`warning.web.analyst_mappings`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.ensemble import Ensemble
from classifiers.evaluate import METRIC_KEYS
from classifiers.ics import IcsClassifier
from warning.classify import build_classifier, classify_pending
from warning.mapping.mappings import effective_ics_mapping
from warning.mapping.rule_preview import apply_rules, preview_rules
from warning.previews.drafts import draft, needs_fix
from warning.storage.feedback import feedback_overview
from warning.storage.rules import (
    MAX_PHRASE_CHARS,
    MAX_PHRASES,
    add_rule,
    change_rule,
    load_rules,
    remove_rule,
    rule_history,
)
from warning.symbols import reference
from warning.types import ClassifierRule
from warning.web.i18n import translate
from warning.web.keys import RUNTIME
from warning.web.security import current_user, require_role
from warning.web.templating import NavItem, language, render, see_other

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NAV = [
    NavItem("/analyst/rules", "nav_rules", ("analyst",)),
    NavItem("/analyst/evaluation", "nav_evaluation", ("analyst",)),
    NavItem("/analyst/feedback", "nav_feedback", ("analyst",)),
    NavItem("/analyst/reclassify", "nav_reclassify", ("analyst",)),
]
ACTIONS = ("add", "change", "remove")


@dataclass
class Reclassify:
    """The state of the background reclassification (one at a time per process)."""

    task: asyncio.Task[None] | None = None
    done: int = 0
    total: int = 0
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    result: str = ""

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()


@dataclass
class AnalystState:
    #: The classifier, built once (about 2 s) and shared; its rules are set per run.
    ensemble: Ensemble | None = None
    lock: asyncio.Lock | None = None
    reclassify: Reclassify | None = None


STATE: web.AppKey[AnalystState] = web.AppKey("analyst_state", AnalystState)


def setup(app: web.Application) -> None:
    app[STATE] = AnalystState(None, asyncio.Lock(), Reclassify())
    app.on_cleanup.append(_on_cleanup)


async def _on_cleanup(app: web.Application) -> None:
    job = app[STATE].reclassify
    if job is not None and job.task is not None and not job.task.done():
        job.task.cancel()
        await asyncio.gather(job.task, return_exceptions=True)


#: Ensembles by the configured example files: building one takes about 2 s, and
#: nothing else in it depends on the app (the rules are set before each run).
_SHARED: dict[tuple[str, ...], Ensemble] = {}


@asynccontextmanager
async def held_ensemble(request: web.Request) -> AsyncIterator[Ensemble]:
    """The shared classifier, held by this request alone (its rules are set per run),
    with the stored ICS mapping (an analyst may have changed it, in any worker)."""
    state = request.app[STATE]
    assert state.lock is not None
    async with state.lock:
        rt = request.app[RUNTIME]
        if state.ensemble is None:
            key = tuple(str(p) for p in rt.config.classifier.examples)
            if key not in _SHARED:
                _SHARED[key] = await build_classifier(rt)
            state.ensemble = _SHARED[key]
        async with rt.db.begin() as conn:
            state.ensemble.ics = IcsClassifier(await effective_ics_mapping(conn))
        yield state.ensemble


def _lines(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in value.splitlines() if p.strip()))


@dataclass(frozen=True)
class RuleForm:
    """A rule change as submitted (kept in the preview page's hidden fields)."""

    action: str
    rule_id: int | None
    phrases: str
    hs_codes: str
    exclusions: str
    note: str
    #: An exclusion (the phrases veto matches to the codes) rather than a rule adding them.
    suppress: bool = False

    def rule(self) -> ClassifierRule:
        codes = tuple(dict.fromkeys(self.hs_codes.replace(",", " ").split()))
        phrases, exclusions = _lines(self.phrases), _lines(self.exclusions)
        return ClassifierRule(phrases, codes, exclusions, note=self.note.strip(), suppress=self.suppress)


async def _read_form(request: web.Request, ensemble: Ensemble) -> tuple[RuleForm, list[str]]:
    """The submitted change and what is wrong with it (empty when valid)."""
    form = await request.post()
    raw_id = str(form.get("rule_id", "")).strip()
    parsed = RuleForm(
        str(form.get("action", "add")),
        int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 9 else None,
        str(form.get("phrases", "")),
        str(form.get("hs_codes", "")),
        str(form.get("exclusions", "")),
        str(form.get("note", "")),
        str(form.get("suppress", "")) == "1",
    )
    errors = []
    if parsed.action not in ACTIONS:
        errors.append(f"unknown action {parsed.action!r}")
    if parsed.action != "add" and parsed.rule_id is None:
        errors.append("which rule? (rule_id missing)")
    if parsed.action != "remove":
        rule = parsed.rule()
        if not rule.phrases:
            errors.append("give at least one phrase")
        if not rule.hs_codes:
            errors.append("give at least one HS code")
        bad = [c for c in rule.hs_codes if c not in ensemble.nomenclature]
        if bad:
            errors.append(f"not 2, 4 or 6-digit HS 2022 codes: {', '.join(bad)}")
        errors += _size_errors(language(request), rule)
    return parsed, errors


def _size_errors(lang: str, rule: ClassifierRule) -> list[str]:
    """What makes a rule too large to store (see ``check_rule_size``), in ``lang``."""
    errors = [
        translate(lang, key, max=MAX_PHRASES, n=len(items))
        for key, items in (
            ("rule_too_many_phrases", rule.phrases),
            ("rule_too_many_exclusions", rule.exclusions),
        )
        if len(items) > MAX_PHRASES
    ]
    long = [p for p in (*rule.phrases, *rule.exclusions) if len(p) > MAX_PHRASE_CHARS]
    if long:
        errors.append(translate(lang, "rule_phrase_too_long", max=MAX_PHRASE_CHARS, phrase=long[0][:40]))
    return errors


def _changed(rules: list[ClassifierRule], change: RuleForm) -> list[ClassifierRule]:
    """The rule set after the change.

    Raises:
        HTTPBadRequest: the rule to change or remove is not an active rule.
    """
    if change.action == "add":
        return [*rules, change.rule()]
    if change.rule_id not in {r.id for r in rules}:
        raise web.HTTPBadRequest(reason=f"no active rule with id {change.rule_id}")
    if change.action == "remove":
        return [r for r in rules if r.id != change.rule_id]
    new = change.rule()
    return [
        ClassifierRule(
            new.phrases, new.hs_codes, new.exclusions, r.id, r.version + 1, r.author, new.note, new.suppress
        )
        if r.id == change.rule_id
        else r
        for r in rules
    ]


async def active_rules(request: web.Request) -> list[ClassifierRule]:
    async with request.app[RUNTIME].db.begin() as conn:
        return await load_rules(conn)


@routes.get("/analyst/rules")
@require_role("analyst")
async def rules_page(request: web.Request) -> web.Response:
    rules = await active_rules(request)
    editing = next((r for r in rules if str(r.id) == request.query.get("edit")), None)
    async with request.app[RUNTIME].db.begin() as conn:
        history = (await rule_history(conn))[-20:]
    return render(
        request,
        "analyst_rules.html",
        rules=rules,
        editing=editing,
        history=list(reversed(history)),
        saved=request.query.get("saved"),
        errors=[],
    )


@routes.post("/analyst/rules/preview")
@require_role("analyst")
async def rules_preview(request: web.Request) -> web.Response:
    """Show what the change would do; nothing is stored."""
    async with held_ensemble(request) as ensemble:
        change, errors = await _read_form(request, ensemble)
        rules = await active_rules(request)
        if errors:
            return render(
                request,
                "analyst_rules.html",
                status=400,
                rules=rules,
                editing=None,
                history=[],
                saved=None,
                errors=errors,
            )
        preview = await preview_rules(request.app[RUNTIME], ensemble, rules, _changed(rules, change))
    return render(
        request,
        "analyst_rule_preview.html",
        change=change,
        rule=change.rule(),
        p=preview,
        metric_keys=METRIC_KEYS,
    )


async def _store(request: web.Request, conn: AsyncConnection, change: RuleForm) -> ClassifierRule:
    """Store the change as a new version by the signed-in analyst (on ``conn``'s transaction)."""
    rt = request.app[RUNTIME]
    user = current_user(request)
    assert user is not None
    if change.action == "add":
        return await add_rule(conn, change.rule(), user.email, rt.now())
    assert change.rule_id is not None
    if change.action == "change":
        return await change_rule(conn, change.rule_id, change.rule(), user.email, rt.now())
    return await remove_rule(conn, change.rule_id, user.email, rt.now())


@routes.post("/analyst/rules/save")
@require_role("analyst")
async def rules_save(request: web.Request) -> web.Response:
    """Store the change as a new rule version (author: the analyst) and reclassify what it
    affects, in one transaction: the change is stored with its reclassification or not at all."""
    async with held_ensemble(request) as ensemble:
        change, errors = await _read_form(request, ensemble)
        if errors:
            raise web.HTTPBadRequest(reason="; ".join(errors))
        old = await active_rules(request)
        _changed(old, change)  # refuses an unknown rule id before anything is written
        async with request.app[RUNTIME].db.begin() as conn:
            stored = await _store(request, conn, change)
            rewritten = await apply_rules(conn, ensemble, old, await load_rules(conn))
    log.info("rule %s %s: %d notifications reclassified", stored.id, change.action, rewritten)
    return see_other(f"/analyst/rules?saved={stored.id}")


@routes.get("/analyst/feedback")
@require_role("analyst")
async def feedback_page(request: web.Request) -> web.Response:
    """Exporters' feedback, "not relevant" first: the matches to look at."""
    rt = request.app[RUNTIME]
    async with rt.db.begin() as conn:
        items = await feedback_overview(conn, limit=500)
    threshold = rt.config.classifier.alert_threshold
    lang = language(request)
    rows = [
        (
            f,
            draft(
                f,
                translate(lang, "feedback_note", email=f.email, symbol=reference(f.notification_key)),
                threshold,
            )
            if needs_fix(f, threshold)
            else None,
        )
        for f in items
    ]
    return render(request, "analyst_feedback.html", rows=rows, threshold=threshold)


def _reclassify_state(request: web.Request) -> Reclassify:
    job = request.app[STATE].reclassify
    assert job is not None
    return job


@routes.get("/analyst/reclassify")
@require_role("analyst")
async def reclassify_page(request: web.Request) -> web.Response:
    return render(request, "analyst_reclassify.html", job=_reclassify_state(request))


@routes.post("/analyst/reclassify")
@require_role("analyst")
async def reclassify_start(request: web.Request) -> web.Response:
    """Reclassify every stored notification in a background task (one at a time)."""
    rt = request.app[RUNTIME]
    job = _reclassify_state(request)
    if not job.running:

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        async def run() -> None:
            try:
                # Its own classifier with the current rules: previews change the shared one's rules.
                outcome = await classify_pending(rt, everything=True, progress=progress)
                job.result = f"{outcome.classified}:{outcome.with_matches}"
            except Exception as exc:  # shown on the page; the task must not die silently
                log.exception("reclassification failed")
                job.result = f"error:{exc}"
            finally:
                job.finished_at = rt.now()

        job.done, job.total, job.result = 0, 0, ""
        job.started_at, job.finished_at = rt.now(), None
        job.task = asyncio.create_task(run())
    return see_other("/analyst/reclassify")
