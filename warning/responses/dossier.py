"""One measure's response file with everything the staff side shows, sends and
exports: the notification, the concerns with their companies, the full-text
requests, the drafts, the documents, the history and the STC mark; and the
comment's documents (.docx, .xlsx) made from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from warning.members import display_name
from warning.responses.comment_doc import ConcernQuote, MeasureQuote, comment_docx, template_texts
from warning.responses.companies_xlsx import CompanyRow, companies_xlsx
from warning.storage.concerns import load_concerns, load_full_text_requests
from warning.storage.response_queue import provisions_of
from warning.storage.responses import (
    get_response_file,
    latest_stc_marks,
    list_events,
    load_documents,
    load_drafts,
)
from warning.storage.schema import exporters, notifications, outbox
from warning.types import (
    CommentDraft,
    FullTextRequest,
    ResponseConcern,
    ResponseDocument,
    ResponseEvent,
    ResponseFile,
    StcMark,
)


@dataclass(frozen=True)
class Company:
    id: int
    name: str
    credit_code: str


@dataclass(frozen=True)
class EnquiryMail:
    """An email of this file to the enquiry point, as the outbox holds it: whether
    it really left (``sent``), waits (``pending``, ``sending``) or failed for good."""

    kind: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


@dataclass(frozen=True)
class Dossier:
    """A response file as the staff pages see it."""

    file: ResponseFile
    symbol: str
    member_codes: tuple[str, ...]
    member_name: str
    title: str
    comment_deadline: dt.date | None
    #: The provisions concerned, as staff wrote them with the draft.
    provisions: str
    concerns: tuple[ResponseConcern, ...]
    requests: tuple[FullTextRequest, ...]
    companies: dict[int, Company]
    drafts: tuple[CommentDraft, ...]
    documents: tuple[ResponseDocument, ...]
    events: tuple[ResponseEvent, ...]
    stc: StcMark | None
    #: The comment and full-text emails to the enquiry point, oldest first.
    mail: tuple[EnquiryMail, ...] = ()

    @property
    def latest(self) -> CommentDraft | None:
        return self.drafts[-1] if self.drafts else None

    def draft(self, version: int) -> CommentDraft | None:
        return next((d for d in self.drafts if d.version == version), None)

    def company(self, exporter_id: int) -> str:
        found = self.companies.get(exporter_id)
        return found.name if found else f"#{exporter_id}"

    @property
    def at_stake(self) -> float | None:
        known = [c.concern.export_value_usd for c in self.concerns if c.concern.export_value_usd is not None]
        return sum(known) if known else None

    def days_left(self, today: dt.date) -> int | None:
        d = self.file.enquiry_date
        return None if d is None else (d - today).days

    def measure_quote(self) -> MeasureQuote:
        return MeasureQuote(
            self.symbol,
            members_label(self.member_codes, "en") or self.member_name,
            members_label(self.member_codes, "zh") or self.member_name,
            self.title,
            self.provisions,
            self.comment_deadline,
            self.file.enquiry_date,
        )

    def concern_quotes(self, language: str) -> list[ConcernQuote]:
        out = []
        for c in self.concerns:
            i = c.concern
            effect = _effect(i.cost_usd, i.lost_sales_usd, i.months_to_comply, i.effect_note, language)
            out.append(
                ConcernQuote(
                    self.company(i.exporter_id),
                    ", ".join(i.hs_codes),
                    members_label(i.markets, language),
                    effect,
                    i.requested_change,
                    i.export_value_usd,
                )
            )
        return out

    def template(self, zone_zh: str, zone_en: str) -> tuple[str, str]:
        """The prefilled comment: Chinese from the Chinese quotes, English from the English ones."""
        zh, _ = template_texts(self.measure_quote(), self.concern_quotes("zh"), zone_zh, zone_en)
        _, en = template_texts(self.measure_quote(), self.concern_quotes("en"), zone_zh, zone_en)
        return zh, en

    def docx(self, draft: CommentDraft, zone_zh: str, zone_en: str, today: dt.date) -> bytes:
        """The comment document of a draft version (the concerns quoted in Chinese)."""
        return comment_docx(
            self.measure_quote(),
            self.concern_quotes("zh"),
            draft.text_zh,
            draft.text_en,
            zone_zh=zone_zh,
            zone_en=zone_en,
            date=today,
        )

    def xlsx(self) -> bytes:
        rows = []
        for c in self.concerns:
            i = c.concern
            company = self.companies.get(i.exporter_id)
            rows.append(
                CompanyRow(
                    self.company(i.exporter_id),
                    company.credit_code if company else "",
                    "",
                    i.contact_email,
                    ", ".join(i.hs_codes),
                    members_label(i.markets, "zh"),
                    i.export_value_usd,
                    _effect(i.cost_usd, i.lost_sales_usd, i.months_to_comply, i.effect_note, "zh"),
                    i.requested_change,
                    c.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                )
            )
        return companies_xlsx(self.symbol, rows)


def members_label(codes: tuple[str, ...], language: str) -> str:
    """Members or markets by name in ``language``, joined."""
    return ", ".join(display_name(c, language) for c in codes)


def _effect(cost: float | None, lost: float | None, months: int | None, note: str, language: str) -> str:
    """The expected effect in words: cost, lost sales, time to comply, the company's note."""
    parts = []
    if language == "zh":
        if cost is not None:
            parts.append(f"合规成本约 {cost:,.0f} 美元")
        if lost is not None:
            parts.append(f"每年损失销售额约 {lost:,.0f} 美元")
        if months is not None:
            parts.append(f"合规需 {months} 个月")
    else:
        if cost is not None:
            parts.append(f"cost of complying about USD {cost:,.0f}")
        if lost is not None:
            parts.append(f"sales lost about USD {lost:,.0f} a year")
        if months is not None:
            parts.append(f"{months} months to comply")
    if note.strip():
        parts.append(note.strip())
    return ("；" if language == "zh" else "; ").join(parts) or "-"


async def load_dossier(conn: AsyncConnection, response_id: int) -> Dossier | None:
    """The response file ``response_id`` with all it holds, or None."""
    file = await get_response_file(conn, response_id)
    if file is None:
        return None
    n = (
        await conn.execute(
            sa.select(
                notifications.c.key,
                notifications.c.member_codes,
                notifications.c.member_name,
                notifications.c.title,
                notifications.c.comment_deadline,
            ).where(notifications.c.id == file.notification_id)
        )
    ).one()
    concerns = await load_concerns(conn, response_id=response_id)
    requests = await load_full_text_requests(conn, response_id=response_id)
    ids = sorted({c.concern.exporter_id for c in concerns} | {r.exporter_id for r in requests})
    companies: dict[int, Company] = {}
    if ids:
        query = sa.select(exporters.c.id, exporters.c.name, exporters.c.credit_code).where(
            exporters.c.id.in_(ids)
        )
        companies = {r.id: Company(r.id, r.name, r.credit_code or "") for r in await conn.execute(query)}
    stc = (await latest_stc_marks(conn, [file.notification_id])).get(file.notification_id)
    return Dossier(
        file,
        n.key,
        tuple(n.member_codes or ()),
        n.member_name,
        n.title,
        n.comment_deadline,
        await provisions_of(conn, response_id),
        tuple(concerns),
        tuple(requests),
        companies,
        tuple(await load_drafts(conn, response_id)),
        tuple(await load_documents(conn, response_id)),
        tuple(await list_events(conn, response_id=response_id)),
        stc,
        await enquiry_mail(conn, response_id),
    )


#: The outbox keys of a file's emails to the enquiry point begin so
#: (``warning.responses.sending``: ``response-comment:<file>:v<version>``).
ENQUIRY_KINDS = ("response-comment", "response-fulltext")


async def enquiry_mail(conn: AsyncConnection, response_id: int) -> tuple[EnquiryMail, ...]:
    """What became of the file's emails to the enquiry point (from the outbox)."""
    keys = [outbox.c.idempotency_key.like(f"{kind}:{response_id}:%") for kind in ENQUIRY_KINDS]
    query = (
        sa.select(
            outbox.c.kind,
            outbox.c.subject,
            outbox.c.status,
            outbox.c.attempts,
            outbox.c.last_error,
            outbox.c.created_at,
            outbox.c.sent_at,
        )
        .where(sa.or_(*keys))
        .order_by(outbox.c.id)
    )
    return tuple(
        EnquiryMail(r.kind, r.subject, r.status, r.attempts, r.last_error or "", r.created_at, r.sent_at)
        for r in await conn.execute(query)
    )
