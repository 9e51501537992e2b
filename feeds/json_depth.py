"""JSON parsing with a bound on nesting, so one hostile record cannot sink a payload.

``json.loads`` recurses once per ``[`` or ``{``: a line of 5,000 ``[`` raises
``RecursionError``, which no parser expects, and the whole file or page would
fail with every good record in it. :func:`loads_bounded` parses as usual and
measures the depth of what it got (without recursion); only when the text is
too deep (or ``json.loads`` gave up) does it find the containers nested deeper
than the bound (a scan over the brackets outside strings), put a marker string
in their place, and parse what is left. :func:`too_deep` tells whether one
record holds a marker, so the caller quarantines that record alone.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from warning.exceptions import RecordError

#: Deepest nesting kept. Real records are a handful of levels deep (an ePing
#: page: envelope, items, item, field list, entry); 64 leaves ample room.
MAX_DEPTH = 64

#: Strings (skipped whole, brackets inside them do not count) or one bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
#: Stands for a container cut out for being too deep; random per process so
#: no input can spell it.
_MARK = f"\x00tbtwarn-too-deep-{secrets.token_hex(8)}"
_MARK_JSON = json.dumps(_MARK)


def too_deep_reason(max_depth: int = MAX_DEPTH) -> str:
    """The reason given for a record nested deeper than ``max_depth``."""
    return f"nested deeper than {max_depth} levels of JSON arrays or objects"


def _cut_deep(text: str, max_depth: int) -> str | None:
    """``text`` with every container at depth ``max_depth`` that holds a
    deeper one replaced by the marker; ``None`` when nothing is that deep."""
    opened: list[int] = []
    pieces: list[str] = []
    copied_to = 0
    cut_from: int | None = None
    for token in _TOKENS.finditer(text):
        char = text[token.start()]
        if char == '"':
            continue
        if char in "[{":
            opened.append(token.start())
            if len(opened) > max_depth and cut_from is None:
                cut_from = opened[max_depth - 1]
        elif opened:
            opened.pop()
            if cut_from is not None and len(opened) < max_depth:
                pieces += [text[copied_to:cut_from], _MARK_JSON]
                copied_to, cut_from = token.end(), None
    if cut_from is not None:  # never closed: the rest of the text goes
        pieces += [text[copied_to:cut_from], _MARK_JSON]
        copied_to = len(text)
    if not pieces:
        return None
    pieces.append(text[copied_to:])
    return "".join(pieces)


def _deeper_than(value: Any, max_depth: int) -> bool:
    """Whether ``value`` nests more than ``max_depth`` arrays or objects (level by level)."""
    level = [value] if isinstance(value, list | dict) else []
    for _ in range(max_depth):
        below: list[Any] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below += [c for c in children if isinstance(c, list | dict)]
        if not below:
            return False
        level = below
    return True


def loads_bounded(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads(text)``, with containers deeper than ``max_depth`` replaced
    by a marker that :func:`too_deep` finds.

    Raises:
        json.JSONDecodeError: the text is not JSON (as ``json.loads``).
        RecordError: the text is not JSON and was nested too deep (say so,
            rather than name a column inside the cut).
    """
    if text.count("[") + text.count("{") <= max_depth:
        return json.loads(text)  # cannot be too deep: the common case of a JSONL line
    try:
        value = json.loads(text)
    except RecursionError:
        pass
    else:
        if not _deeper_than(value, max_depth):
            return value
    cut = _cut_deep(text, max_depth)
    if cut is None:
        return json.loads(text)
    try:
        return json.loads(cut)
    except json.JSONDecodeError:
        raise RecordError(f"not JSON: {too_deep_reason(max_depth)}") from None


def too_deep(value: Any) -> bool:
    """Whether ``value`` (from :func:`loads_bounded`) had a part cut for depth."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item == _MARK:
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False
