"""Loading and validating ``config.toml``.

Every key is validated at start: an unknown key, a wrong type or a missing
file is one :class:`ConfigError` whose message names the key. Relative paths
are resolved against the config file's folder.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from warning.exceptions import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/tbtwarn.db"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)") from None
    return name


class ZoneConfig(_Strict):
    """The free-trade zone this service runs for."""

    name: str = "Free Trade Zone"
    name_zh: str = "自由贸易试验区"
    #: IANA time zone for schedules and "days left".
    timezone: str = "Asia/Shanghai"
    #: Public base URL of the web app, used for links in emails.
    base_url: str = "http://127.0.0.1:8080"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        return _check_timezone(name)


class FileSourceConfig(_Strict):
    """A ``file`` source: a JSONL/JSON/CSV/XLSX file of notifications."""

    name: str
    kind: Literal["file"]
    path: Path
    format: Literal["auto", "jsonl", "json", "csv", "xlsx"] = "auto"
    #: Minutes between collections when running as a daemon.
    interval_minutes: int = Field(default=60, ge=1)
    enabled: bool = True


#: Collector configurations; the collectors issue adds ``eping``, ``rss`` and
#: ``federal_register`` as a discriminated union on ``kind``.
SourceConfig = FileSourceConfig


class DeliveryConfig(_Strict):
    """How emails leave the outbox."""

    #: ``outbox`` writes .eml files into ``outbox_dir``.
    transport: Literal["outbox"] = "outbox"
    outbox_dir: Path = Path("var/outbox")
    sender: str = "TBT Early Warning <tbt-warning@localhost>"


class SectorConfig(_Strict):
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


class ClassifierConfig(_Strict):
    """How notifications are mapped to HS products."""

    #: Product matches scoring below this are kept and shown, but raise no alert.
    alert_threshold: float = Field(default=0.5, ge=0.0, le=1.0)


class ScheduleConfig(_Strict):
    """When the daemon (``tbtwarn run``) runs its jobs; cron fields are
    minute hour day month day-of-week, read in ``timezone``."""

    #: IANA time zone of the cron times; empty means ``[zone] timezone``.
    timezone: str = ""
    #: Daily digests for subscribers on the daily frequency.
    daily_digest: str = "0 8 * * *"
    #: The officials' weekly digest.
    weekly_digest: str = "0 9 * * MON"
    #: Minutes between dispatch runs (immediate alerts, outbox retries).
    dispatch_minutes: int = Field(default=1, ge=1)
    #: A collection still running after this many seconds is abandoned as failed.
    collect_timeout_seconds: float = Field(default=300.0, gt=0)
    #: On SIGTERM/SIGINT, how long to wait for the running job before exiting.
    stop_timeout_seconds: float = Field(default=8.0, gt=0, le=60)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        return _check_timezone(name) if name else name

    @field_validator("daily_digest", "weekly_digest")
    @classmethod
    def _cron(cls, expr: str) -> str:
        try:
            CronTrigger.from_crontab(expr, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a cron expression ({exc})") from None
        return expr


class LoggingConfig(_Strict):
    """Log output of the daemon and commands (standard error)."""

    #: ``text`` for people, ``json`` for one JSON object a line (journald, Loki...).
    format: Literal["text", "json"] = "text"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Config(_Strict):
    """The whole configuration."""

    database_url: str = DEFAULT_DATABASE_URL
    zone: ZoneConfig = ZoneConfig()
    sources: list[SourceConfig] = Field(default_factory=list)
    delivery: DeliveryConfig = DeliveryConfig()
    classifier: ClassifierConfig = ClassifierConfig()
    #: The zone's sectors; empty means the 21 HS sections.
    sectors: list[SectorConfig] = Field(default_factory=list)
    schedule: ScheduleConfig = ScheduleConfig()
    logging: LoggingConfig = LoggingConfig()
    #: Folder of the config file; relative paths were resolved against it.
    base_dir: Path = Path(".")

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
            message = f"{item['msg']} (got {item.get('input')!r})"
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
