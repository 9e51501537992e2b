"""What a digest says: the items of one contact's email, grouped, ready to render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from classifiers.nomenclature import Nomenclature
from notifications.plain import market_name, member_line
from notifications.wto_links import notification_wto_links, source_links
from warning.symbols import reference
from warning.translation.display import ShownNotification, shown_notification
from warning.translation.structured import hs_name
from warning.types import LEVEL_NAMES_ZH, LEVELS, Language, Level, Notification, ProductMatch

LEVEL_NAMES_EN = {"red": "Red", "orange": "Orange", "yellow": "Yellow", "blue": "Blue"}
#: Empty safe HTML (a str: immutable, so a shared default is safe).
NO_MARKUP = Markup("")
#: Inline colours that survive mail clients (no CSS classes).
LEVEL_COLOURS = {"red": "#c00000", "orange": "#e46c0a", "yellow": "#b38f00", "blue": "#1f6fb2"}


def level_name(level: Level, language: str) -> str:
    return LEVEL_NAMES_ZH[level] if language == "zh" else LEVEL_NAMES_EN[level]


@dataclass(frozen=True)
class MatchedCode:
    code: str
    #: The code's name in the reader's language, or (no Chinese name known)
    #: in English: never two languages glued together.
    label: str


@dataclass(frozen=True)
class NotificationView:
    """The parts of a notification that are the same for every reader of one language."""

    id: int
    symbols: str
    #: The notifying member, with the others of a joint notification.
    member: str
    #: The market it belongs to (the notifying member's name).
    market: str
    #: Title, products and description in the reader's language when notified
    #: in it or translated (``text_label`` says which), else as notified.
    title: str
    products: str
    comment_deadline: dt.date | None
    days_left: int | None
    #: When the national enquiry point needs comments (deadline minus its lead time).
    enquiry_deadline: dt.date | None
    enquiry_days_left: int | None
    #: The WTO's documents (Documents Online, one per symbol) then the source's own links.
    documents: tuple[tuple[str, str], ...]
    #: The start of the description (``DESCRIPTION_CHARS``), the rest on the notification page.
    description: str = ""
    #: The title's label: 机器翻译 / machine translation, reviewed, or not yet
    #: translated; empty when it is in the reader's language as notified.
    text_label: str = ""
    #: The products' and description's labels where they differ from the title's.
    products_label: str = ""
    description_label: str = ""
    #: Whether any field shown is a translation (the original then is on the notification page).
    translated: bool = False
    #: The officials' expert note (专家解读) in the reader's language, and their office (issue 18).
    note: str = ""
    note_office: str = ""
    #: Raised at the WTO TBT Committee as this specific trade concern (issue 19), with its link.
    stc_number: str = ""
    stc_url: str = ""

    @property
    def is_open(self) -> bool:
        """Whether the WTO comment period is still open."""
        return self.days_left is not None and self.days_left >= 0


#: Characters of the description shown in an email (the whole on the notification page).
DESCRIPTION_CHARS = 280


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _other_label(label: str, title_label: str) -> str:
    return label if label != title_label else ""


def notification_view(
    notification_id: int,
    n: Notification,
    language: Language,
    today: dt.date,
    enquiry_days: int,
    shown: ShownNotification | None = None,
) -> NotificationView:
    """The notification for readers of ``language``; ``shown`` holds its text
    in that language (from :mod:`warning.translation.display`), if loaded."""
    shown = shown or shown_notification(notification_id, n, language)
    deadline = n.comment_deadline
    enquiry = deadline - dt.timedelta(days=enquiry_days) if deadline else None
    wto = tuple(("WTO " + w.symbol, w.documents_online) for w in notification_wto_links(n))
    source = "来源网页" if language == "zh" else "Source page"
    return NotificationView(
        id=notification_id,
        symbols=", ".join(s.text for s in n.symbols) or reference(n.key),
        member=member_line(n, language),
        market=market_name(n, language),
        title=shown.title.text,
        products=shown.products.text,
        comment_deadline=deadline,
        days_left=(deadline - today).days if deadline else None,
        enquiry_deadline=enquiry,
        enquiry_days_left=(enquiry - today).days if enquiry else None,
        documents=wto + tuple((source, link) for link in source_links(n)),
        description=_shorten(shown.description.text, DESCRIPTION_CHARS),
        text_label=shown.title.label(language),
        products_label=_other_label(shown.products.label(language), shown.title.label(language)),
        description_label=_other_label(shown.description.label(language), shown.title.label(language)),
        translated=shown.translated,
    )


@dataclass(frozen=True)
class DigestItem:
    """One alert as shown to one contact."""

    alert_id: int
    n: NotificationView
    #: The notification's part, rendered once per language (HTML already escaped).
    head_text: str
    head_html: Markup
    level: Level
    level_label: str
    colour: str
    reasons: tuple[str, ...]
    codes: tuple[MatchedCode, ...]
    #: The matched codes' part, rendered once per run (HTML already escaped).
    codes_text: str
    codes_html: Markup
    relevant_url: str
    not_relevant_url: str
    #: The notification's page, signed for this contact.
    page_url: str = ""
    #: The level's name the contact was told before, when this re-announces a rise.
    raised_from: str | None = None


def matched_codes(
    matches: Sequence[ProductMatch], nomenclature: Nomenclature, language: str
) -> tuple[MatchedCode, ...]:
    seen: dict[str, MatchedCode] = {}
    for m in matches:
        if m.hs_code not in seen:
            seen[m.hs_code] = MatchedCode(m.hs_code, hs_name(m.hs_code, language, nomenclature).name)
    return tuple(seen.values())


def order_items(items: Sequence[DigestItem]) -> tuple[DigestItem, ...]:
    """Items most urgent first, across markets (:func:`urgency`); a rise first of all."""
    return tuple(
        sorted(
            items,
            key=lambda i: (i.raised_from is None, urgency(i.level, i.n.days_left, i.n.enquiry_days_left)),
        )
    )


@dataclass(frozen=True)
class Digest:
    """One contact's email."""

    recipient: str
    #: The exporter's name, for the greeting.
    name: str
    language: Language
    #: ``immediate``, ``daily`` or ``weekly``.
    frequency: str
    #: Shown in full, most urgent first.
    items: tuple[DigestItem, ...]
    count: int
    today: dt.date
    zone_name: str
    unsubscribe_url: str
    #: Alerts past ``[digest] full_items``, one line each (gravest first), rendered.
    brief_count: int = 0
    brief_text: str = ""
    brief_html: Markup = NO_MARKUP
    #: Alerts past the brief lines too: counted, with the contact's alerts page.
    unlisted: int = 0
    alerts_url: str = ""
    #: The contact's subscription settings (``/exporter``).
    settings_url: str = ""


def urgency(level: Level, days_left: int | None, enquiry_days_left: int | None) -> tuple[int, int, int]:
    """The order of alerts, most urgent first: open comment periods by the days
    left to the enquiry point's date (passed ones first: act today), then by
    level; then those with no deadline given, by level; then closed ones, by
    level, the most recently closed first."""
    rank = LEVELS.index(level)
    if days_left is None:
        return (1, rank, 0)
    if days_left >= 0:
        return (0, enquiry_days_left if enquiry_days_left is not None else days_left, rank)
    return (2, rank, -days_left)
