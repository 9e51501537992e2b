"""Loading and validating ``config.toml``.

Every key is validated at start: an unknown key, a wrong type or a missing
file is one :class:`ConfigError` whose message names the key. Relative paths
are resolved against the config file's folder.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import tomllib
from pathlib import Path
from typing import Any, Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, ValidationError, field_validator, model_validator

from warning.config_fields import DATABASE_DRIVERS, Strict, check_database_url, check_timezone
from warning.config_mail import DeliveryConfig, DigestConfig, SmtpConfig
from warning.config_sources import (
    CollectConfig,
    EpingSourceConfig,
    FederalRegisterSourceConfig,
    FileSourceConfig,
    RssSourceConfig,
    SourceConfig,
)
from warning.exceptions import ConfigError

#: The sections (those of [[sources]] and [collect] from warning.config_sources, the
#: mail ones from warning.config_mail) and the loaders.
__all__ = [
    "DATABASE_DRIVERS",
    "DEFAULT_DATABASE_URL",
    "ClassifierConfig",
    "CollectConfig",
    "Config",
    "DeliveryConfig",
    "DemoConfig",
    "DigestConfig",
    "EpingSourceConfig",
    "FederalRegisterSourceConfig",
    "FileSourceConfig",
    "LoggingConfig",
    "ResponsesConfig",
    "RssSourceConfig",
    "ScheduleConfig",
    "SectorConfig",
    "SmtpConfig",
    "SourceConfig",
    "Strict",
    "TranslationConfig",
    "WarningConfig",
    "WebConfig",
    "ZoneConfig",
    "load_config",
    "parse_config",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/tbtwarn.db"


class ZoneConfig(Strict):
    """The free-trade zone this service runs for."""

    name: str = "Free Trade Zone"
    name_zh: str = "自由贸易试验区"
    #: IANA time zone for schedules and "days left".
    timezone: str = "Asia/Shanghai"
    #: Public base URL of the web app, used for links in emails.
    base_url: str = "http://127.0.0.1:8080"
    #: The national TBT enquiry point, shown in every exporter's "what you can do"
    #: box (empty keys are left out).
    enquiry_point_name: str = ""
    enquiry_point_name_zh: str = ""
    enquiry_point_email: str = ""
    enquiry_point_phone: str = ""
    enquiry_point_url: str = ""
    #: The zone's trade office: exporters write here to comment on a measure or
    #: to ask for its full text (a ``mailto:`` link on the notification page).
    trade_office_email: str = ""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        return check_timezone(name)


class SectorConfig(Strict):
    """One of the zone's own sectors (the default is the 21 HS sections)."""

    key: str
    name_en: str
    name_zh: str
    hs_prefixes: list[str] = Field(min_length=1)

    @field_validator("hs_prefixes")
    @classmethod
    def _digits(cls, prefixes: list[str]) -> list[str]:
        for prefix in prefixes:
            if not prefix.isdigit() or len(prefix) not in (2, 4, 6):
                raise ValueError(f"HS prefix {prefix!r} must be 2, 4 or 6 digits")
        return prefixes


class ClassifierConfig(Strict):
    """How notifications are mapped to HS products."""

    #: Product matches scoring below this are kept and shown, but raise no alert.
    #: 0.7: on the dev set, chapter precision ~0.73 at recall ~0.60 (README).
    alert_threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    #: Labelled JSONL files (notification schema, ``hs_codes`` as labels) the
    #: learner learns from; empty means the learner is off.
    examples: list[Path] = Field(default_factory=list)


class WarningConfig(Strict):
    """How warning levels are computed (see README, "Warning levels")."""

    #: Days the national enquiry point needs before the WTO comment deadline.
    enquiry_point_days: int = Field(default=5, ge=0, le=60)
    #: Weights of the four factors; they are normalised by their sum.
    weight_relevance: float = Field(default=0.30, ge=0.0)
    weight_exposure: float = Field(default=0.25, ge=0.0)
    weight_severity: float = Field(default=0.25, ge=0.0)
    weight_urgency: float = Field(default=0.20, ge=0.0)
    #: Weighted score at or above which a warning is red, orange, yellow (else blue).
    red: float = Field(default=0.70, gt=0.0, le=1.0)
    orange: float = Field(default=0.55, gt=0.0, le=1.0)
    yellow: float = Field(default=0.40, gt=0.0, le=1.0)
    #: Relevance of a match agreeing with the exporter's code at 6, 4 and 2 digits.
    relevance_subheading: float = Field(default=1.0, ge=0.0, le=1.0)
    relevance_heading: float = Field(default=0.75, ge=0.0, le=1.0)
    relevance_chapter: float = Field(default=0.4, ge=0.0, le=1.0)
    #: Share of the exporter's (or zone's) exports at stake that counts as full exposure.
    exposure_full_share: float = Field(default=0.3, gt=0.0, le=1.0)
    #: Export value at stake (USD a year) that counts as full exposure on its own.
    exposure_full_value_usd: float = Field(default=5_000_000.0, gt=0.0)
    #: Exposure assumed when the register has no export figures for the pair.
    unknown_exposure: float = Field(default=0.4, ge=0.0, le=1.0)
    #: Days left to comment at or beyond which urgency is lowest.
    urgency_horizon_days: int = Field(default=60, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> WarningConfig:
        if not self.red > self.orange > self.yellow:
            raise ValueError(
                f"thresholds must satisfy red > orange > yellow, got {self.red}, {self.orange}, {self.yellow}"
            )
        total = self.weight_relevance + self.weight_exposure + self.weight_severity + self.weight_urgency
        if total <= 0:
            raise ValueError("at least one weight must be above 0")
        return self


class ResponsesConfig(Strict):
    """Companies' concerns about measures and their attachments (issue 19)."""

    #: Largest attached file accepted, in bytes.
    max_attachment_bytes: int = Field(default=10_000_000, ge=1, le=200_000_000)
    #: Files one concern may carry.
    max_attachments: int = Field(default=5, ge=0, le=50)
    #: Where attachments are kept (outside the web root; named by their sha256).
    attachments_dir: Path = Path("var/attachments")


class WebConfig(Strict):
    """The web app (``tbtwarn serve``)."""

    #: Mark the session cookie ``Secure``; unset means "when ``zone.base_url`` is https".
    secure_cookies: bool | None = None
    #: How long a staff session lasts after sign-in.
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    #: Failed sign-ins allowed per account, and per client address, within the window.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_ip: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    #: Sign-in link requests allowed per exporter email, and per client address,
    #: within the same window (a budget apart from the staff one).
    exporter_links_per_email: int = Field(default=5, ge=1)
    exporter_links_per_ip: int = Field(default=20, ge=1)
    #: Addresses or networks (CIDR) of reverse proxies whose ``X-Forwarded-For``
    #: names the client; from any other peer the header is ignored.
    trusted_proxies: list[str] = Field(default_factory=list)
    #: Rows per page of the notification list and the API.
    page_size: int = Field(default=50, ge=5, le=500)
    #: How long an exporter's Atom feed link stays valid.
    feed_token_days: int = Field(default=365, ge=1)
    #: How long an exporter's emailed sign-in link stays valid.
    exporter_link_minutes: int = Field(default=30, ge=5, le=24 * 60)
    #: How long a sign-up's verification link (and the unverified application) lasts.
    signup_link_hours: int = Field(default=48, ge=1, le=24 * 30)
    #: How long the edit link of an application sent back for changes lasts.
    signup_edit_days: int = Field(default=14, ge=1, le=365)
    #: Sign-up requests allowed per client address, and per email, within the window.
    signup_per_ip: int = Field(default=10, ge=1)
    signup_per_email: int = Field(default=3, ge=1)
    signup_window_minutes: int = Field(default=60, ge=1)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                example = "e.g. 10.0.0.5 or 10.0.0.0/8"
                raise ValueError(f"{value!r} is not an IP address or network ({example})") from None
        return values


class TranslationConfig(Strict):
    """Machine translation of notifications' free text (see README, "Translation")."""

    #: ``none`` (free text stays in its language), ``libretranslate`` or ``openai``
    #: (any OpenAI-compatible chat-completions endpoint).
    engine: Literal["none", "libretranslate", "openai"] = "none"
    #: The engine's base URL (``http://127.0.0.1:5000`` for LibreTranslate,
    #: ``http://127.0.0.1:8000/v1`` for an OpenAI-compatible server).
    url: str = ""
    #: The model an ``openai`` engine is asked for (recorded as the translations' origin).
    model: str = ""
    #: Name of the environment variable holding the API key (never the key).
    api_key_env: str | None = None
    #: Seconds one request may take before the engine counts as down for this run.
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    #: Requests in flight at once.
    concurrency: int = Field(default=4, ge=1, le=64)
    #: Texts sent in one request.
    batch_size: int = Field(default=16, ge=1, le=128)
    #: Texts translated per run at most (the rest wait for the next run).
    max_per_run: int = Field(default=2000, ge=1)
    #: Languages every notification's title, description and products are shown in.
    languages: tuple[Literal["zh", "en"], ...] = ("zh", "en")
    #: Language codes the engine uses where they differ from ours (LibreTranslate
    #: servers since 2024 may want ``{ zh = "zh-Hans" }``).
    language_codes: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _needs_url(self) -> TranslationConfig:
        if self.engine != "none" and not self.url:
            raise ValueError(f"engine {self.engine!r} needs a url")
        if self.engine == "openai" and not self.model:
            raise ValueError("engine 'openai' needs a model")
        return self


class ScheduleConfig(Strict):
    """When the daemon (``tbtwarn run``) runs its jobs; cron fields are
    minute hour day month day-of-week, read in ``timezone``."""

    #: IANA time zone of the cron times; empty means ``[zone] timezone``.
    timezone: str = ""
    #: Daily digests for subscribers on the daily frequency.
    daily_digest: str = "0 8 * * *"
    #: The officials' weekly digest.
    weekly_digest: str = "0 9 * * MON"
    #: The officials' monthly report of the month just ended (issue 18).
    monthly_report: str = "0 9 1 * *"
    #: Reminders of response deadlines (10, 5 and 2 days before the enquiry-point date; issue 19).
    response_reminders: str = "0 8 * * *"
    #: Minutes between dispatch runs (immediate alerts, outbox retries).
    dispatch_minutes: int = Field(default=1, ge=1)
    #: A collection still running after this many seconds is abandoned as failed.
    collect_timeout_seconds: float = Field(default=300.0, gt=0)
    #: On SIGTERM/SIGINT, how long to wait for the running job before exiting.
    stop_timeout_seconds: float = Field(default=8.0, gt=0, le=60)
    #: Several instances on one PostgreSQL database: how long a job's lease lasts
    #: without renewal (the holder renews it every third of this). An instance
    #: that dies hands its jobs over after at most this many (real) seconds.
    lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    #: This instance's name in leases, ``tbtwarn health`` and ``/healthz``;
    #: empty means ``host:pid``.
    instance_name: str = Field(default="", max_length=200)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        return check_timezone(name) if name else name

    @field_validator("daily_digest", "weekly_digest", "monthly_report", "response_reminders")
    @classmethod
    def _cron(cls, expr: str) -> str:
        try:
            CronTrigger.from_crontab(expr, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a cron expression ({exc})") from None
        return expr


class LoggingConfig(Strict):
    """Log output of the daemon and commands (standard error)."""

    #: ``text`` for people, ``json`` for one JSON object a line (journald, Loki...).
    format: Literal["text", "json"] = "text"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class DemoConfig(Strict):
    """A demonstration run at a fixed moment (never in a production config)."""

    #: The moment every command starts at (the clock then runs at normal speed),
    #: e.g. ``2026-07-20T09:00:00+08:00``: the bundled sample's comment periods
    #: are open at that date. ``TBTWARN_NOW`` overrides it.
    now: dt.datetime | None = None

    @field_validator("now")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone offset, e.g. 2026-07-20T09:00:00+08:00")
        return value


class Config(Strict):
    """The whole configuration."""

    database_url: str = DEFAULT_DATABASE_URL
    zone: ZoneConfig = ZoneConfig()
    sources: list[SourceConfig] = Field(default_factory=list)
    collect: CollectConfig = CollectConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    smtp: SmtpConfig = SmtpConfig()
    digest: DigestConfig = DigestConfig()
    classifier: ClassifierConfig = ClassifierConfig()
    warning: WarningConfig = WarningConfig()
    #: The zone's sectors; empty means the 21 HS sections.
    sectors: list[SectorConfig] = Field(default_factory=list)
    web: WebConfig = WebConfig()
    translation: TranslationConfig = TranslationConfig()
    responses: ResponsesConfig = ResponsesConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    logging: LoggingConfig = LoggingConfig()
    #: A demonstration clock (``[demo] now``); absent in production.
    demo: DemoConfig = DemoConfig()
    #: Folder of the config file; relative paths were resolved against it.
    base_dir: Path = Path(".")

    @field_validator("database_url")
    @classmethod
    def _database(cls, url: str) -> str:
        return check_database_url(url)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in sources]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"source name {name!r} is used twice")
        return sources

    @property
    def schedule_timezone(self) -> str:
        """The time zone of the cron times: ``[schedule]``'s, else the zone's."""
        return self.schedule.timezone or self.zone.timezone

    def source(self, name: str) -> SourceConfig:
        """The source named ``name``.

        Raises:
            ConfigError: when no source has that name.
        """
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} (configured: {known})")


def _format_error(path: Path, error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        loc = [str(p) for p in item["loc"]]
        # Pydantic puts the union tag (the source kind) in the location.
        if len(loc) > 2 and loc[0] == "sources" and loc[2] in {"file", "eping", "rss", "federal_register"}:
            del loc[2]
        key = ".".join(loc) or "(top level)"
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "missing":
            message = "required key is missing"
        else:
            message = item["msg"]
            # A database URL may hold a password: never echoed.
            if loc[:1] != ["database_url"]:
                message += f" (got {item.get('input')!r})"
        parts.append(f"{key}: {message}")
    return f"{path}: " + "; ".join(parts)


def _resolve_sqlite(url: str, base: Path) -> str:
    for prefix in ("sqlite+aiosqlite:///", "sqlite:///"):
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            if rest and not rest.startswith("/") and not rest.startswith(":memory:"):
                return prefix + str((base / rest).resolve())
    return url


def _resolve_paths(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    def resolve(value: Any) -> Any:
        return str((base / value).resolve()) if isinstance(value, str) else value

    out = dict(raw)
    if isinstance(out.get("database_url"), str):
        out["database_url"] = _resolve_sqlite(out["database_url"], base)
    else:
        out.setdefault("database_url", _resolve_sqlite(DEFAULT_DATABASE_URL, base))
    delivery = dict(out.get("delivery") or {})
    delivery["outbox_dir"] = resolve(delivery.get("outbox_dir", "var/outbox"))
    out["delivery"] = delivery
    responses = out.get("responses", {})
    if isinstance(responses, dict):
        out["responses"] = {
            **responses,
            "attachments_dir": resolve(responses.get("attachments_dir", "var/attachments")),
        }
    classifier = out.get("classifier")
    if isinstance(classifier, dict) and isinstance(classifier.get("examples"), list):
        out["classifier"] = {**classifier, "examples": [resolve(p) for p in classifier["examples"]]}
    smtp = out.get("smtp")
    if isinstance(smtp, dict):
        out["smtp"] = {k: resolve(v) if k in ("received_log", "ca_file") else v for k, v in smtp.items()}
    sources = out.get("sources")
    if isinstance(sources, list):
        out["sources"] = [
            {**s, "path": resolve(s["path"])} if isinstance(s, dict) and "path" in s else s for s in sources
        ]
    return out


def parse_config(text: str, path: Path) -> Config:
    """Validate TOML text as if read from ``path``.

    Raises:
        ConfigError: one line naming each bad key.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if "base_dir" in raw:
        raise ConfigError(f"{path}: base_dir: unknown key")
    base = path.parent.resolve()
    try:
        return Config.model_validate({**_resolve_paths(raw, base), "base_dir": base})
    except ValidationError as exc:
        raise ConfigError(_format_error(path, exc)) from None


def load_config(path: Path) -> Config:
    """Read and validate the config file at ``path``.

    Raises:
        ConfigError: the file is missing, unreadable or invalid.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    return parse_config(text, path)
