"""The notification tables' rows built in Python escape every value from a feed."""

from __future__ import annotations

import datetime as dt

from warning.storage.search import NotificationSummary
from warning.web.summary_rows import summary_rows

TODAY = dt.date(2026, 6, 17)


def _row(**changes: object) -> NotificationSummary:
    values: dict[str, object] = {
        "id": 7,
        "key": "G/TBT/N/USA/1<b>",
        "area": "TBT",
        "member_codes": ("USA",),
        "member_name": "United States <img src=x onerror=alert(1)>",
        "notification_type": "Regular",
        "title": "<script>alert('t')</script> Toys & games",
        "distribution_date": dt.date(2026, 6, 1),
        "comment_deadline": dt.date(2026, 6, 20),
        "level": "orange",
    }
    return NotificationSummary(**(values | changes))  # type: ignore[arg-type]


def test_feed_text_is_escaped() -> None:
    html = str(summary_rows([_row()], TODAY, "en"))
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; Toys &amp; games" in html
    assert '<a href="/notifications/7">G/TBT/N/USA/1&lt;b&gt;</a>' in html
    assert "United States &lt;img src=x onerror=alert(1)&gt;" in html


def test_deadline_and_level_in_the_users_language() -> None:
    open_row, closed_row = _row(), _row(comment_deadline=dt.date(2026, 6, 1), level=None)
    english = str(summary_rows([open_row, closed_row], TODAY, "en"))
    assert '2026-06-20 <span class="left">(3 days left)</span>' in english
    assert '2026-06-01 <span class="closed">(closed)</span>' in english
    assert english.count('class="level level-orange"') == 1
    chinese = str(summary_rows([open_row, closed_row], TODAY, "zh"))
    assert "剩余 3 天" in chinese and "已截止" in chinese
    assert str(summary_rows([], TODAY, "en")) == ""
