"""What a digest says: the items of one contact's email, grouped, ready to render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from classifiers.nomenclature import Nomenclature
from warning.members import display_name
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
    member: str
    #: The market it is grouped under (the notifying member's name).
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
    url: str
    documents: tuple[str, ...]
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
    url: str,
    enquiry_days: int,
    shown: ShownNotification | None = None,
) -> NotificationView:
    """The notification for readers of ``language``; ``shown`` holds its text
    in that language (from :mod:`warning.translation.display`), if loaded."""
    shown = shown or shown_notification(notification_id, n, language)
    deadline = n.comment_deadline
    enquiry = deadline - dt.timedelta(days=enquiry_days) if deadline else None
    members = ", ".join(display_name(c, language) for c in n.member_codes)
    return NotificationView(
        id=notification_id,
        symbols=", ".join(s.text for s in n.symbols) or n.key,
        member=members or n.member_name,
        market=display_name(n.member_codes[0], language) if n.member_codes else n.member_name,
        title=shown.title.text,
        products=shown.products.text,
        comment_deadline=deadline,
        days_left=(deadline - today).days if deadline else None,
        enquiry_deadline=enquiry,
        enquiry_days_left=(enquiry - today).days if enquiry else None,
        url=url,
        # Only web links: a ``javascript:`` URL from a feed must never become a link.
        documents=tuple(link for link in n.links if link.startswith(("https://", "http://"))),
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


@dataclass(frozen=True)
class MarketGroup:
    market: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class LevelGroup:
    level: Level
    label: str
    colour: str
    markets: tuple[MarketGroup, ...]
    count: int


def group_items(items: Sequence[DigestItem], language: str) -> tuple[LevelGroup, ...]:
    """Items by level (gravest first), then by market (by name), then by deadline."""
    groups = []
    for level in LEVELS:
        at_level = [i for i in items if i.level == level]
        if not at_level:
            continue
        markets: dict[str, list[DigestItem]] = {}
        for item in at_level:
            markets.setdefault(item.n.market, []).append(item)
        groups.append(
            LevelGroup(
                level,
                level_name(level, language),
                LEVEL_COLOURS[level],
                tuple(
                    MarketGroup(name, tuple(sorted(found, key=_deadline_order)))
                    for name, found in sorted(markets.items())
                ),
                len(at_level),
            )
        )
    return tuple(groups)


def _deadline_order(item: DigestItem) -> tuple[dt.date, str]:
    return (item.n.comment_deadline or dt.date.max, item.n.symbols)


@dataclass(frozen=True)
class Digest:
    """One contact's email."""

    recipient: str
    #: The exporter's name, for the greeting.
    name: str
    language: Language
    #: ``immediate``, ``daily`` or ``weekly``.
    frequency: str
    groups: tuple[LevelGroup, ...]
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


def priority(level: Level, days_left: int | None) -> tuple[int, int, int]:
    """Which alerts of one email are shown in full first: the gravest level,
    then an open comment period (soonest deadline first), then no deadline
    given, then a closed one (most recently closed first)."""
    rank = LEVELS.index(level)
    if days_left is None:
        return (rank, 1, 0)
    return (rank, 0, days_left) if days_left >= 0 else (rank, 2, -days_left)
