"""A check of a feed's XML before feedparser reads it: entity tricks and deep nesting.

What feedparser does with hostile XML, measured (feedparser 6.0, expat 2.5):
the classic "billion laughs" is refused already (feedparser strips entity
declarations whose value holds a reference, so ``&lol9;`` is undefined), and
an external entity (``SYSTEM "file:///etc/passwd"``) is not read. But an
entity with a plain value is kept ("safe"), so ``&a;`` repeated 50,000 times
over a 50,000-character value (quadratic blowup) is stopped only by expat's
amplification limit, which older libexpat builds lack; and nothing bounds
nesting: 100,000 nested elements (700 kB, well under ``max_response_bytes``)
cost feedparser ten seconds of CPU and are accepted, a 20 MB one would cost
minutes. After a parse error feedparser also runs its slower "loose" parser
over the whole payload, for a document that is refused anyway.

:func:`xml_problem` parses the payload once with expat, as feedparser's
strict parser would see it (converted to UTF-8 by feedparser's own encoding
rules, namespaces on), and stops at the first of: an entity declaration that
could expand (anything but a one-character entity such as ``nbsp``), elements
nested deeper than :data:`MAX_DEPTH`, or XML that is not well-formed. The
payload's size is bounded before this, at fetch (``[collect]
max_response_bytes``). Nothing else is kept from this parse: feedparser reads
the feed afterwards as before. Only the standard library's expat is used: a
package such as defusedxml would add nothing the two handlers below do not.
"""

from __future__ import annotations

from typing import Any
from xml.parsers import expat

from feedparser.encodings import convert_to_utf8

#: Deepest element nesting accepted. An RSS item is four levels deep (rss,
#: channel, item, field), an Atom entry three, XHTML content a dozen more.
MAX_DEPTH = 100


class _Refused(Exception):
    """Stops the parse with the reason the payload is refused."""


def _refuse_entity(
    name: str,
    is_parameter: int,
    value: str | None,
    base: str | None,
    system_id: str | None,
    public_id: str | None,
    notation: str | None,
) -> None:
    # A one-character entity (nbsp, mdash...) cannot grow a document; any other can.
    if is_parameter or value is None or len(value) > 1:
        kind = "external " if system_id or public_id else ""
        raise _Refused(
            f"refused: the feed declares the {kind}XML entity {name!r} "
            "(feeds need none; entities can expand a small document without bound)"
        )


def _utf8(payload: bytes, content_type: str) -> tuple[bytes | None, str | None]:
    """The payload as feedparser's strict parser reads it, or why it cannot be read."""
    result: dict[str, Any] = {"bozo": False}
    data = convert_to_utf8({"content-type": content_type}, payload, result)
    if not result.get("encoding"):  # feedparser would give up on strict parsing
        return None, f"wrong encoding: {result.get('bozo_exception')}"
    return data, None


def xml_problem(payload: bytes, content_type: str, max_depth: int = MAX_DEPTH) -> str | None:
    """Why a feed's XML is refused before feedparser reads it, or ``None``.

    The reason names the problem: an entity declaration, nesting deeper than
    ``max_depth``, XML that is not well-formed (``bad XML at line N: ...``, as
    feedparser words it) or an encoding no rule can read.
    """
    data, problem = _utf8(payload, content_type)
    if data is None:
        return problem
    parser = expat.ParserCreate(namespace_separator=" ")
    depth = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise _Refused(
                f"refused: elements nested deeper than {max_depth} levels "
                f"(line {parser.CurrentLineNumber}); a feed needs a handful"
            )

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = _refuse_entity
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        return str(exc)
    except expat.ExpatError as exc:
        return f"bad XML at line {exc.lineno}: {expat.ErrorString(exc.code)}"
    return None
