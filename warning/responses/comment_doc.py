"""The zone's comment on a foreign measure as a Word document (.docx), Chinese
first, then English.

Chinese government offices open Word documents; python-docx writes valid
OOXML (hand-written XML is easy to get subtly wrong). The document quotes the
measure (symbol, member, title, the provisions concerned), the zone's comment
as drafted and approved, each company's concern and requested change, and
the exports at stake. :func:`template_texts` gives a draft's starting text;
:func:`comment_docx` the file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warning.safe_text import strip_controls

if TYPE_CHECKING:
    from docx.document import Document as DocumentType

#: A font every Chinese Windows and WPS install has, for East Asian characters.
EAST_ASIAN_FONT = "SimSun"


@dataclass(frozen=True)
class MeasureQuote:
    """The measure as the comment quotes it."""

    symbol: str
    member: str
    member_zh: str
    title: str
    #: The provisions the companies are concerned with (free text, as the staff wrote it).
    provisions: str
    comment_deadline: dt.date | None
    enquiry_date: dt.date | None


@dataclass(frozen=True)
class ConcernQuote:
    """One company's concern as submitted (quoted, never edited)."""

    company: str
    products: str
    markets: str
    effect: str
    requested_change: str
    #: Yearly exports at stake (USD), None when unknown.
    export_value_usd: float | None


def money(value: float | None, language: str) -> str:
    """``USD 1,234,567`` (``1,234,567 美元``), or "unknown" in the language."""
    if value is None:
        return "未知" if language == "zh" else "unknown"
    return f"{value:,.0f} 美元" if language == "zh" else f"USD {value:,.0f}"


def _clean(text: str) -> str:
    """Text a .docx can hold: XML 1.0 allows no control characters but tab and line breaks."""
    return strip_controls(text)


def _known(effect: str, separator: str) -> str:
    """The expected effect followed by ``separator``; nothing when the company gave none ("-")."""
    return "" if effect.strip() in ("", "-") else effect + separator


def total_at_stake(concerns: Sequence[ConcernQuote]) -> float | None:
    known = [c.export_value_usd for c in concerns if c.export_value_usd is not None]
    return sum(known) if known else None


def template_texts(
    measure: MeasureQuote, concerns: Sequence[ConcernQuote], zone_zh: str, zone_en: str
) -> tuple[str, str]:
    """The comment's prefilled Chinese and English text, for staff to edit."""
    total_zh = money(total_at_stake(concerns), "zh")
    total_en = money(total_at_stake(concerns), "en")
    provisions = measure.provisions or "（请注明条款）"
    zh = [
        f"{zone_zh}对{measure.member_zh or measure.member}通报的 {measure.symbol}"
        f"《{measure.title}》提出以下评议意见。",
        f"涉及条款：{provisions}。",
        f"本区 {len(concerns)} 家企业表示关切"
        + (f"，涉及年出口额约 {total_zh}。" if total_at_stake(concerns) is not None else "。"),
        "企业的主要关切及修改建议：",
    ]
    zh += [
        f"{i}. {c.company}：{_known(c.effect, '；')}建议：{c.requested_change}"
        for i, c in enumerate(concerns, 1)
    ]
    zh.append("请通报成员考虑上述意见，并给予合理的过渡期。")
    en = [
        f"{zone_en} submits the following comments on {measure.symbol}, notified by "
        f'{measure.member}: "{measure.title}".',
        f"Provisions concerned: {measure.provisions or '(please state the provisions)'}.",
        f"{len(concerns)} {'company' if len(concerns) == 1 else 'companies'} of the zone "
        f"{'is' if len(concerns) == 1 else 'are'} concerned"
        + (
            f", with yearly exports of about {total_en} at stake."
            if total_at_stake(concerns) is not None
            else "."
        ),
        "Their main concerns and requested changes:",
    ]
    en += [
        f"{i}. {c.company}: {_known(c.effect, '; ')}requested: {c.requested_change}"
        for i, c in enumerate(concerns, 1)
    ]
    en.append(
        "We ask the notifying member to take these comments into account "
        "and to allow a reasonable transition period."
    )
    return "\n".join(zh), "\n".join(en)


_LABELS = {
    "zh": {
        "heading": "关于 {symbol} 的评议意见",
        "measure": "通报措施",
        "symbol": "通报号",
        "member": "通报成员",
        "title": "标题",
        "provisions": "涉及条款",
        "deadline": "评议截止日期",
        "comment": "评议意见",
        "concerns": "企业关切与修改建议",
        "company": "企业",
        "products": "产品",
        "markets": "市场",
        "effect": "预期影响",
        "change": "修改建议",
        "value": "涉及出口额（年）",
        "total": "涉及出口合计（年）：{total}",
        "from": "{zone}，{date}",
    },
    "en": {
        "heading": "Comments on {symbol}",
        "measure": "The measure",
        "symbol": "Symbol",
        "member": "Notifying member",
        "title": "Title",
        "provisions": "Provisions concerned",
        "deadline": "Comment deadline",
        "comment": "Comments",
        "concerns": "Companies' concerns and requested changes",
        "company": "Company",
        "products": "Products",
        "markets": "Markets",
        "effect": "Expected effect",
        "change": "Requested change",
        "value": "Exports at stake (yearly)",
        "total": "Exports at stake in total (yearly): {total}",
        "from": "{zone}, {date}",
    },
}


def _section(
    doc: DocumentType,  # python-docx is imported where a document is made, not at start
    language: str,
    measure: MeasureQuote,
    concerns: Sequence[ConcernQuote],
    text: str,
    zone: str,
    date: dt.date,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    lab = _LABELS[language]
    doc.add_heading(lab["heading"].format(symbol=_clean(measure.symbol)), level=1)
    doc.add_heading(lab["measure"], level=2)
    member = measure.member_zh or measure.member if language == "zh" else measure.member
    facts = [
        (lab["symbol"], measure.symbol),
        (lab["member"], member),
        (lab["title"], measure.title),
        (lab["provisions"], measure.provisions or "-"),
        (lab["deadline"], measure.comment_deadline.isoformat() if measure.comment_deadline else "-"),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for name, value in facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, _clean(value)
    doc.add_heading(lab["comment"], level=2)
    for line in _clean(text).splitlines():
        doc.add_paragraph(line)
    doc.add_heading(lab["concerns"], level=2)
    grid = doc.add_table(rows=1, cols=6)
    grid.style = "Table Grid"
    for cell, key in zip(
        grid.rows[0].cells, ("company", "products", "markets", "effect", "change", "value"), strict=True
    ):
        cell.text = lab[key]
    for c in concerns:
        cells = grid.add_row().cells
        values = (
            c.company,
            c.products,
            c.markets,
            c.effect,
            c.requested_change,
            money(c.export_value_usd, language),
        )
        for cell, value in zip(cells, values, strict=True):
            cell.text = _clean(value)
    doc.add_paragraph(lab["total"].format(total=money(total_at_stake(concerns), language)))
    signature = doc.add_paragraph(lab["from"].format(zone=zone, date=date.isoformat()))
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def comment_docx(
    measure: MeasureQuote,
    concerns: Sequence[ConcernQuote],
    text_zh: str,
    text_en: str,
    *,
    zone_zh: str,
    zone_en: str,
    date: dt.date,
) -> bytes:
    """The comment document: the Chinese section, a page break, the English one."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    fonts = normal.element.rPr.rFonts if normal.element.rPr is not None else None
    if fonts is not None:
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    doc.core_properties.title = f"{measure.symbol} 评议意见 / Comments"
    _section(doc, "zh", measure, concerns, text_zh, zone_zh, date)
    # add_page_break is untyped in python-docx; a run with a page break is the same XML.
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _section(doc, "en", measure, concerns, text_en, zone_en, date)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
