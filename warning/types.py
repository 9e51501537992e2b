"""The domain types of the TBT early-warning service, in one place.

Every type is a frozen, fully annotated dataclass. What a source hands in
(:class:`RawRecord`) is a separate type from what is stored
(:class:`Notification`); a feed adapter's ``parse`` is the one conversion
between them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

Area = Literal["TBT", "SPS"]
Language = Literal["zh", "en"]


class FollowUpKind(StrEnum):
    """The kinds of follow-up documents to a WTO notification."""

    ADDENDUM = "Add"
    CORRIGENDUM = "Corr"
    REVISION = "Rev"
    SUPPLEMENT = "Suppl"


@dataclass(frozen=True, order=True)
class Symbol:
    """A parsed WTO document symbol such as ``G/TBT/N/USA/1234/Add.1/Corr.1``.

    Legacy symbols of the form ``G/TBT/Notif.00/012`` have ``member`` ``None``
    and ``legacy_year`` set.
    """

    #: ``TBT`` or ``SPS``.
    area: Area
    #: The member code used in WTO symbols (``USA``, ``EU``, ``TPKM``), or
    #: ``None`` for legacy ``Notif.YY`` symbols that carry no member.
    member: str | None
    #: The running number of the base notification.
    number: int
    #: Follow-up parts in order, e.g. ``((ADDENDUM, 1), (CORRIGENDUM, 1))``.
    follow_ups: tuple[tuple[FollowUpKind, int], ...] = ()
    #: Two-digit year of a legacy ``G/TBT/Notif.YY/NNN`` symbol.
    legacy_year: int | None = None

    @property
    def text(self) -> str:
        """The canonical text of the symbol."""
        if self.member is None:
            head = f"G/{self.area}/Notif.{self.legacy_year:02d}/{self.number:03d}"
        else:
            head = f"G/{self.area}/N/{self.member}/{self.number}"
        # Follow-up number 0 stands for a follow-up whose number the source
        # did not give ("G/TBT/N/BRA/165 (corrigendum)").
        return head + "".join(f"/{kind.value}.{n}" if n else f"/{kind.value}" for kind, n in self.follow_ups)

    @property
    def base(self) -> Symbol:
        """The base notification this symbol follows up (itself if none)."""
        return Symbol(self.area, self.member, self.number, (), self.legacy_year)

    @property
    def is_follow_up(self) -> bool:
        """True for addenda, corrigenda, revisions and supplements."""
        return bool(self.follow_ups)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class RawRecord:
    """One payload exactly as a source handed it in, before parsing.

    Raw records are stored before they are parsed, so a parser fix can
    re-parse history.
    """

    #: Name of the configured source that fetched it.
    source_name: str
    #: Where the payload came from: a file path or URL.
    locator: str
    #: The bytes as received.
    payload: bytes
    #: MIME type or format hint (``application/jsonl``, ``text/csv``...).
    content_type: str
    #: When it was fetched.
    fetched_at: dt.datetime


@dataclass(frozen=True)
class RecordError:
    """A record a parser could not turn into a Notification: quarantined."""

    #: Name of the source.
    source_name: str
    #: Where in the payload: ``line 12``, ``item 3 of page 2``...
    position: str
    #: Why it was refused, naming the field at fault.
    reason: str
    #: The record's raw text, kept for analysts.
    raw_text: str


@dataclass(frozen=True)
class Notification:
    """A foreign technical measure, normalised from any source."""

    #: Identity: the canonical text of the first WTO symbol, or
    #: ``"<source>:<id>"`` for measures that carry no symbol.
    key: str
    #: All WTO symbols of the record (joint notifications carry several).
    symbols: tuple[Symbol, ...]
    #: ``TBT`` or ``SPS``.
    area: Area
    #: Member codes as used in WTO symbols (``KEN``, ``EU``...).
    member_codes: tuple[str, ...]
    #: The notifying member as the source printed it.
    member_name: str
    #: Regular notification, addendum, corrigendum, revision...
    notification_type: str
    title: str
    description: str = ""
    #: Products covered, free text.
    products: str = ""
    distribution_date: dt.date | None = None
    comment_deadline: dt.date | None = None
    proposed_adoption_date: dt.date | None = None
    proposed_entry_into_force_date: dt.date | None = None
    #: HS codes as given by the notifying member, digits only.
    hs_codes: tuple[str, ...] = ()
    ics_codes: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    #: Links to the notification and its documents.
    links: tuple[str, ...] = ()
    #: Language of the text: ``en``, ``zh``, ``fr``, ``es``...
    language: str = "en"
    #: Name of the source it came from and its id there.
    source_name: str = ""
    source_id: str = ""

    @property
    def base_symbol(self) -> Symbol | None:
        """The base notification of a follow-up, ``None`` if not one."""
        if self.symbols and self.symbols[0].is_follow_up:
            return self.symbols[0].base
        return None


@dataclass(frozen=True)
class HsEntry:
    """One line of the HS 2022 nomenclature."""

    code: str
    #: 2 (chapter), 4 (heading) or 6 (subheading).
    level: int
    description: str
    #: Chinese name, known for chapters only (heading and subheading
    #: entries carry their chapter's).
    name_zh: str
    #: Roman numeral of the HS section.
    section: str


@dataclass(frozen=True)
class ProductMatch:
    """A notification mapped to one HS code, with the evidence for it."""

    hs_code: str
    #: 2, 4 or 6 digits.
    level: int
    #: Calibrated confidence in [0, 1].
    score: float
    #: The classifier method that produced it (``member``, ``ics``...).
    method: str
    #: The words or code that produced it.
    evidence: str


@dataclass(frozen=True)
class Exporter:
    """An exporting firm of the zone, from the export register."""

    name: str
    emails: tuple[str, ...]
    language: Language
    #: HS codes it exports, 2 to 6 digits.
    hs_codes: tuple[str, ...]
    #: Member codes of its markets; ``("*",)`` means all markets.
    markets: tuple[str, ...]
    #: The exporter's own names for some of its HS codes: ``(("3304", "护肤霜"),)``.
    product_names: tuple[tuple[str, str], ...] = ()
    #: Its unified social credit code (统一社会信用代码), when known.
    credit_code: str | None = None

    def product_name(self, hs_code: str) -> str | None:
        """The exporter's name for ``hs_code`` or for a code sharing its prefix."""
        for code, name in self.product_names:
            if code == hs_code:
                return name
        for code, name in self.product_names:
            if code.startswith(hs_code) or hs_code.startswith(code):
                return name
        return None


Frequency = Literal["immediate", "daily", "weekly"]
Level = Literal["red", "orange", "yellow", "blue"]
#: Warning levels, gravest first (the convention of Chinese early-warning systems).
LEVELS: tuple[Level, ...] = ("red", "orange", "yellow", "blue")
#: Chinese names of the levels.
LEVEL_NAMES_ZH: dict[str, str] = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
#: The states of an outbox message (``warning.storage.outbox``).
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "uncertain")


@dataclass(frozen=True)
class Reason:
    """One reason for a warning level, in plain words in both languages."""

    #: Machine-readable kind: ``relevance``, ``exposure``, ``severity``, ``urgency``...
    code: str
    en: str
    zh: str

    def text(self, language: str) -> str:
        """The reason in ``zh`` or ``en``."""
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Sector:
    """A sector of the zone's economy, defined by HS prefixes."""

    #: Stable identifier used in config, subscriptions and URLs (``XVI``, ``cosmetics``).
    key: str
    name_en: str
    name_zh: str
    #: HS prefixes (2, 4 or 6 digits) that belong to the sector.
    hs_prefixes: tuple[str, ...]

    def covers(self, hs_code: str) -> bool:
        """Whether an HS code (2-6 digits) shares a prefix with the sector."""
        return any(hs_code.startswith(p) or p.startswith(hs_code) for p in self.hs_prefixes)


@dataclass(frozen=True)
class Subscription:
    """What one contact of an exporter wants to hear about."""

    exporter: str
    email: str
    language: Language
    hs_prefixes: tuple[str, ...] = ()
    markets: tuple[str, ...] = ("*",)
    sectors: tuple[str, ...] = ()
    min_level: Level = "blue"
    frequency: Frequency = "daily"


@dataclass(frozen=True)
class Alert:
    """One notification that concerns one exporter."""

    notification_key: str
    exporter: str
    #: The product matches that share a prefix with the exporter's codes.
    matches: tuple[ProductMatch, ...]
    #: Warning level, once levels are computed.
    level: Level | None = None
    #: Why the level is what it is, in both languages.
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class LabelledExample:
    """A notification text with the HS codes an analyst or member confirmed: what the learner learns from."""

    #: Title, products and description (HS codes already stripped).
    text: str
    #: Normalised HS 2022 codes (2, 4 or 6 digits).
    hs_codes: tuple[str, ...]
    #: ``en``, ``zh``...
    language: str = "en"
    #: Where it came from: ``file:dev.jsonl#12``, ``feedback:34``...
    origin: str = ""


@dataclass(frozen=True)
class ClassifierRule:
    """An analyst's keyword rule: text containing a phrase maps to HS prefixes."""

    #: The phrases (any matches); English is matched on words, Chinese as substrings.
    phrases: tuple[str, ...]
    #: HS prefixes (2, 4 or 6 digits) the rule maps to.
    hs_codes: tuple[str, ...]
    #: Phrases that veto the rule ("toy sewing machine" for a "toy" rule).
    exclusions: tuple[str, ...] = ()
    #: Database id, ``None`` before it is stored.
    id: int | None = None
    #: Version number, incremented on every change.
    version: int = 1
    #: Who last changed it.
    author: str = ""
    note: str = ""
    #: An exclusion: where a phrase fires, no method's match to the HS prefixes (nor to
    #: a shorter code they start with) is kept, instead of the rule adding them.
    suppress: bool = False


# --- warning levels (issue 5)


@dataclass(frozen=True)
class ExposureRow:
    """Yearly export value of one HS code to one market, from the register."""

    #: The exporter's name, or ``None`` for a zone-wide figure.
    exporter: str | None
    #: 2, 4 or 6 digits.
    hs_code: str
    #: WTO member code (``KEN``, ``EU``...).
    market: str
    value_usd: float
    year: int


@dataclass(frozen=True)
class Factor:
    """One of the four factors of a warning level: a score in [0, 1] and why."""

    score: float
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Factors:
    """What a warning level is computed from."""

    relevance: Factor
    exposure: Factor
    severity: Factor
    urgency: Factor


@dataclass(frozen=True)
class LevelAssessment:
    """A warning level with its reasons (relevance, exposure, severity, urgency)."""

    level: Level
    #: The weighted score the level was read from, in [0, 1].
    score: float
    reasons: tuple[Reason, ...]


class ThreadEvent(StrEnum):
    """What a follow-up document says happened to a measure."""

    ADOPTED = "adopted"
    IN_FORCE = "in_force"
    WITHDRAWN = "withdrawn"
    RELAXED = "relaxed"
    CORRECTED = "corrected"
    REVISED = "revised"
    OTHER = "other"


@dataclass(frozen=True)
class NotificationLink:
    """Another notification of the same measure (a US proposed rule and its WTO notification)."""

    #: Database id and key of the related notification.
    related_id: int
    related_key: str
    #: ``same_measure``.
    relation: str
    #: What showed the link, in words (``FR Doc. 2024-12345``, ``16 CFR 1112``...).
    evidence: str


@dataclass(frozen=True)
class Feedback:
    """A contact's answer to "is this alert relevant to you?", from an email link."""

    alert_id: int
    notification_id: int
    exporter_id: int
    email: str
    relevant: bool
    created_at: dt.datetime


Role = Literal["official", "analyst", "admin"]
#: Staff roles of the web app; ``admin`` may do everything.
ROLES: tuple[Role, ...] = ("official", "analyst", "admin")


@dataclass(frozen=True)
class StaffUser:
    """A member of staff who signs in to the web app with a password."""

    id: int
    #: Lower-cased email address, used to sign in.
    email: str
    role: Role
    created_at: dt.datetime
    last_login_at: dt.datetime | None = None

    def may(self, *roles: Role) -> bool:
        """Whether the user holds one of ``roles`` (an admin holds them all)."""
        return self.role == "admin" or self.role in roles


MappingKind = Literal["ics", "sector"]
MappingAction = Literal["add", "change", "remove"]


@dataclass(frozen=True)
class IcsRow:
    """One line of the ICS-to-HS mapping: an ICS field, group or subgroup and its HS prefixes."""

    #: ICS code (``13.220``, ``97.200.50``).
    ics: str
    #: HS prefixes (2, 4 or 6 digits) the ICS code stands for.
    hs_prefixes: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class MappingVersion:
    """One analyst's change to the ICS mapping or the sector definitions."""

    kind: MappingKind
    #: The ICS code or the sector key.
    key: str
    #: 1 for the first change of this key, then counting up.
    version: int
    action: MappingAction
    #: The row after the change (before it, for a removal).
    hs_prefixes: tuple[str, ...]
    name_en: str
    name_zh: str
    note: str
    author: str
    changed_at: dt.datetime


ApplicationStatus = Literal["unverified", "verified", "changes", "approved", "rejected"]
#: What happened to an application, in ``application_events``.
ApplicationAction = Literal["submitted", "verified", "edited", "approved", "changes", "rejected"]


@dataclass(frozen=True)
class Application:
    """What a company gives when it signs itself up (``/exporter/apply``)."""

    #: Company name in Chinese (as on its business licence).
    company_zh: str
    #: Unified social credit code (统一社会信用代码), validated, upper case.
    credit_code: str
    contact_name: str
    email: str
    language: Language
    hs_codes: tuple[str, ...]
    markets: tuple[str, ...]
    #: English company name; may be empty.
    company_en: str = ""
    #: Optional yearly export figures per product and market (``exporter`` is ``None``).
    figures: tuple[ExposureRow, ...] = ()


@dataclass(frozen=True)
class StoredApplication:
    """An application with its identity and state."""

    id: int
    application: Application
    status: ApplicationStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    #: An unverified application is void after this.
    expires_at: dt.datetime
    verified_at: dt.datetime | None
    #: The exporter it joined, once approved.
    exporter_id: int | None
    #: The nonce of the emailed link still usable (verification or edit), if any.
    link_nonce: str | None


@dataclass(frozen=True)
class ApplicationEvent:
    """One step of an application: who did what, when and why."""

    action: ApplicationAction
    actor: str
    note: str
    at: dt.datetime


# --- translation (issue 16)

TranslationOrigin = Literal["machine", "reviewed"]


@dataclass(frozen=True)
class Translation:
    """One field of one notification in another language."""

    notification_id: int
    #: ``title``, ``description`` or ``products``.
    field: str
    #: The language of ``text`` (``zh`` or ``en``).
    language: str
    text: str
    #: The language the field was notified in.
    source_language: str
    #: SHA-256 of the source text it translates: a changed source makes it stale.
    source_sha256: str
    #: ``machine`` (an engine's) or ``reviewed`` (written or corrected by staff).
    origin: TranslationOrigin
    #: The engine (``libretranslate``, ``openai/<model>``) or the staff member's email.
    made_by: str
    updated_at: dt.datetime


# --- responses to measures (issue 19)

#: The life of a measure's response file: ``open`` (concerns or full-text requests
#: came in) -> ``drafting`` (someone writes the zone's comment) -> ``approved`` (an
#: official approved a draft) -> ``sent`` (it went to the national enquiry point) ->
#: ``answered`` (the notifying member's reply recorded); ``closed`` (with a reason)
#: from any state before ``answered``.
ResponseStatus = Literal["open", "drafting", "approved", "sent", "answered", "closed"]
RESPONSE_STATUSES: tuple[ResponseStatus, ...] = ("open", "drafting", "approved", "sent", "answered", "closed")


@dataclass(frozen=True)
class ResponseFile:
    """The zone's response to one notification: its status, who works on it, its date."""

    id: int
    notification_id: int
    status: ResponseStatus
    #: The analyst or outside expert the measure is assigned to (empty: nobody yet).
    assigned_name: str
    assigned_email: str
    #: The last day to send comments to the national enquiry point (the WTO
    #: deadline minus ``[warning] enquiry_point_days``); ``None``: no deadline known.
    enquiry_date: dt.date | None
    #: The draft version an official approved (set on ``approved``).
    approved_version: int | None
    #: Why it was closed (status ``closed``).
    closed_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class ConcernInput:
    """What a company's contact submits about a measure: never edited afterwards."""

    notification_id: int
    exporter_id: int
    #: The contact who raised it (their sign-in or link email).
    contact_email: str
    #: The company's HS codes (prefixes from its register entry) the measure hurts.
    hs_codes: tuple[str, ...]
    #: WTO member codes of the markets concerned.
    markets: tuple[str, ...]
    #: Expected effect: one-off cost of complying (USD), yearly sales lost (USD), months to comply.
    cost_usd: float | None
    lost_sales_usd: float | None
    months_to_comply: int | None
    #: Yearly export value at stake (USD), prefilled from the register's figures.
    export_value_usd: float | None
    #: What the company asks the notifying member to change (Chinese or English).
    requested_change: str
    #: The language of the form it was written in (``zh``/``en``).
    language: Language
    #: Anything else about the effect, in the company's words.
    effect_note: str = ""


@dataclass(frozen=True)
class ConcernAttachment:
    """A file a company attached to a concern, stored outside the web root by its sha256."""

    id: int
    concern_id: int
    #: The name it had on the company's computer (shown, never used as a path).
    filename: str
    #: The type found by reading its content (``application/pdf``...).
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ResponseConcern:
    """A stored concern with its identity and its attachments."""

    id: int
    response_id: int
    concern: ConcernInput
    created_at: dt.datetime
    attachments: tuple[ConcernAttachment, ...] = ()


@dataclass(frozen=True)
class FullTextRequest:
    """A company asking for the full text of a measure (one per company and measure)."""

    id: int
    response_id: int
    notification_id: int
    exporter_id: int
    contact_email: str
    language: Language
    created_at: dt.datetime
    #: When the request went to the enquiry point (set by the staff side).
    sent_at: dt.datetime | None = None


@dataclass(frozen=True)
class CommentDraft:
    """One version of the zone's comment on a measure, in both languages."""

    id: int
    response_id: int
    #: 1, 2, 3... per response file.
    version: int
    text_zh: str
    text_en: str
    author: str
    created_at: dt.datetime


@dataclass(frozen=True)
class StcMark:
    """A measure raised as a specific trade concern at the WTO TBT Committee."""

    id: int
    notification_id: int
    #: The STC's number in the TBT Committee's records (``IMS ID 789`` or ``789``).
    stc_number: str
    url: str
    marked_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ResponseDocument:
    """A document staff keep in a response file (the member's reply, the comment as sent...)."""

    id: int
    response_id: int
    #: ``reply``, ``comment``, ``other``.
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    author: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ResponseEvent:
    """One line of a response file's history: who did what, when, and the values before and after."""

    id: int
    #: ``None`` for what happens to a measure without a response file (an STC mark).
    response_id: int | None
    notification_id: int
    actor: str
    #: ``status``, ``assign``, ``draft``, ``concern``, ``full_text``, ``stc``, ``document``.
    action: str
    before: str
    after: str
    created_at: dt.datetime
