"""The ``[[sources]]`` union and the ``[collect]`` section."""

from __future__ import annotations

from pathlib import Path

import pytest

from warning.config import (
    EpingSourceConfig,
    FederalRegisterSourceConfig,
    RssSourceConfig,
    parse_config,
)
from warning.exceptions import ConfigError

KINDS = """
[collect]
per_host_concurrency = 2
[[sources]]
name = "eping"
kind = "eping"
api_key_env = "EPING_KEY"
country_ids = ["C840"]
[[sources]]
name = "tris"
kind = "rss"
url = "https://example.org/rss"
member = "EU"
[[sources]]
name = "fr"
kind = "federal_register"
agencies = ["consumer-product-safety-commission"]
terms = ["labeling"]
enabled = false
"""


def test_every_kind_with_defaults() -> None:
    config = parse_config(KINDS, Path("/tmp/config.toml"))
    eping, rss, fr = config.sources
    assert isinstance(eping, EpingSourceConfig) and eping.backfill_days == 90 and eping.page_size == 100
    assert eping.url == "https://api.wto.org/eping/notifications/search"
    assert isinstance(rss, RssSourceConfig) and rss.member == "EU" and rss.area == "TBT"
    assert isinstance(fr, FederalRegisterSourceConfig) and not fr.enabled
    assert fr.url == "https://www.federalregister.gov/api/v1/documents.json"
    assert config.collect.per_host_concurrency == 2 and config.collect.retries == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[sources]]\nname = "x"\nkind = "eping"\napi_key = "inline"\n', "sources.0.api_key: unknown key"),
        ('[[sources]]\nname = "x"\nkind = "rss"\n', "sources.0.url: required key is missing"),
        ('[[sources]]\nname = "x"\nkind = "gopher"\n', "sources.0"),
        ("[collect]\nretries = -1\n", "collect.retries"),
    ],
)
def test_bad_source_keys_are_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        parse_config(text, Path("/tmp/config.toml"))


def test_commented_examples_in_config_toml_are_valid() -> None:
    import re

    path = Path(__file__).resolve().parents[2] / "config.toml"
    text = re.sub(r"^# (\[|[a-z_]+ =)", r"\1", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    config = parse_config(text, path)
    assert [s.kind for s in config.sources] == ["file", "eping", "rss", "federal_register"]
