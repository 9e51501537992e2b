"""How a stored notification is named to people (warning.symbols.reference)."""

from __future__ import annotations

import pytest

from warning.symbols import reference


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("G/TBT/N/USA/1234/Add.1", "G/TBT/N/USA/1234/Add.1"),
        ("url:http://www.xzfsj.cn/html/note-416632.html", "xzfsj.cn note-416632"),
        ("url:http://jmtbt.com.cn/tbdatabase/ShowArticle.asp?ArticleID=23634", "jmtbt.com.cn 23634"),
        ("url:http://183.214.217.157:8888/portal/article/tsindex.html?id=2669560", "183.214.217.157 2669560"),
        (
            "url:https://technical-regulation-information-system.ec.europa.eu/en/notification/26371",
            "technical-regulation-information-system.ec.europa.eu 26371",
        ),
        ("url:https://example.org/", "example.org"),
        ("url:https://example.org/" + "x" * 80, "example.org " + "x" * 39 + "…"),
        ("url:http://[not-an-address", "http://[not-an-address"),
        ("fr:2026-01234", "FR Doc. 2026-01234"),
        ("eu-tris:2026/123", "eu-tris 2026/123"),
        ("no-colon", "no-colon"),
    ],
)
def test_reference(key: str, shown: str) -> None:
    assert reference(key) == shown
