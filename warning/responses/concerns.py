"""A company's contact raises a concern about a measure, or asks for its full text.

:func:`concern_from_form` turns the form's fields into a :class:`ConcernInput`,
collecting every bad field as a :class:`~warning.exceptions.ConcernInputError`
(``params["field"]`` names it, ``key`` the message), so the page can say them
all at once in the reader's language. :func:`submit_concern` stores it: the
measure's response file (created ``open`` if needed, with its enquiry-point
date; reopened if it was closed), the concern, its files (already checked by
:func:`warning.responses.attachments.check_file`) and the receipt email, in the
caller's transaction. Who may raise a concern for which company and measure is
the caller's check (:func:`companies_alerted`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.config import Config
from warning.exceptions import AttachmentError, ConcernInputError
from warning.responses.attachments import CheckedFile, store
from warning.responses.figures import enquiry_point_date
from warning.responses.lifecycle import reopen_if_closed
from warning.responses.notify import queue_concern_receipt
from warning.storage.concerns import add_full_text_request, insert_attachment, insert_concern, load_concerns
from warning.storage.notifications import load_notifications
from warning.storage.responses import ensure_response_file
from warning.storage.review_actions import load_state
from warning.storage.schema import alerts, notifications
from warning.types import ConcernInput, FullTextRequest, Language, ResponseConcern

#: Longest request to the notifying member, and longest note on the effect (characters).
MAX_REQUEST_CHARS = 5000
MAX_NOTE_CHARS = 2000
#: Largest money figure accepted (USD) and longest time to comply (months).
MAX_USD = 1e12
MAX_MONTHS = 240


@dataclass(frozen=True)
class ConcernForm:
    """What the form offers a company: its products and the markets, to tick."""

    notification_id: int
    exporter_id: int
    contact_email: str
    language: Language
    hs_codes: tuple[str, ...]
    markets: tuple[str, ...]


def _money(raw: str, field: str, errors: list[ConcernInputError]) -> float | None:
    text = raw.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or value > MAX_USD:
        errors.append(ConcernInputError("bad_amount", f"{field}: not an amount in USD: {raw!r}", field=field))
        return None
    return round(value, 2)


def _months(raw: str, errors: list[ConcernInputError]) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_MONTHS:
        errors.append(
            ConcernInputError(
                "bad_months", f"months_to_comply: not a number of months: {raw!r}", field="months"
            )
        )
        return None
    return int(text)


def concern_from_form(
    form: ConcernForm,
    fields: Mapping[str, str],
    hs_codes: Sequence[str],
    markets: Sequence[str],
) -> tuple[ConcernInput | None, list[ConcernInputError]]:
    """The concern a form describes, or the errors naming each bad field (then ``None``).

    ``fields`` holds the text fields (``cost``, ``lost_sales``, ``months``,
    ``export_value``, ``request``, ``note``); ``hs_codes`` and ``markets`` the boxes ticked.
    """
    errors: list[ConcernInputError] = []
    chosen_hs = tuple(dict.fromkeys(c for c in hs_codes if c in form.hs_codes))
    if not chosen_hs or len(chosen_hs) != len(set(hs_codes)):
        errors.append(
            ConcernInputError("pick_products", "products: tick at least one of yours", field="products")
        )
    chosen_markets = tuple(dict.fromkeys(m for m in markets if m in form.markets))
    if not chosen_markets or len(chosen_markets) != len(set(markets)):
        errors.append(ConcernInputError("pick_markets", "markets: tick at least one", field="markets"))
    cost = _money(fields.get("cost", ""), "cost", errors)
    lost = _money(fields.get("lost_sales", ""), "lost_sales", errors)
    value = _money(fields.get("export_value", ""), "export_value", errors)
    months = _months(fields.get("months", ""), errors)
    request = fields.get("request", "").strip()
    if not request:
        errors.append(
            ConcernInputError("request_required", "request: say what should change", field="request")
        )
    elif len(request) > MAX_REQUEST_CHARS:
        errors.append(
            ConcernInputError(
                "too_long",
                f"request: longer than {MAX_REQUEST_CHARS}",
                field="request",
                limit=str(MAX_REQUEST_CHARS),
            )
        )
    note = fields.get("note", "").strip()
    if len(note) > MAX_NOTE_CHARS:
        errors.append(
            ConcernInputError(
                "too_long", f"note: longer than {MAX_NOTE_CHARS}", field="note", limit=str(MAX_NOTE_CHARS)
            )
        )
    if errors:
        return None, errors
    return (
        ConcernInput(
            notification_id=form.notification_id,
            exporter_id=form.exporter_id,
            contact_email=form.contact_email,
            hs_codes=chosen_hs,
            markets=chosen_markets,
            cost_usd=cost,
            lost_sales_usd=lost,
            months_to_comply=months,
            export_value_usd=value,
            requested_change=request,
            language=form.language,
            effect_note=note,
        ),
        [],
    )


async def companies_alerted(
    conn: AsyncConnection, notification_id: int, exporter_ids: Sequence[int]
) -> list[int]:
    """Which of these companies received the notification's alert (the ones whose
    contact may raise a concern): an alert the officials held back was never
    received, so its company has no form for it (nor does a typed URL give one)."""
    if not exporter_ids:
        return []
    query = sa.select(alerts.c.exporter_id).where(
        alerts.c.notification_id == notification_id, alerts.c.exporter_id.in_(list(exporter_ids))
    )
    found = {int(r) for r in (await conn.execute(query)).scalars()}
    state = await load_state(conn, [notification_id])
    return sorted(e for e in found if state.suppressed(notification_id, e) is None)


async def _enquiry_date(conn: AsyncConnection, notification_id: int, config: Config) -> dt.date | None:
    found = await load_notifications(conn, notifications.c.id == notification_id)
    if not found:
        raise ConcernInputError("no_measure", f"no notification {notification_id}", field="notification")
    return enquiry_point_date(found[0][1].comment_deadline, config.warning.enquiry_point_days)


async def submit_concern(
    conn: AsyncConnection,
    concern: ConcernInput,
    files: Sequence[CheckedFile],
    *,
    company: str,
    now: dt.datetime,
    config: Config,
) -> ResponseConcern:
    """Store a company's concern with its files and queue its receipt email.

    The files are written under ``[responses] attachments_dir`` first (by sha256:
    a file left by a transaction that fails is harmless and reused).

    Raises:
        AttachmentError: ``too_many_files``: more than ``[responses] max_attachments``.
        ConcernInputError: ``no_measure``: the notification does not exist.
    """
    limit = config.responses.max_attachments
    if len(files) > limit:
        raise AttachmentError(
            "too_many_files", f"more than {limit} files", filename=files[limit].filename, limit=str(limit)
        )
    enquiry = await _enquiry_date(conn, concern.notification_id, config)
    file, _ = await ensure_response_file(conn, concern.notification_id, enquiry, now)
    file = await reopen_if_closed(conn, file, f"concern from {company}", now=now, config=config)
    concern_id = await insert_concern(conn, file.id, concern, now)
    for f in files:
        digest = store(config.responses.attachments_dir, f.data)
        await insert_attachment(
            conn,
            concern_id,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=digest,
            now=now,
        )
    await queue_concern_receipt(
        conn,
        concern_id,
        contact_email=concern.contact_email,
        language=concern.language,
        exporter_id=concern.exporter_id,
        company=company,
        notification_id=concern.notification_id,
        enquiry_date=file.enquiry_date,
        now=now,
        config=config,
    )
    (stored,) = [c for c in await load_concerns(conn, response_id=file.id) if c.id == concern_id]
    return stored


async def request_full_text(
    conn: AsyncConnection,
    notification_id: int,
    *,
    exporter_id: int,
    contact_email: str,
    language: Language,
    now: dt.datetime,
    config: Config,
) -> tuple[FullTextRequest, bool]:
    """Record the company's request for the measure's full text (once per company): ``(request, created)``.

    Raises:
        ConcernInputError: ``no_measure``: the notification does not exist.
    """
    enquiry = await _enquiry_date(conn, notification_id, config)
    file, _ = await ensure_response_file(conn, notification_id, enquiry, now)
    request, created = await add_full_text_request(
        conn, file, exporter_id=exporter_id, contact_email=contact_email, language=language, now=now
    )
    if created:  # staff send it from the file: a closed one is back in their queue
        await reopen_if_closed(conn, file, f"full-text request from {contact_email}", now=now, config=config)
    return request, created
