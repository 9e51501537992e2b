"""The display API: a notification's free text in a reader's language, flagged.

Emails and pages call :func:`shown_notification` (or :func:`load_shown` for
many) with the reader's language. Each field comes back as a
:class:`ShownText`: the text in the reader's language when it was notified
in it (``original``) or a translation of its current text exists
(``machine``, labelled 机器翻译 / machine translation, or ``reviewed``),
else the original text (``untranslated``); the original is always carried
beside it, for a page to put one click away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from warning.storage.translations import load_translations, source_hash
from warning.translation.base import FIELDS
from warning.translation.glossary import text_language
from warning.types import Notification, Translation

Status = Literal["original", "machine", "reviewed", "untranslated"]

#: How each status is labelled, in the reader's language.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "original": "",
        "machine": "机器翻译",
        "reviewed": "人工审校译文",
        "untranslated": "尚无译文，以下为原文",
        "show_original": "查看原文",
        "original_text": "原文",
    },
    "en": {
        "original": "",
        "machine": "machine translation",
        "reviewed": "reviewed translation",
        "untranslated": "not yet translated: original text",
        "show_original": "Show the original",
        "original_text": "Original",
    },
}
#: Language names in each reader's language (codes we do not name are shown as they are).
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {"zh": "Chinese", "en": "English", "fr": "French", "es": "Spanish", "th": "Thai", "ar": "Arabic"},
    "zh": {"zh": "中文", "en": "英文", "fr": "法文", "es": "西班牙文", "th": "泰文", "ar": "阿拉伯文"},
}
#: The weakest status first: a notification is labelled by its weakest translated field.
_ORDER: tuple[Status, ...] = ("machine", "untranslated", "reviewed", "original")


def label(status: str, language: str) -> str:
    """The label of a status (or of ``show_original`` / ``original_text``) in ``zh`` or ``en``."""
    return LABELS["zh" if language == "zh" else "en"][status]


def language_name(code: str, reader: str) -> str:
    """A language's name for a reader of ``zh`` or ``en`` (``英文``, ``Chinese``)."""
    return LANGUAGE_NAMES["zh" if reader == "zh" else "en"].get(code, code)


@dataclass(frozen=True)
class ShownText:
    """One field as shown to a reader."""

    #: What to show: the translation, or the original when none is shown.
    text: str
    #: The language of ``text``.
    language: str
    status: Status
    original: str
    original_language: str
    #: The engine or staff member behind a translation.
    made_by: str = ""

    @property
    def translated(self) -> bool:
        return self.status in ("machine", "reviewed")

    def label(self, reader: str) -> str:
        """The status's label for a reader (empty for text shown as notified in their language)."""
        return label(self.status, reader)

    def original_label(self, reader: str) -> str:
        """What the link or ``<summary>`` to the original says: ``查看原文（英文）``."""
        name = language_name(self.original_language, reader)
        return (
            f"{label('show_original', reader)}（{name}）"
            if reader == "zh"
            else (f"{label('show_original', reader)} ({name})")
        )


@dataclass(frozen=True)
class ShownNotification:
    """A notification's title, description and products as shown to one reader."""

    notification_id: int
    #: The reader's language.
    language: str
    title: ShownText
    description: ShownText
    products: ShownText

    def field(self, name: str) -> ShownText:
        shown: ShownText = getattr(self, name)
        return shown

    @property
    def status(self) -> Status:
        """The weakest status of its non-empty fields (``machine`` if any is)."""
        found = {f.status for f in (self.title, self.description, self.products) if f.original}
        return next((s for s in _ORDER if s in found), "original")

    @property
    def label(self) -> str:
        """The notification's label for its reader (empty when all is original)."""
        return label(self.status, self.language)

    @property
    def translated(self) -> bool:
        return any(f.translated for f in (self.title, self.description, self.products))


def shown_text(
    text: str, declared: str, field: str, reader: str, translations: Mapping[tuple[str, str], Translation]
) -> ShownText:
    """One field for a reader of ``reader`` (``declared``: the notification's language)."""
    if not text.strip():
        return ShownText("", reader, "original", "", reader)
    source = text_language(text, declared)
    if source == reader:
        return ShownText(text, reader, "original", text, source)
    found = translations.get((field, reader))
    if found is not None and found.source_sha256 == source_hash(text):
        return ShownText(found.text, reader, found.origin, text, source, found.made_by)
    return ShownText(text, source, "untranslated", text, source)


def shown_notification(
    notification_id: int,
    n: Notification,
    reader: str,
    translations: Mapping[tuple[str, str], Translation] | None = None,
) -> ShownNotification:
    """A notification's free text for a reader of ``reader`` (``zh`` or ``en``)."""
    found = translations or {}
    title, description, products = (shown_text(getattr(n, f), n.language, f, reader, found) for f in FIELDS)
    return ShownNotification(notification_id, reader, title, description, products)


async def load_shown(
    conn: AsyncConnection, notifications: Mapping[int, Notification], readers: Iterable[str]
) -> dict[tuple[int, str], ShownNotification]:
    """The notifications as shown to readers of each language, by (id, language)."""
    stored = await load_translations(conn, notifications)
    return {
        (nid, reader): shown_notification(nid, n, reader, stored.get(nid))
        for nid, n in notifications.items()
        for reader in readers
    }


async def shown_for(
    conn: AsyncConnection, notification_id: int, n: Notification, reader: str
) -> ShownNotification:
    """One notification as shown to a reader of ``reader``, its translations loaded.

    A page shows each field with ``templates/translation_macros.html``'s
    ``shown_text`` macro (label, and the original in a ``<details>``).
    """
    return (await load_shown(conn, {notification_id: n}, [reader]))[(notification_id, reader)]


async def titles_for(
    conn: AsyncConnection, titles: Mapping[int, str], reader: str
) -> dict[int, tuple[str, Status]]:
    """Titles (notification id -> title as stored) for a reader of ``reader``, for
    lists: the translation where one of the current title exists, with its status;
    titles in the reader's language or without one are left out."""
    stored = await load_translations(conn, titles)
    out: dict[int, tuple[str, Status]] = {}
    for nid, title in titles.items():
        shown = shown_text(title, "", "title", reader, stored.get(nid, {}))
        if shown.translated:
            out[nid] = (shown.text, shown.status)
    return out
