"""What the exporter pages show, built from stored data in the reader's language.

Pure functions over domain types and stored rows: no request, no database.
The notification page (:func:`notification_page`) and the alerts page rows
(:func:`alert_row`) both count days in the zone's time zone and order alerts
with :func:`notifications.digest.urgency`, as the emails do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from classifiers.nomenclature import Nomenclature
from notifications.digest import urgency
from notifications.plain import DisplayText, display_text, member_line, notifying_member, plain_reasons
from notifications.wto_links import WtoLinks, notification_wto_links, source_links, wto_links
from warning.config import Config
from warning.members import display_name
from warning.storage.overview import AlertView, NotificationDetail
from warning.storage.search import NotificationSummary
from warning.symbols import parse_symbol, reference
from warning.translation.display import ShownNotification
from warning.types import LEVELS, Exporter, Level, Notification
from warning.web.i18n import translate


def counted(lang: str, key: str, n: int, **values: object) -> str:
    """A catalogue text with a ``_one`` and a ``_many`` form, for ``n``."""
    return translate(lang, f"{key}_{'one' if n == 1 else 'many'}", n=n, **values)


@dataclass(frozen=True)
class Dates:
    """The two dates of a comment period, with the days left counted today (zone time)."""

    enquiry: dt.date | None
    enquiry_left: int | None
    wto: dt.date | None
    wto_left: int | None

    @property
    def is_open(self) -> bool:
        return self.wto_left is not None and self.wto_left >= 0


def dates_of(n: Notification, today: dt.date, enquiry_days: int) -> Dates:
    deadline = n.comment_deadline
    if deadline is None:
        return Dates(None, None, None, None)
    enquiry = deadline - dt.timedelta(days=enquiry_days)
    return Dates(enquiry, (enquiry - today).days, deadline, (deadline - today).days)


def days_text(lang: str, left: int | None) -> str:
    """ "12 days left", "last day", "closed"."""
    if left is None:
        return ""
    if left < 0:
        return translate(lang, "xp_closed")
    if left == 0:
        return translate(lang, "xp_last_day")
    return counted(lang, "xp_days_left", left)


@dataclass(frozen=True)
class Concern:
    """Why the measure concerns one of the reader's exporters."""

    exporter: str
    level: Level | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ThreadDocument:
    symbol: str
    kind: str
    distributed: dt.date | None
    title: str
    wto: WtoLinks | None
    current: bool


@dataclass(frozen=True)
class NotificationPage:
    """Everything the exporter notification page shows."""

    id: int
    symbols: tuple[str, ...]
    member: str
    title: DisplayText
    description: DisplayText
    products: DisplayText
    level: Level | None
    dates: Dates
    adoption: dt.date | None
    in_force: dt.date | None
    concerns: tuple[Concern, ...]
    thread: tuple[ThreadDocument, ...]
    wto: tuple[WtoLinks, ...]
    sources: tuple[str, ...]


def _kind(symbol: str, lang: str) -> str:
    try:
        parsed = parse_symbol(symbol)
    except ValueError:
        return translate(lang, "xp_kind_base")
    if parsed.follow_ups:
        return translate(lang, f"xp_kind_{parsed.follow_ups[-1][0].value}")
    return translate(lang, "xp_kind_base")


def _thread(detail: NotificationDetail, lang: str) -> tuple[ThreadDocument, ...]:
    n = detail.notification
    own = (detail.id, n.key, n.distribution_date, display_text(n, "title", lang).text, True)
    others = [(s.id, s.key, s.distribution_date, _summary_title(s, lang), False) for s in detail.thread]
    if not others:
        return ()
    rows = sorted([own, *others], key=lambda r: (r[2] or dt.date.min, r[1]))
    return tuple(
        ThreadDocument(
            reference(key),
            _kind(key, lang),
            day,
            title,
            wto_links(key) if key.startswith("G/") else None,
            current,
        )
        for _, key, day, title, current in rows
    )


def _summary_title(s: NotificationSummary, lang: str) -> str:
    # A summary row holds the title as notified: shown through the same seam.
    stand_in = Notification(
        key=s.key,
        symbols=(),
        area="TBT",
        member_codes=s.member_codes,
        member_name=s.member_name,
        notification_type=s.notification_type,
        title=s.title,
    )
    return display_text(stand_in, "title", lang).text


def _shown_text(n: Notification, field: str, lang: str, shown: ShownNotification | None) -> DisplayText:
    """A field as the translation layer shows it (translated, labelled, the original
    kept), or as notified when nothing is stored."""
    text = shown.field(field) if shown is not None else None
    if text is None or not text.translated or not text.text.strip():
        return display_text(n, field, lang)
    return DisplayText(text.text, text.original, text.label(lang))


def notification_page(
    detail: NotificationDetail,
    mine: Sequence[AlertView],
    exporters: dict[int, Exporter],
    nomenclature: Nomenclature,
    config: Config,
    today: dt.date,
    lang: str,
    shown: ShownNotification | None = None,
) -> NotificationPage:
    """The page of one notification for a contact whose exporters' alerts on it are ``mine``;
    ``shown``: its free text in ``lang`` from the translation layer (stored translations)."""
    n = detail.notification
    title = _shown_text(n, "title", lang, shown)
    concerns = tuple(
        Concern(
            a.exporter_name,
            a.level,
            plain_reasons(a.reasons, a.matches, exporters.get(a.exporter_id), nomenclature, lang),
        )
        for a in mine
    )
    levels = [a.level for a in mine if a.level in LEVELS]
    return NotificationPage(
        id=detail.id,
        symbols=tuple(s.text for s in n.symbols) or (reference(n.key),),
        member=member_line(n, lang),
        title=title,
        description=_shown_text(n, "description", lang, shown),
        products=_shown_text(n, "products", lang, shown),
        level=min(levels, key=LEVELS.index) if levels else None,
        dates=dates_of(n, today, config.warning.enquiry_point_days),
        adoption=n.proposed_adoption_date,
        in_force=n.proposed_entry_into_force_date,
        concerns=concerns,
        thread=_thread(detail, lang),
        wto=notification_wto_links(n),
        sources=source_links(n),
    )


@dataclass(frozen=True)
class AlertRowView:
    """One alert on the contact's alerts page."""

    alert_id: int
    notification_id: int
    symbol: str
    title: str
    member: str
    market: str
    exporter: str
    level: Level
    dates: Dates
    sent: str
    #: The officials' expert note in the contact's language ("" if none), and their office.
    note: str = ""
    note_office: str = ""
    #: Why an official set the level, in the contact's language ("" if they did not).
    review_reason: str = ""
    #: How the title was translated (``machine`` or ``reviewed``; "" for the original).
    title_status: str = ""

    @property
    def order(self) -> tuple[int, int, int]:
        return urgency(self.level, self.dates.wto_left, self.dates.enquiry_left)


def alert_row(
    alert: AlertView,
    n: Notification,
    today: dt.date,
    config: Config,
    lang: str,
    title: str = "",
    note: tuple[str, str] = ("", ""),
    title_status: str = "",
) -> AlertRowView:
    """One alert on the alerts page; ``title``: its translation into ``lang``, if stored, and
    ``title_status`` how it was made; ``note``: the officials' expert note in ``lang`` and their office."""
    review = next((r.text(lang) for r in alert.reasons if r.code == "review"), "")
    tz = ZoneInfo(config.zone.timezone)
    sent = alert.created_at if alert.created_at.tzinfo else alert.created_at.replace(tzinfo=dt.UTC)
    return AlertRowView(
        alert_id=alert.id,
        notification_id=alert.notification_id,
        symbol=n.symbols[0].text if n.symbols else reference(n.key),
        title=title or display_text(n, "title", lang).text,
        member=member_line(n, lang),
        market=notifying_member(n)[0],
        exporter=alert.exporter_name,
        level=alert.level if alert.level in LEVELS else "blue",
        dates=dates_of(n, today, config.warning.enquiry_point_days),
        sent=sent.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        note=note[0],
        note_office=note[1],
        review_reason=review,
        title_status=title_status if title else "",
    )


def market_options(rows: Sequence[AlertRowView], lang: str) -> list[tuple[str, str]]:
    """(member code, name in ``lang``) of the markets among the rows, by name."""
    codes = {r.market for r in rows if r.market}
    return sorted(((c, display_name(c, lang)) for c in codes), key=lambda x: x[1])
