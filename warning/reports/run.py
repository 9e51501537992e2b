"""Making a report from a runtime: the tables, then xlsx or HTML bytes."""

from __future__ import annotations

from warning.mapping.mappings import current_sectors
from warning.reports.data import Period, Report, build_report
from warning.reports.output import to_html, to_xlsx
from warning.runtime import Runtime

FORMATS = ("xlsx", "html")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def make_report(rt: Runtime, period: Period) -> Report:
    sectors = await current_sectors(rt)
    async with rt.db.begin() as conn:
        return await build_report(conn, period, sectors, rt.config.classifier.alert_threshold)


def render_report(report: Report, fmt: str, language: str, *, standalone: bool = True) -> bytes:
    """The report as ``xlsx`` or ``html`` bytes.

    Raises:
        ValueError: another format.
    """
    if fmt == "xlsx":
        return to_xlsx(report, language)
    if fmt == "html":
        return to_html(report, language, standalone=standalone).encode("utf-8")
    raise ValueError(f"format {fmt!r}: xlsx or html")
