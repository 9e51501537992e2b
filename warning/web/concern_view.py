"""What the concern pages show, built from stored data in the reader's language.

Pure functions, no request and no database: the concern form's choices and
prefilled figures (:func:`concern_form_view`), the rows of "My concerns"
(:func:`concern_rows`), and the box on the notification page
(:class:`RespondBox`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from classifiers.nomenclature import Nomenclature
from notifications.plain import display_text
from warning.exceptions import ResponseError
from warning.levels.factors import product_label
from warning.levels.matching import shares_prefix
from warning.members import display_name, market_covers
from warning.responses.figures import value_at_stake
from warning.types import (
    ConcernAttachment,
    Exporter,
    ExposureRow,
    FullTextRequest,
    Notification,
    ProductMatch,
    ResponseConcern,
    ResponseFile,
    StcMark,
)
from warning.web.i18n import translate


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class ConcernFormView:
    """The concern form of one company on one measure."""

    notification_id: int
    symbol: str
    title: str
    exporter_id: int
    company: str
    #: The contact's other companies the measure alerted: (id, name).
    others: tuple[tuple[int, str], ...]
    products: tuple[Choice, ...]
    markets: tuple[Choice, ...]
    #: Text fields as shown (prefilled, or as the contact typed them).
    values: Mapping[str, str]
    errors: tuple[str, ...] = ()
    #: Field names with an error (their inputs are marked).
    bad: frozenset[str] = frozenset()


def error_text(lang: str, exc: ResponseError) -> str:
    """An error's message in ``lang``, naming the field or the file."""
    params = dict(exc.params)
    if "field" in params:
        params["field"] = translate(lang, f"resp_field_{params['field']}")
    return translate(lang, f"resp_err_{exc.key}", **params)


def _usd(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}" if value == int(value) else f"{value:.2f}"


def offered_markets(n: Notification, exporter: Exporter) -> tuple[str, ...]:
    """The markets a company may tick: the notifying members, then its own markets."""
    notified = [m for m in n.member_codes if m]
    return tuple(dict.fromkeys([*notified, *(m for m in exporter.markets if m != "*")]))


def concern_form_view(
    notification_id: int,
    n: Notification,
    exporter_id: int,
    exporter: Exporter,
    others: Sequence[tuple[int, str]],
    matches: Sequence[ProductMatch],
    figures: Sequence[ExposureRow],
    nomenclature: Nomenclature,
    lang: str,
    submitted: tuple[Mapping[str, str], Sequence[str], Sequence[str]] | None = None,
    errors: Sequence[ResponseError] = (),
) -> ConcernFormView:
    """The form, prefilled (products the measure matched, its notifying markets, the value at
    stake) or as ``submitted`` (fields, products ticked, markets ticked) with its errors."""
    notified = [m for m in n.member_codes if m]
    hit = [c for c in exporter.hs_codes if any(shares_prefix(c, m.hs_code) for m in matches)]
    markets = offered_markets(n, exporter)
    if submitted is None:
        ticked_hs = hit or list(exporter.hs_codes)
        ticked_markets = [m for m in markets if any(market_covers(m, x) for x in notified)] or notified
        values = {"export_value": _usd(value_at_stake(figures, ticked_hs, ticked_markets))}
    else:
        values, ticked_hs, ticked_markets = dict(submitted[0]), list(submitted[1]), list(submitted[2])
    return ConcernFormView(
        notification_id=notification_id,
        symbol=n.symbols[0].text if n.symbols else "",
        title=display_text(n, "title", lang).text,
        exporter_id=exporter_id,
        company=exporter.name,
        others=tuple(others),
        products=tuple(
            Choice(c, f"{c} {product_label(c, exporter, nomenclature, lang)}", c in ticked_hs)
            for c in exporter.hs_codes
        ),
        markets=tuple(Choice(m, display_name(m, lang), m in ticked_markets) for m in markets),
        values=values,
        errors=tuple(error_text(lang, e) for e in errors),
        bad=frozenset(e.params.get("field", "files") for e in errors),
    )


@dataclass(frozen=True)
class ConcernRow:
    """One concern on "My concerns"."""

    id: int
    company: str
    #: When it was submitted, in the zone's time (``2026-08-03 09:00``).
    submitted_at: str
    who: str
    products: tuple[str, ...]
    markets: tuple[str, ...]
    effect: str
    request: str
    note: str
    attachments: tuple[ConcernAttachment, ...]


@dataclass(frozen=True)
class MeasureFile:
    """One measure on "My concerns": where its file stands, with the company's concerns and requests."""

    notification_id: int
    symbol: str
    title: str
    status: str
    status_label: str
    closed_reason: str
    enquiry_date: dt.date | None
    enquiry_left: int | None
    stc: StcMark | None
    concerns: tuple[ConcernRow, ...] = ()
    full_text: tuple[FullTextRequest, ...] = field(default_factory=tuple)


def _money(lang: str, value: float | None) -> str:
    if value is None:
        return translate(lang, "resp_unknown")
    return f"US${value:,.0f}"


def _row(c: ResponseConcern, companies: Mapping[int, str], lang: str, tz: ZoneInfo) -> ConcernRow:
    x = c.concern
    effect = translate(
        lang,
        "resp_effect_line",
        cost=_money(lang, x.cost_usd),
        lost=_money(lang, x.lost_sales_usd),
        months=x.months_to_comply if x.months_to_comply is not None else translate(lang, "resp_unknown"),
        value=_money(lang, x.export_value_usd),
    )
    return ConcernRow(
        id=c.id,
        company=companies.get(x.exporter_id, ""),
        submitted_at=c.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        who=x.contact_email,
        products=x.hs_codes,
        markets=tuple(display_name(m, lang) for m in x.markets),
        effect=effect,
        request=x.requested_change,
        note=x.effect_note,
        attachments=c.attachments,
    )


def concern_rows(
    files: Sequence[ResponseFile],
    concerns: Sequence[ResponseConcern],
    requests: Sequence[FullTextRequest],
    notes: Mapping[int, Notification],
    marks: Mapping[int, StcMark],
    companies: Mapping[int, str],
    today: dt.date,
    lang: str,
    timezone: str,
) -> list[MeasureFile]:
    """The measures of the company's concerns and requests, soonest enquiry-point date first."""
    out = []
    tz = ZoneInfo(timezone)
    for f in files:
        n = notes.get(f.notification_id)
        if n is None:
            continue
        out.append(
            MeasureFile(
                notification_id=f.notification_id,
                symbol=n.symbols[0].text if n.symbols else n.key,
                title=display_text(n, "title", lang).text,
                status=f.status,
                status_label=translate(lang, f"resp_status_{f.status}"),
                closed_reason=f.closed_reason,
                enquiry_date=f.enquiry_date,
                enquiry_left=(f.enquiry_date - today).days if f.enquiry_date else None,
                stc=marks.get(f.notification_id),
                concerns=tuple(_row(c, companies, lang, tz) for c in concerns if c.response_id == f.id),
                full_text=tuple(r for r in requests if r.response_id == f.id),
            )
        )
    return out


@dataclass(frozen=True)
class RespondBox:
    """The "what you can do" box of the notification page."""

    #: Where the concern form is (with the link's token when opened from an email).
    form_url: str
    full_text_url: str
    concerns_url: str
    #: The companies' concerns on this measure, and the file's status label (empty: none yet).
    count: int
    status_label: str
    #: When the company asked for the full text, and when it was requested from the enquiry point.
    text_asked: dt.date | None
    text_sent: dt.date | None
    stc: StcMark | None
