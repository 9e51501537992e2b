"""Sign-in and sign-up limits, shared by every process, and the client's address they count by.

Three separate budgets: staff sign-in (failed passwords, per account and per
client address), exporter sign-in links (every request, per contact email
and per address) and sign-up requests (``/exporter/apply``, per applicant
email and per address), so a flood of one never locks anyone out of another.
The counters live in the database (:mod:`warning.storage.rate_limits`):
``serve --workers N`` and several machines behind one proxy share them.

The client's address is the TCP peer's, unless the peer is one of
``[web] trusted_proxies``: then ``X-Forwarded-For`` is read from the right,
skipping the trusted hops, and the first address not trusted is the client's.
Hops to the left of it were written by the client and are never believed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from warning.config import WebConfig
from warning.storage.database import Database
from warning.storage.rate_limits import clear_bucket, hit_counts, record_hits, take_back

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
BudgetName = Literal["staff", "exporter", "signup"]


def _address(text: str) -> IpAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(peer: str | None, forwarded: Sequence[str], trusted: Sequence[IpNetwork]) -> str:
    """The address to count a request against.

    ``peer`` is the TCP peer (``request.remote``), ``forwarded`` the values of
    every ``X-Forwarded-For`` header in order; they are read only when the peer is
    in ``trusted``. A malformed hop ends the walk at the last trusted hop seen.
    """
    if not peer:
        return "unknown"
    current = _address(peer)
    if current is None or not forwarded or not _trusted(current, trusted):
        return peer
    hops = [hop for value in forwarded for hop in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not _trusted(address, trusted):
            break
    return str(current)


def _trusted(address: IpAddress, trusted: Sequence[IpNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


@dataclass(frozen=True)
class Budget:
    """How many counted attempts one address and one account may make within the window."""

    name: BudgetName
    per_address: int
    per_account: int
    window: dt.timedelta

    def buckets(self, address: str, account: str) -> tuple[str, str]:
        """The counters' keys; cut to fit the column (a form may post a megabyte as "email")."""
        return (f"{self.name}-ip:{address[:64]}", f"{self.name}-account:{account.strip().lower()[:320]}")


@dataclass(frozen=True)
class Attempt:
    """A counted attempt: whether it is within the budget, and its counter rows."""

    allowed: bool
    hit_ids: tuple[int, ...]
    account_bucket: str


@dataclass(frozen=True)
class SignInLimits:
    """The three budgets and the trusted proxies, from ``[web]``."""

    staff: Budget
    exporter: Budget
    signup: Budget
    trusted: tuple[IpNetwork, ...]

    @classmethod
    def from_config(cls, web_config: WebConfig) -> SignInLimits:
        window = dt.timedelta(minutes=web_config.login_window_minutes)
        return cls(
            Budget("staff", web_config.login_failures_per_ip, web_config.login_failures_per_account, window),
            Budget("exporter", web_config.exporter_links_per_ip, web_config.exporter_links_per_email, window),
            Budget(
                "signup",
                web_config.signup_per_ip,
                web_config.signup_per_email,
                dt.timedelta(minutes=web_config.signup_window_minutes),
            ),
            tuple(ipaddress.ip_network(p, strict=False) for p in web_config.trusted_proxies),
        )

    def address_of(self, request: web.Request) -> str:
        """The client address of a request (see :func:`client_address`)."""
        return client_address(request.remote, request.headers.getall("X-Forwarded-For", []), self.trusted)

    async def attempt(
        self, db: Database, name: BudgetName, address: str, account: str, now: dt.datetime
    ) -> Attempt:
        """Count an attempt, then check it against the budget (a refused one is not kept).

        The rows are committed before counting, so concurrent attempts in other
        processes see each other: the budget is never exceeded.
        """
        budget = {"staff": self.staff, "exporter": self.exporter, "signup": self.signup}[name]
        by_address, by_account = budget.buckets(address, account)
        async with db.begin() as conn:
            ids = tuple(await record_hits(conn, (by_address, by_account), now, budget.window))
        async with db.begin() as conn:
            counts = await hit_counts(conn, (by_address, by_account), now, budget.window)
            allowed = counts[by_address] <= budget.per_address and counts[by_account] <= budget.per_account
            if not allowed:
                await take_back(conn, ids)
        return Attempt(allowed, ids, by_account)

    async def succeeded(self, db: Database, attempt: Attempt) -> None:
        """A staff sign-in succeeded: it counts nowhere, and the account's failures are forgotten."""
        async with db.begin() as conn:
            await take_back(conn, attempt.hit_ids)
            await clear_bucket(conn, attempt.account_bucket)
