"""A response file's history as the staff page shows it: each event's before
and after in the reader's language. The events are stored in one neutral form
(``version 2``, ``concern 7``, ``approved: version 2``...), which the zip
export keeps; this module words them for the page, and leaves any other
value (names, addresses, file names, staff's own text) as stored."""

from __future__ import annotations

import re
from collections.abc import Callable

from warning.responses.dossier import Dossier
from warning.types import RESPONSE_STATUSES
from warning.web.i18n import translate

_VERSION = re.compile(r"version (\d+)")
_NUMBERED = re.compile(r"(concern|exporter) (\d+)")
_SENT = re.compile(r"(\d+) requests to (.+)")
_DOCUMENT = re.compile(r"(comment|reply): (.+)")


def _status(value: str, lang: str) -> str:
    status, _, rest = value.partition(": ")
    if status not in RESPONSE_STATUSES:
        return value
    named = translate(lang, f"rq_status_{status}")
    colon = "：" if lang == "zh" else ": "
    return f"{named}{colon}{_words(rest, lang)}" if rest else named


def _words(value: str, lang: str) -> str:
    found = _VERSION.fullmatch(value)
    if found:
        return translate(lang, "rq_history_version", n=found[1])
    return value


def history_words(d: Dossier, lang: str) -> Callable[[str, str], str]:
    """``(action, value) -> text`` for the page's history table."""

    def word(action: str, value: str) -> str:
        if not value:
            return ""
        if action == "status":
            return _status(value, lang)
        numbered = _NUMBERED.fullmatch(value)
        if numbered and numbered[1] == "concern":
            return translate(lang, "rq_history_concern", n=numbered[2])
        if numbered:  # a full-text request: the company's name
            return d.company(int(numbered[2]))
        sent = _SENT.fullmatch(value)
        if action == "full_text_sent" and sent:
            return translate(lang, "rq_history_requests_sent", n=sent[1], address=sent[2])
        document = _DOCUMENT.fullmatch(value)
        if action == "document" and document:
            colon = "：" if lang == "zh" else ": "
            return f"{translate(lang, f'rq_history_doc_{document[1]}')}{colon}{document[2]}"
        return _words(value, lang)

    return word
