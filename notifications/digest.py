"""What a digest says: the items of one exporter's email, ready to render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from classifiers.nomenclature import Nomenclature
from warning.members import display_name
from warning.types import Exporter, Language, Notification, ProductMatch


@dataclass(frozen=True)
class MatchedCode:
    code: str
    label: str


@dataclass(frozen=True)
class DigestItem:
    """One notification as shown to one exporter."""

    symbols: str
    member: str
    title: str
    products: str
    codes: tuple[MatchedCode, ...]
    comment_deadline: dt.date | None
    #: Days from today to the comment deadline; negative once it has passed.
    days_left: int | None
    link: str | None


@dataclass(frozen=True)
class Digest:
    """One exporter's email."""

    exporter: Exporter
    language: Language
    items: tuple[DigestItem, ...]
    today: dt.date
    zone_name: str


def build_item(
    notification: Notification,
    matches: Sequence[ProductMatch],
    nomenclature: Nomenclature,
    language: Language,
    today: dt.date,
) -> DigestItem:
    """The digest entry of one notification for a reader of ``language``."""
    deadline = notification.comment_deadline
    members = ", ".join(display_name(c, language) for c in notification.member_codes)
    return DigestItem(
        symbols=", ".join(s.text for s in notification.symbols) or notification.key,
        member=members or notification.member_name,
        title=notification.title,
        products=notification.products,
        codes=tuple(MatchedCode(m.hs_code, nomenclature.label(m.hs_code, language)) for m in matches),
        comment_deadline=deadline,
        days_left=(deadline - today).days if deadline else None,
        link=notification.links[0] if notification.links else None,
    )
