"""The zone's comment (.docx) and the concerned companies (.xlsx), read back
with python-docx and openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import docx
from openpyxl import load_workbook

from warning.responses.comment_doc import ConcernQuote, MeasureQuote, comment_docx, template_texts
from warning.responses.companies_xlsx import HEADERS, CompanyRow, companies_xlsx

MEASURE = MeasureQuote(
    "G/TBT/N/KEN/1234",
    "Kenya",
    "肯尼亚",
    "Labelling of cosmetics",
    "Article 4.2 (labels in Kiswahili)",
    dt.date(2026, 8, 14),
    dt.date(2026, 8, 9),
)
CONCERNS = [
    ConcernQuote(
        "鲁源化妆品有限公司", "3304", "KEN", "重新印刷标签，成本上升", "延长过渡期至12个月", 1_250_000.0
    ),
    ConcernQuote("Harbour Med\x01 Ltd", "9018", "KEN", '=HYPERLINK("x")', "accept English labels", None),
]


def _document_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_comment_quotes_the_measure_the_concerns_and_the_value_chinese_first() -> None:
    zh, en = template_texts(MEASURE, CONCERNS, "济南片区", "Jinan Area")
    assert "G/TBT/N/KEN/1234" in zh and "延长过渡期至12个月" in zh and "1,250,000 美元" in zh
    assert "USD 1,250,000" in en and "Article 4.2" in en
    data = comment_docx(
        MEASURE, CONCERNS, zh, en, zone_zh="济南片区", zone_en="Jinan Area", date=dt.date(2026, 8, 3)
    )
    text = _document_text(data)
    for quoted in (
        "G/TBT/N/KEN/1234",
        "Labelling of cosmetics",
        "Article 4.2",
        "肯尼亚",
        "重新印刷标签，成本上升",
    ):
        assert quoted in text
    assert "1,250,000 美元" in text and "USD 1,250,000" in text
    # Chinese first, then English.
    assert text.index("关于 G/TBT/N/KEN/1234 的评议意见") < text.index("Comments on G/TBT/N/KEN/1234")
    # A control character a company typed does not break the file.
    assert "Harbour Med Ltd" in text


def test_edited_text_is_what_the_document_says() -> None:
    data = comment_docx(
        MEASURE,
        CONCERNS,
        "修改后的意见",
        "Edited comment",
        zone_zh="区",
        zone_en="Zone",
        date=dt.date(2026, 8, 3),
    )
    text = _document_text(data)
    assert "修改后的意见" in text and "Edited comment" in text


def test_the_companies_list_has_chinese_headers_numbers_as_numbers_and_no_formulas() -> None:
    rows = [
        CompanyRow(
            "鲁源化妆品有限公司",
            "91370100MA3C000000",
            "王芳",
            "w@example.cn",
            "3304",
            "KEN",
            1_250_000.0,
            "成本",
            "延期",
            "2026-08-01",
        ),
        CompanyRow(
            "=cmd|' /C calc'!A0", "", "", "x@example.com", "9018", "KEN", None, "+1", "-2", "2026-08-02"
        ),
    ]
    book = load_workbook(io.BytesIO(companies_xlsx("G/TBT/N/KEN/1234", rows)))
    sheet = book["企业清单"]
    assert [c.value for c in sheet[2]] == list(HEADERS)
    assert sheet["H3"].value == 1_250_000 and isinstance(sheet["H3"].value, float | int)
    assert sheet["A3"].value == 1
    assert sheet["B4"].value.startswith("'=")
    assert sheet["I4"].value == "'+1" and sheet["J4"].value == "'-2"
    assert sheet["H4"].value is None
