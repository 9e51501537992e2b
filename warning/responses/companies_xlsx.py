"""The list of companies concerned by a measure, as an .xlsx workbook for the
enquiry point: Chinese headers, numbers as numbers, text cells neutralised
(:func:`warning.safe_text.spreadsheet_cell`) so no company's words run as a formula."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from warning.safe_text import spreadsheet_cell, strip_controls

#: The columns, in Chinese (the enquiry point's language).
HEADERS = (
    "序号",
    "企业名称",
    "统一社会信用代码",
    "联系人",
    "联系邮箱",
    "产品（HS编码）",
    "出口市场",
    "涉及出口额（美元/年）",
    "预期影响",
    "修改建议",
    "提交时间",
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class CompanyRow:
    """One concerned company (one row per concern)."""

    company: str
    credit_code: str
    contact: str
    email: str
    products: str
    markets: str
    #: Yearly exports at stake (USD), None when unknown (an empty cell).
    export_value_usd: float | None
    effect: str
    requested_change: str
    submitted: str


def _text(value: str) -> str:
    # openpyxl refuses control characters (IllegalCharacterError); formulas are neutralised.
    cell: str = spreadsheet_cell(strip_controls(value))
    return cell


def companies_xlsx(symbol: str, rows: Sequence[CompanyRow]) -> bytes:
    """The workbook: one sheet ``企业清单`` with a title line, the headers, one row per concern."""
    # Imported here: the daemon and the web app start without openpyxl (test_cli_imports).
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "企业清单"
    sheet.append([_text(f"{symbol} 关切企业清单")])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for i, r in enumerate(rows, 1):
        sheet.append(
            [
                i,
                _text(r.company),
                _text(r.credit_code),
                _text(r.contact),
                _text(r.email),
                _text(r.products),
                _text(r.markets),
                r.export_value_usd,
                _text(r.effect),
                _text(r.requested_change),
                _text(r.submitted),
            ]
        )
    for column, width in zip("ABCDEFGHIJK", (6, 28, 22, 12, 26, 18, 14, 20, 40, 40, 18), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = "#,##0"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
