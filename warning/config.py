"""Loading and validating ``config.toml``.

Every key is validated at start: an unknown key, a wrong type or a missing
file is one :class:`ConfigError` whose message names the key. Relative paths
are resolved against the config file's folder.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from warning.exceptions import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/tbtwarn.db"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ZoneConfig(_Strict):
    """The free-trade zone this service runs for."""

    name: str = "Free Trade Zone"
    name_zh: str = "自由贸易试验区"
    #: IANA time zone for schedules and "days left".
    timezone: str = "Asia/Shanghai"
    #: Public base URL of the web app, used for links in emails.
    base_url: str = "http://127.0.0.1:8080"


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


class WebConfig(_Strict):
    """The web app (``tbtwarn serve``)."""

    #: Mark the session cookie ``Secure``; unset means "when ``zone.base_url`` is https".
    secure_cookies: bool | None = None
    #: How long a staff session lasts after sign-in.
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    #: Failed sign-ins allowed per account, and per client address, within the window.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_ip: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    #: Rows per page of the notification list and the API.
    page_size: int = Field(default=50, ge=5, le=500)
    #: How long an exporter's Atom feed link stays valid.
    feed_token_days: int = Field(default=365, ge=1)


class Config(_Strict):
    """The whole configuration."""

    database_url: str = DEFAULT_DATABASE_URL
    zone: ZoneConfig = ZoneConfig()
    sources: list[SourceConfig] = Field(default_factory=list)
    delivery: DeliveryConfig = DeliveryConfig()
    classifier: ClassifierConfig = ClassifierConfig()
    #: The zone's sectors; empty means the 21 HS sections.
    sectors: list[SectorConfig] = Field(default_factory=list)
    web: WebConfig = WebConfig()
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
