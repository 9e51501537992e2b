"""The monthly report emailed to officials (``[schedule] monthly_report``):
the printable page as the HTML part, its chart inline, a plain-text summary
and links to the page and the xlsx workbook. Queued once per month and
official (the outbox's idempotency key)."""

from __future__ import annotations

import datetime as dt

from notifications.message import InlineImage
from notifications.officials import queue_to_officials
from warning.reports.data import Period, Report, parse_period
from warning.reports.output import to_html, trend_chart
from warning.reports.run import make_report
from warning.runtime import Runtime
from warning.symbols import reference

CHART_CID = "report-trends"


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def report_text(report: Report, base_url: str) -> str:
    period: Period = report.period
    lines = [
        f"TBT/SPS 月报 Monthly report {period.label} ({period.start.isoformat()} – {period.end.isoformat()})",
        "",
        f"通报 Notifications: {report.total}",
        "",
        "按通报成员 By member:",
        *(f"  {r.label}: {r.total}" for r in report.by_member[:10]),
        "",
        "涉及金额最大的措施 Top measures by value at stake (USD a year):",
        *(f"  {reference(t.key)} {t.members}: {t.value_usd:,.0f}" for t in report.top_measures[:10]),
        "",
        f"报告 Report: {base_url}/reports?period={period.label}",
        f"Excel: {base_url}/reports?period={period.label}&format=xlsx",
    ]
    return "\n".join(lines) + "\n"


async def compose_monthly_report(rt: Runtime, month: str) -> int:
    """Queue the report of ``month`` (``YYYY-MM``) to every ``[digest] officials``
    address; returns the messages queued (0 for those already queued)."""
    report = await make_report(rt, parse_period(month))
    base_url = rt.config.zone.base_url.rstrip("/")
    subject = f"TBT/SPS 月报 Monthly report {month}: {report.total} 项通报 notifications"
    html = to_html(report, "zh", chart_src=f"cid:{CHART_CID}")
    text = report_text(report, base_url)
    chart = InlineImage(CHART_CID, trend_chart(report, "zh"))
    async with rt.db.begin() as conn:
        return await queue_to_officials(
            rt, conn, f"monthly:{month}", "monthly-report", subject, text, html, [chart]
        )
