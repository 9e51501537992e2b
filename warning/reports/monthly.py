"""The monthly report emailed to officials (``[schedule] monthly_report``):
the printable page as the HTML part, its chart inline, a plain-text summary,
the xlsx workbook attached (headers in the official's language), and links
to the page and the workbook. One language per email (the official's staff
account's, Chinese by default). Queued once per month and official (the
outbox's idempotency key)."""

from __future__ import annotations

import asyncio
import datetime as dt

from notifications.message import Attachment, InlineImage
from notifications.officials import OfficialsMessage, officials_languages, queue_to_officials
from warning.reports.data import Period, Report, parse_period
from warning.reports.output import to_html, to_xlsx, trend_chart
from warning.reports.run import XLSX_TYPE, make_report
from warning.runtime import Runtime
from warning.symbols import reference

CHART_CID = "report-trends"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Monthly TBT/SPS report {month}: {n} notifications",
        "title": "Monthly TBT/SPS report {label} ({start} – {end})",
        "total": "Notifications: {n}",
        "by_member": "By member:",
        "top": "Top measures by value at stake (USD a year):",
        "page": "Report: {url}",
        "xlsx": "Excel workbook (attached, and at): {url}",
        "file": "tbt-report-{month}.xlsx",
    },
    "zh": {
        "subject": "TBT/SPS 月报 {month}：{n} 项通报",
        "title": "TBT/SPS 月报 {label}（{start} – {end}）",
        "total": "通报：{n} 项",
        "by_member": "按通报成员：",
        "top": "涉及金额最大的措施（美元/年）：",
        "page": "报告页面：{url}",
        "xlsx": "Excel 工作簿（见附件，亦可下载）：{url}",
        "file": "TBT月报-{month}.xlsx",
    },
}


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def report_text(report: Report, base_url: str, language: str = "zh") -> str:
    """The plain-text part, in ``language``."""
    t = TEXTS[language]
    period: Period = report.period
    page = f"{base_url}/reports?period={period.label}"
    lines = [
        t["title"].format(label=period.label, start=period.start.isoformat(), end=period.end.isoformat()),
        "",
        t["total"].format(n=report.total),
        "",
        t["by_member"],
        *(f"  {r.label}: {r.total}" for r in report.by_member[:10]),
        "",
        t["top"],
        *(f"  {reference(m.key)} {m.members}: {m.value_usd:,.0f}" for m in report.top_measures[:10]),
        "",
        t["page"].format(url=page),
        t["xlsx"].format(url=f"{page}&format=xlsx"),
    ]
    return "\n".join(lines) + "\n"


def monthly_message(
    report: Report, month: str, base_url: str, language: str, chart: bytes
) -> OfficialsMessage:
    """The month's email in ``language``, the workbook attached."""
    t = TEXTS[language]
    return OfficialsMessage(
        t["subject"].format(month=month, n=report.total),
        report_text(report, base_url, language),
        to_html(report, language, chart_src=f"cid:{CHART_CID}"),
        (InlineImage(CHART_CID, chart),),
        (Attachment(t["file"].format(month=month), to_xlsx(report, language), XLSX_TYPE),),
    )


async def compose_monthly_report(rt: Runtime, month: str) -> int:
    """Queue the report of ``month`` (``YYYY-MM``) to every ``[digest] officials``
    address, each in the official's language; returns the messages queued (0 for
    those already queued)."""
    report = await make_report(rt, parse_period(month))
    base_url = rt.config.zone.base_url.rstrip("/")
    async with rt.db.begin() as conn:
        languages = sorted(set((await officials_languages(rt, conn)).values()))
    if not languages:
        return 0
    # The chart, pages and workbooks are CPU work: off the event loop (the daemon's
    # other jobs, collection among them, go on meanwhile).
    messages = await asyncio.to_thread(_messages, report, month, base_url, languages)
    async with rt.db.begin() as conn:
        return await queue_to_officials(rt, conn, f"monthly:{month}", "monthly-report", messages)


def _messages(report: Report, month: str, base_url: str, languages: list[str]) -> dict[str, OfficialsMessage]:
    chart = trend_chart(report, "zh")  # English labels whatever the language (see trend_chart)
    return {lang: monthly_message(report, month, base_url, lang, chart) for lang in languages}
