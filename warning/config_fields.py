"""What every ``config.toml`` section shares: the strict base model (unknown
keys refused, values frozen) and the checks of URLs, database drivers and time
zones. Imported by :mod:`warning.config` and the modules holding its sections;
imports nothing of the service."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A config section: unknown keys refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: The database drivers the service runs on (SQLAlchemy's async dialects).
DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


def check_database_url(url: str) -> str:
    scheme = url.partition("://")[0]
    if scheme not in DATABASE_DRIVERS:
        raise ValueError(
            f"unsupported database {scheme or url!r}: use sqlite+aiosqlite:///PATH "
            "or postgresql+asyncpg://USER:PASSWORD@HOST/NAME"
        )
    return url


def check_http_url(url: str) -> str:
    """An ``http(s)://host/...`` URL; anything else (``file://``, a bare path)
    would let a config read local files or fail at the first fetch."""
    scheme, sep, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not sep or not rest.split("/", 1)[0]:
        raise ValueError(
            'must be an http:// or https:// URL with a host (for a local file use kind = "file")'
        )
    return url


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)") from None
    return name
