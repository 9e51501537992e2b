"""The rows of the notification tables (list, dashboard, measure thread), built in Python.

The list page shows 50 rows; rendered by the jinja2 loop they were about a
sixth of its time at 50,000 notifications (``bench/web.py``: attribute
lookups and a ``Markup`` per value). Every value from a notification is
escaped with :func:`markupsafe.escape`, as autoescape would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from markupsafe import Markup, escape

from warning.symbols import reference
from warning.web.i18n import LEVEL_NAMES, translate


class SummaryRow(Protocol):
    """What a table row shows (:class:`warning.storage.search.NotificationSummary`)."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def member_name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def distribution_date(self) -> dt.date | None: ...
    @property
    def comment_deadline(self) -> dt.date | None: ...
    @property
    def level(self) -> str | None: ...


def _deadline(deadline: dt.date | None, today: dt.date, days_left: str, closed: str) -> str:
    if deadline is None:
        return ""
    left = (deadline - today).days
    if left >= 0:
        return f'{deadline.isoformat()} <span class="left">({escape(days_left.format(n=left))})</span>'
    return f'{deadline.isoformat()} <span class="closed">({closed})</span>'


def summary_rows(rows: Iterable[SummaryRow], today: dt.date, lang: str) -> Markup:
    """The ``<tr>`` elements of ``rows`` in ``lang`` (empty for no rows)."""
    days_left = translate(lang, "days_left", n="{n}")
    closed = str(escape(translate(lang, "closed")))
    names = LEVEL_NAMES[lang if lang in LEVEL_NAMES else "en"]
    out = []
    for r in rows:
        level = (
            f'<span class="level level-{escape(r.level)}">{escape(names.get(r.level, r.level))}</span>'
            if r.level
            else ""
        )
        distributed = r.distribution_date.isoformat() if r.distribution_date else ""
        out.append(
            f'<tr>\n  <td><a href="/notifications/{int(r.id)}">{escape(reference(r.key))}</a></td>\n'
            f"  <td>{escape(r.member_name)}</td>\n"
            f'  <td class="title">{escape(r.title)}</td>\n'
            f"  <td>{distributed}</td>\n"
            f"  <td>{_deadline(r.comment_deadline, today, days_left, closed)}</td>\n"
            f"  <td>{level}</td>\n</tr>\n"
        )
    return Markup("".join(out))
