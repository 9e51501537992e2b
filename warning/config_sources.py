"""The ``[[sources]]`` and ``[collect]`` sections of ``config.toml``: one model
per collector kind (a union discriminated by ``kind``) and the network limits
shared by every HTTP source. Re-exported by :mod:`warning.config`; imports only
:mod:`warning.config_fields`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from warning.config_fields import Strict, check_http_url


class FileSourceConfig(Strict):
    """A ``file`` source: a JSONL/JSON/CSV/XLSX file of notifications."""

    name: str
    kind: Literal["file"]
    path: Path
    format: Literal["auto", "jsonl", "json", "csv", "xlsx"] = "auto"
    #: A larger file is refused (the fetch fails, naming this key).
    max_bytes: int = Field(default=20_000_000, ge=1024)
    #: An xlsx file whose content takes more than this once unzipped is refused
    #: before it is read (a zip bomb: 2 MB of file, 2 GB of whitespace).
    max_unpacked_bytes: int = Field(default=100_000_000, ge=1024)
    #: Minutes between collections when running as a daemon.
    interval_minutes: int = Field(default=60, ge=1)
    enabled: bool = True


class EpingSourceConfig(Strict):
    """An ``eping`` source: the WTO ePing notifications search API."""

    name: str
    kind: Literal["eping"]
    url: str = "https://api.wto.org/eping/notifications/search"
    #: Environment variable holding the ``Ocp-Apim-Subscription-Key``.
    api_key_env: str | None = None
    #: Days a first run reaches back (later runs resume from the latest date seen).
    backfill_days: int = Field(default=90, ge=1, le=3650)
    page_size: int = Field(default=100, ge=1, le=500)
    #: ``domainIds`` filter (e.g. ``[1]`` TBT, ``[2]`` SPS as the API numbers them).
    domain_ids: list[int] = Field(default_factory=list)
    #: ``countryIds`` filter (``C840`` USA, ``U918`` EU...).
    country_ids: list[str] = Field(default_factory=list)
    #: ``hs`` filter: HS prefixes.
    hs: list[str] = Field(default_factory=list)
    interval_minutes: int = Field(default=60, ge=1)
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        return check_http_url(url)


class RssSourceConfig(Strict):
    """An ``rss`` source: an RSS 2.0 or Atom feed."""

    name: str
    kind: Literal["rss"]
    url: str
    #: Member code for items whose symbol does not say (e.g. ``EU`` for EU TRIS).
    member: str | None = None
    #: Area for items without a symbol.
    area: Literal["TBT", "SPS"] = "TBT"
    #: Language of the feed's text.
    language: str = "en"
    interval_minutes: int = Field(default=60, ge=1)
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        return check_http_url(url)


class FederalRegisterSourceConfig(Strict):
    """A ``federal_register`` source: US proposed rules (early signals)."""

    name: str
    kind: Literal["federal_register"]
    url: str = "https://www.federalregister.gov/api/v1/documents.json"
    #: Agency slugs (``consumer-product-safety-commission``...).
    agencies: list[str] = Field(default_factory=list)
    #: Full-text search terms; each is one query.
    terms: list[str] = Field(default_factory=list)
    backfill_days: int = Field(default=90, ge=1, le=3650)
    page_size: int = Field(default=100, ge=1, le=1000)
    interval_minutes: int = Field(default=60, ge=1)
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        return check_http_url(url)


#: Collector configurations, a union discriminated by ``kind``.
SourceConfig = Annotated[
    FileSourceConfig | EpingSourceConfig | RssSourceConfig | FederalRegisterSourceConfig,
    Field(discriminator="kind"),
]


class CollectConfig(Strict):
    """How collectors use the network (shared by every HTTP source)."""

    #: Requests in flight at once, over all hosts.
    max_concurrency: int = Field(default=16, ge=1, le=256)
    #: Requests in flight at once to one host (politeness).
    per_host_concurrency: int = Field(default=4, ge=1, le=64)
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    #: Whole request, body included.
    total_timeout_seconds: float = Field(default=60.0, gt=0)
    #: A larger body is cut off and the fetch fails.
    max_response_bytes: int = Field(default=20_000_000, ge=1024)
    #: Retries after the first attempt, on timeouts, 429 and 5xx only.
    retries: int = Field(default=3, ge=0, le=10)
    #: Backoff before retry n is ``base * 2**n`` plus up to ``base`` of jitter.
    backoff_base_seconds: float = Field(default=1.0, ge=0)
    #: Longest wait before a retry, ``Retry-After`` included.
    backoff_max_seconds: float = Field(default=120.0, ge=0)
