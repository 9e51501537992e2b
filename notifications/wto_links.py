"""Links to the WTO's own documents of a notification, built from its symbol.

Two public services hold every TBT and SPS notification: Documents Online
(``docs.wto.org``), searched by document symbol, and ePing
(``epingalert.org``), whose notification view takes the symbol. Sources'
own links (often third-party mirrors) are shown beside these, never instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from warning.types import Notification

DOCS_ONLINE = (
    "https://docs.wto.org/dol2fe/Pages/FE_Search/FE_S_S006.aspx"
    "?Query=(@Symbol=%22{symbol}%22)&Language=ENGLISH&Context=FomerScriptedSearch&languageUIChanged=true"
)
EPING = "https://epingalert.org/en/Search?viewData={symbol}"


@dataclass(frozen=True)
class WtoLinks:
    """The WTO's links for one document symbol."""

    symbol: str
    documents_online: str
    eping: str


def wto_links(symbol: str) -> WtoLinks:
    """The Documents Online search and the ePing view of ``symbol`` (``G/TBT/N/USA/1234``)."""
    quoted = quote(symbol, safe="/")
    return WtoLinks(symbol, DOCS_ONLINE.format(symbol=quoted), EPING.format(symbol=quote(symbol, safe="")))


def notification_wto_links(n: Notification) -> tuple[WtoLinks, ...]:
    """One entry per WTO symbol of the notification (a joint one has several)."""
    return tuple(wto_links(s.text) for s in n.symbols)


def source_links(n: Notification) -> tuple[str, ...]:
    """The source's own links; only web links (a ``javascript:`` URL from a feed never becomes a link)."""
    return tuple(link for link in n.links if link.startswith(("https://", "http://")))
