"""A report as an xlsx workbook (one sheet per table, numbers as numbers,
headers in the reader's language) and as a printable HTML page (charts as
embedded PNG images)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifications.digest import LEVEL_COLOURS
from warning.reports.data import Counted, Report
from warning.review.numbers import LEVEL_KEYS
from warning.symbols import reference

HEADERS: dict[str, dict[str, str]] = {
    "en": {
        "by_member": "By member",
        "by_sector": "By sector",
        "by_type": "By measure type",
        "covered": "Exports covered",
        "top": "Top measures",
        "trends": "Trends",
        "member": "Member",
        "sector": "Sector",
        "type": "Measure type",
        "total": "Notifications",
        "red": "Red",
        "orange": "Orange",
        "yellow": "Yellow",
        "blue": "Blue",
        "none": "No level",
        "market": "Market",
        "market_code": "Market code",
        "value": "Exports covered (USD a year)",
        "measures": "Open measures",
        "symbol": "Symbol",
        "title": "Title",
        "level": "Level",
        "deadline": "Comment deadline",
        "at_stake": "Value at stake (USD a year)",
        "month": "Month",
        "report": "TBT/SPS report",
    },
    "zh": {
        "by_member": "按通报成员",
        "by_sector": "按行业",
        "by_type": "按措施类型",
        "covered": "涉及出口",
        "top": "涉及金额最大的措施",
        "trends": "趋势",
        "member": "通报成员",
        "sector": "行业",
        "type": "措施类型",
        "total": "通报数",
        "red": "红色",
        "orange": "橙色",
        "yellow": "黄色",
        "blue": "蓝色",
        "none": "无等级",
        "market": "市场",
        "market_code": "市场代码",
        "value": "涉及出口额（美元/年）",
        "measures": "有效措施数",
        "symbol": "通报号",
        "title": "标题",
        "level": "等级",
        "deadline": "评议截止日期",
        "at_stake": "涉及金额（美元/年）",
        "month": "月份",
        "report": "TBT/SPS 报告",
    },
}
SHEETS = ("by_member", "by_sector", "by_type", "covered", "top", "trends")


def _counts(h: dict[str, str], first: str, rows: Sequence[Counted]) -> list[list[Any]]:
    out: list[list[Any]] = [[h[first], h["total"], *(h[k] for k in LEVEL_KEYS)]]
    out += [[r.label, r.total, *(r.by_level[k] for k in LEVEL_KEYS)] for r in rows]
    return out


def tables(report: Report, language: str) -> dict[str, list[list[Any]]]:
    """Each table with its header row, in ``language``."""
    h = HEADERS[language if language in HEADERS else "en"]
    zh = language == "zh"
    return {
        "by_member": _counts(h, "member", report.by_member),
        "by_sector": _counts(h, "sector", report.by_sector),
        "by_type": _counts(h, "type", report.by_type),
        "covered": [[h["market"], h["market_code"], h["sector"], h["value"], h["measures"]]]
        + [
            [
                c.market_name_zh if zh else c.market_name_en,
                c.market,
                c.sector_zh if zh else c.sector_en,
                c.value_usd,
                c.measures,
            ]
            for c in report.covered
        ],
        "top": [[h["symbol"], h["member"], h["title"], h["level"], h["deadline"], h["at_stake"]]]
        + [
            [reference(t.key), t.members, t.title, h[t.level], t.comment_deadline, t.value_usd]
            for t in report.top_measures
        ],
        "trends": [[h["month"], h["total"], *(h[k] for k in LEVEL_KEYS)]]
        + [[month, sum(c.values()), *(c[k] for k in LEVEL_KEYS)] for month, c in report.trends],
    }


def to_xlsx(report: Report, language: str) -> bytes:
    """The workbook: one sheet per table, its first row the headers (bold)."""
    # openpyxl and matplotlib are imported where they are used: the web app
    # and the daemon import this module and should not pay for them at start.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    h = HEADERS[language if language in HEADERS else "en"]
    for name, rows in tables(report, language).items():
        sheet = workbook.create_sheet(h[name][:31])
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def trend_chart(report: Report, language: str) -> bytes:
    """Twelve months of notifications, stacked by level (PNG; English labels whatever ``language``)."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede any pyplot use
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.2), dpi=100)
    axes = figure.subplots()
    months = [m for m, _ in report.trends]
    bottom = [0] * len(months)
    for key in LEVEL_KEYS:
        values = [c[key] for _, c in report.trends]
        colour = LEVEL_COLOURS.get(key, "#888888")
        axes.bar(
            list(range(len(months))),
            values,
            bottom=bottom,
            color=colour,
            label=key.capitalize() if key != "none" else "No level",
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_xticks(list(range(len(months))), months)
    axes.set_ylabel("notifications")
    # English in the chart: the machine may have no CJK font (the page around it is bilingual).
    axes.set_title(f"Notifications by level, {months[0]} to {months[-1]}" if months else "Notifications")
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    axes.legend(fontsize="small", title="level", title_fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("warning.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
    )


def to_html(report: Report, language: str, *, standalone: bool = True, chart_src: str = "") -> str:
    """A printable page with a print stylesheet and its chart as a data: PNG.
    ``standalone``: the stylesheet inside the page (a file); else linked (the
    web app, whose policy allows no inline style)."""
    css = (resources.files("warning.web") / "static" / "report.css").read_text("utf-8") if standalone else ""
    chart = chart_src or "data:image/png;base64," + base64.b64encode(trend_chart(report, language)).decode()
    h = HEADERS[language if language in HEADERS else "en"]
    return (
        _environment()
        .get_template("report.html")
        .render(r=report, t=tables(report, language), h=h, lang=language, chart=chart, sheets=SHEETS, css=css)
    )
