"""What exporters read: plain words in their language, from our own data.

Exporter-facing text (emails, the exporter pages) never shows classifier
scores or matching jargon: staff pages keep that evidence. Everything here
comes from our own data (member names, HS names, the exporter's own product
names, the stored reasons' plain halves) except a notification's free text,
which goes through :func:`display_text` alone, so a translation layer can
replace it in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from classifiers.nomenclature import Nomenclature
from warning.members import code_for_name, display_name
from warning.types import Exporter, Notification, ProductMatch, Reason

#: Kinds of stored reasons an exporter is shown as stored. ``relevance`` is said
#: again in plain words (:func:`products_reason`); ``urgency`` is not repeated,
#: the dates are shown with the days left counted today.
_SHOWN_AS_STORED = ("exposure", "severity", "objective", "thread")


@dataclass(frozen=True)
class DisplayText:
    """A notification's free-text field as a reader sees it."""

    text: str
    #: The text as notified, when ``text`` is a translation; else ``None``.
    original: str | None = None
    #: How the text was made, for a label ("machine translation"), else ``""``.
    label: str = ""


def display_text(n: Notification, field: str, language: str) -> DisplayText:
    """The notification's ``title``, ``description`` or ``products`` for a reader of ``language``.

    The one place exporter-facing text reads a notification's free text: it
    is shown as notified until a translation is stored for it.
    """
    del language  # no translation yet: the text as notified
    text: str = getattr(n, field)
    if field == "title" and not text.strip():
        text = n.description.split("\n")[0][:200]
    return DisplayText(text)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def notifying_member(n: Notification) -> tuple[str, tuple[str, ...]]:
    """The code of the member that notified it, and the other members of a joint notification.

    The source's ``notifying_member`` names it (a joint East African notification
    lists Burundi first though Kenya notified it); the first symbol's otherwise.
    """
    codes = n.member_codes
    named = code_for_name(n.member_name) if n.member_name else None
    if named is not None and named in codes:
        first = named
    elif codes:
        first = codes[0]
    else:
        return named or n.member_name, ()
    return first, tuple(c for c in codes if c != first)


def member_line(n: Notification, language: str) -> str:
    """``Kenya (joint notification with Burundi, Rwanda)`` in the reader's language."""
    first, others = notifying_member(n)
    name = display_name(first, language) if first else n.member_name
    if not others:
        return name
    names = [display_name(c, language) for c in others]
    if language == "zh":
        return f"{name}（与{'、'.join(names)}联合通报）"
    return f"{name} (joint notification with {', '.join(names)})"


def market_name(n: Notification, language: str) -> str:
    """The notifying member's name (the market an item belongs to)."""
    first, _ = notifying_member(n)
    return display_name(first, language) if first else n.member_name


def product_label(code: str, exporter: Exporter | None, nomenclature: Nomenclature, language: str) -> str:
    """The exporter's own name for an HS code when it reads in ``language``, else ours.

    Ours: the HS description in English; in Chinese the chapter's name (the
    bundled nomenclature names headings in English only, and a page is in one language).
    """
    own = exporter.product_name(code) if exporter else None
    if own and (_has_cjk(own) == (language == "zh")):
        return own
    entry = nomenclature.get(code) or nomenclature.get(code[:4]) or nomenclature.get(code[:2])
    if entry is None:
        return ""
    if language == "zh":
        return entry.name_zh
    text = entry.description
    return text if len(text) <= 80 else text[:79].rstrip(" ,;") + "…"


def _join(items: Sequence[str], language: str) -> str:
    if language == "zh":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def concerned_codes(matches: Sequence[ProductMatch], exporter: Exporter | None) -> tuple[str, ...]:
    """The exporter's HS codes that the measure's products cover (by shared prefix), in its order."""
    if exporter is None:
        return tuple(dict.fromkeys(m.hs_code for m in matches))
    return tuple(
        code
        for code in exporter.hs_codes
        if any(m.hs_code.startswith(code) or code.startswith(m.hs_code) for m in matches)
    )


def products_reason(
    matches: Sequence[ProductMatch], exporter: Exporter | None, nomenclature: Nomenclature, language: str
) -> str:
    """ "your 3304 skin-care products are in the products this measure covers", in the reader's language."""
    codes = concerned_codes(matches, exporter)
    if not codes:
        return ""
    parts = []
    for code in codes:
        own = exporter.product_name(code) if exporter else None
        label = product_label(code, exporter, nomenclature, language)
        if language == "zh":
            parts.append(f"{code}{label}" if label else code)
        elif own and label == own:
            parts.append(f"{code} {label}")
        else:
            parts.append(f"HS {code} products ({label.lower()})" if label else f"HS {code} products")
    if language == "zh":
        return f"贵企业的{_join(parts, language)}产品在本措施涵盖的产品之列"
    return f"your {_join(parts, language)} are in the products this measure covers"


def plain_reasons(
    reasons: Sequence[Reason],
    matches: Sequence[ProductMatch],
    exporter: Exporter | None,
    nomenclature: Nomenclature,
    language: str,
) -> tuple[str, ...]:
    """Why an alert concerns the exporter, in plain words: an officials' level
    change and its reason, its products, then what the stored reasons say about
    exports at stake and the measure."""
    # A level the trade officials set comes first, with their reason (issue 18).
    out = [r.text(language) for r in reasons if r.code == "review"]
    out.append(products_reason(matches, exporter, nomenclature, language))
    out += [r.text(language) for r in reasons if r.code in _SHOWN_AS_STORED]
    return tuple(text for text in out if text)


def plural(n: int, one: str, many: str) -> str:
    """``one`` or ``many`` (both with ``{n}``) as English needs for ``n``."""
    return (one if n == 1 else many).format(n=n)
