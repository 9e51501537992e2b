"""The notification page's text in the reader's language, and staff corrections of translations.

The staff notification page (:mod:`warning.web.notification_pages`) shows
the title, description and products through the display API, the original
one click away, and the structured parts from our own data; officials and
analysts correct a translation through its form (``POST
/notifications/{id}/translations``, CSRF-checked by the app's middleware,
routed there): the corrected text is stored as reviewed, by them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from classifiers.nomenclature import load_nomenclature
from warning.review.surfaces import staff_alerts
from warning.runtime import Runtime
from warning.storage.overview import notification_detail
from warning.storage.responses import latest_stc_marks, response_file_for
from warning.storage.review_actions import load_changes, state_of
from warning.storage.search import NotificationSummary
from warning.storage.translations import load_translations, review_translation, source_hash
from warning.translation.base import FIELDS
from warning.translation.display import label, language_name, shown_notification, titles_for
from warning.translation.glossary import text_language
from warning.translation.structured import (
    CodeName,
    hs_name,
    ics_name,
    member_name,
    notification_type,
    objective,
)
from warning.types import Notification, Translation
from warning.web.i18n import translate
from warning.web.keys import RUNTIME
from warning.web.security import current_user
from warning.web.templating import language, render, see_other

#: The longest translation accepted (a description runs to a few thousand characters).
MAX_CHARS = 20_000


@dataclass(frozen=True)
class TranslationRow:
    """One field in one language, as the correction form shows it."""

    field: str
    source_language: str
    language: str
    #: The stored translation (maybe of an earlier text), or ``None``.
    current: Translation | None
    #: Whether ``current`` translates the field's present text.
    fresh: bool


async def in_language(
    conn: AsyncConnection, rows: list[NotificationSummary], lang: str
) -> list[NotificationSummary]:
    """List rows with their titles in ``lang`` where a translation exists, labelled."""
    found = await titles_for(conn, {r.id: r.title for r in rows}, lang)
    return [
        replace(r, title=f"{found[r.id][0]} [{label(found[r.id][1], lang)}]") if r.id in found else r
        for r in rows
    ]


def translation_rows(
    n: Notification, stored: dict[tuple[str, str], Translation], languages: tuple[str, ...]
) -> list[TranslationRow]:
    """The translations staff may correct: each non-empty field into each offered language but its own."""
    rows = []
    for field in FIELDS:
        text = getattr(n, field)
        if not text.strip():
            continue
        source = text_language(text, n.language)
        for target in languages:
            if target != source:
                current = stored.get((field, target))
                fresh = current is not None and current.source_sha256 == source_hash(text)
                rows.append(TranslationRow(field, source, target, current, fresh))
    return rows


def structured_parts(n: Notification, lang: str) -> dict[str, Any]:
    """Member names, objectives, HS and ICS titles in ``lang``, from our own data."""
    nomenclature = load_nomenclature()
    hs: list[CodeName] = []
    for code in n.hs_codes:
        found = nomenclature.normalise(code)
        hs.append(hs_name(found, lang, nomenclature) if found else CodeName(code, "", lang))
    return {
        "members": [member_name(code, lang) for code in n.member_codes],
        "objectives": [objective(o, lang) for o in n.objectives],
        "hs_names": hs,
        "ics_names": [ics_name(code, lang) for code in n.ics_codes],
        "notification_type": notification_type(n.notification_type, lang),
    }


async def page_context(rt: Runtime, conn: AsyncConnection, notification_id: int, lang: str) -> dict[str, Any]:
    """What ``notification.html`` needs.

    Raises:
        web.HTTPNotFound: no such notification.
    """
    detail = await notification_detail(conn, notification_id)
    if detail is None:
        raise web.HTTPNotFound(reason="no such notification")
    n = detail.notification
    stored = (await load_translations(conn, [notification_id])).get(notification_id, {})
    # Officials' changes (issue 18): the history and the expert note shown on the page.
    changes = await load_changes(conn, [detail.id])
    return {
        "d": detail,
        "n": n,
        "today": rt.today(),
        "shown": shown_notification(notification_id, n, lang, stored),
        "translation_rows": translation_rows(n, stored, tuple(rt.config.translation.languages)),
        "language_name": lambda code: language_name(code, lang),
        "status_label": lambda status: label(status, lang),
        "field_names": {f: translate(lang, f"field_{f}") for f in FIELDS},
        "saved": None,
        "translation_errors": [],
        "review_changes": changes,
        "review_note": state_of(changes).notes.get(detail.id),
        # Issue 19: the STC mark and the response file, if any.
        "stc": (await latest_stc_marks(conn, [detail.id])).get(detail.id),
        "response_file": (file := await response_file_for(conn, detail.id)),
        "response_status": translate(lang, f"rq_status_{file.status}") if file else "",
        # Levels and alerts as exporters receive them; held-back ones marked.
        "review": await staff_alerts(conn, detail),
        **structured_parts(n, lang),
    }


def _check(
    n: Notification, field: str, target: str, text: str, languages: tuple[str, ...], lang: str
) -> list[str]:
    """What is wrong with a submitted translation, in the reader's language (empty: nothing)."""
    if field not in FIELDS or not getattr(n, field).strip():
        return [translate(lang, "translation_bad_field", field=field[:40])]
    field_name = translate(lang, f"field_{field}")
    if target not in languages or target == text_language(getattr(n, field), n.language):
        return [
            translate(
                lang, "translation_bad_language", field=field_name, language=language_name(target[:10], lang)
            )
        ]
    if not text.strip():
        return [translate(lang, "translation_empty")]
    if len(text) > MAX_CHARS:
        return [translate(lang, "translation_too_long", n=MAX_CHARS)]
    return []


async def store_correction(request: web.Request, nid: int) -> web.Response:
    """Store a staff member's translation of one field as reviewed, then show the page again
    (the page with the errors, status 400, when the form is wrong)."""
    rt = request.app[RUNTIME]
    lang = language(request)
    form = await request.post()
    field, target = str(form.get("field", "")), str(form.get("language", ""))
    text = str(form.get("text", "")).replace("\r\n", "\n")
    user = current_user(request)
    assert user is not None
    languages = tuple(rt.config.translation.languages)
    async with rt.db.begin() as conn:
        context = await page_context(rt, conn, nid, lang)
        n: Notification = context["n"]
        errors = _check(n, field, target, text, languages, lang)
        if errors:
            context["translation_errors"] = errors
            return render(request, "notification.html", status=400, **context)
        source = getattr(n, field)
        await review_translation(
            conn, nid, field, target, text, (source, text_language(source, n.language)), user.email, rt.now()
        )
    return see_other(f"/notifications/{nid}?saved={field}.{target}#translations")


def saved_message(query: str, lang: str) -> str | None:
    """The confirmation for ``?saved=field.language`` after a correction."""
    field, _, target = query.partition(".")
    if field not in FIELDS or target not in ("zh", "en"):
        return None
    field_name = translate(lang, f"field_{field}")
    return translate(lang, "translation_saved", field=field_name, language=language_name(target, lang))
