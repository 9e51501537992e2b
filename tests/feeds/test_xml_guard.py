"""The check of a feed's XML before feedparser: what passes and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.xml_guard import MAX_DEPTH, xml_problem

DATA = Path(__file__).resolve().parent / "data"


def _nested(depth: int) -> bytes:
    """An RSS document whose deepest element is ``depth`` levels down."""
    inner = depth - 4  # rss, channel, item, description
    return (
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel><item><description>'
        + b"<a>" * inner
        + b"</a>" * inner
        + b"</description></item></channel></rss>"
    )


@pytest.mark.parametrize("name", ["wto_tbt.rss", "eu_tris.atom"])
def test_real_feeds_pass(name: str) -> None:
    assert xml_problem((DATA / name).read_bytes(), "application/xml") is None


@pytest.mark.parametrize(
    "payload",
    [
        # A Chinese enquiry point's feed in its own encoding.
        '<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>玩具安全</title>'
        "</channel></rss>".encode("gb2312"),
        # One-character entities expand to one character: harmless.
        b'<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]><rss><channel><title>a&nbsp;b</title></channel></rss>',
        # RSS 0.91's public DTD is named, never fetched; its entities are not declared here.
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">'
        b'<rss version="0.91"><channel><title>a&nbsp;b</title></channel></rss>',
    ],
    ids=["gb2312", "one-character entity", "rss 0.91 dtd"],
)
def test_harmless_xml_passes(payload: bytes) -> None:
    assert xml_problem(payload, "application/xml") is None


def test_nesting_is_bounded_at_max_depth() -> None:
    assert xml_problem(_nested(MAX_DEPTH), "application/xml") is None
    problem = xml_problem(_nested(MAX_DEPTH + 1), "application/xml")
    assert problem == (
        f"refused: elements nested deeper than {MAX_DEPTH} levels (line 2); a feed needs a handful"
    )


@pytest.mark.parametrize(
    ("doctype", "reason"),
    [
        (b'<!ENTITY a "aa">', "the XML entity 'a'"),
        (b'<!ENTITY % p "x">', "the XML entity 'p'"),
        (b'<!ENTITY e PUBLIC "-//x//y" "http://127.0.0.1/e">', "the external XML entity 'e'"),
    ],
)
def test_entity_declarations_are_refused_with_their_name(doctype: bytes, reason: str) -> None:
    payload = b"<!DOCTYPE rss [" + doctype + b"]><rss><channel><title>t</title></channel></rss>"
    problem = xml_problem(payload, "application/xml")
    assert problem is not None and problem.startswith(f"refused: the feed declares {reason} ")


def test_xml_that_is_not_well_formed_is_named_as_feedparser_does() -> None:
    payload = b'<?xml version="1.0"?>\n<rss>\n<channel>\n</rss>'
    assert xml_problem(payload, "application/xml") == "bad XML at line 4: mismatched tag"
