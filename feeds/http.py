"""The HTTP layer every network source shares.

One aiohttp session per collection run, with a limit on requests in flight
overall and per host, connect and total timeouts, a cap on the body size
(read in chunks, so an oversize body is never held whole), retries with
exponential backoff and jitter on timeouts, 429 and 5xx (``Retry-After``
honoured), none on other 4xx, and conditional GET.

The sleep and the jitter are injected so tests never wait; the time for an
HTTP-date ``Retry-After`` is read through the clock seam.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp

from warning import __version__
from warning.clock import Clock
from warning.config import CollectConfig
from warning.exceptions import SourceError

USER_AGENT = f"tbtwarn/{__version__} (+TBT early-warning service)"
_CHUNK = 64 * 1024

Sleep = Callable[[float], Awaitable[None]]
Jitter = Callable[[], float]


class HttpError(SourceError):
    """A request failed for good; ``status`` is the last HTTP status, if any."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ResponseTooLarge(HttpError):
    """The body exceeded ``max_response_bytes``; it was cut off unread."""


@dataclass(frozen=True)
class HttpResponse:
    """A complete response (the body within the size cap)."""

    url: str
    status: int
    body: bytes
    #: Media type, lower case, without parameters (``application/json``).
    content_type: str
    #: The charset the server declared, if any.
    charset: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional GET."""
        return self.status == 304


class _Retry(Exception):
    """A failure worth another attempt; ``after`` is the server's wish, if any."""

    def __init__(self, reason: str, after: float | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.after = after
        self.status = status


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


class HttpClient:
    """The shared session; use as ``async with HttpClient(...) as http``."""

    def __init__(
        self,
        options: CollectConfig,
        clock: Clock,
        *,
        sleep: Sleep = asyncio.sleep,
        jitter: Jitter = random.random,
    ) -> None:
        self.options = options
        self.clock = clock
        self.sleep = sleep
        self.jitter = jitter
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpClient:
        connector = aiohttp.TCPConnector(
            limit=self.options.max_concurrency, limit_per_host=self.options.per_host_concurrency
        )
        timeout = aiohttp.ClientTimeout(
            total=self.options.total_timeout_seconds, sock_connect=self.options.connect_timeout_seconds
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            # Redirects are followed by aiohttp; no cookies are kept between sources.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def backoff(self, attempt: int, after: float | None) -> float:
        """Seconds to wait before retry ``attempt`` (0-based)."""
        base = self.options.backoff_base_seconds
        wait: float = base * (2**attempt) + base * self.jitter()
        if after is not None:
            wait = max(wait, after)
        return float(min(wait, self.options.backoff_max_seconds))

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> HttpResponse:
        """GET ``url``; a conditional GET when ``etag``/``last_modified`` are given.

        Raises:
            HttpError: a 4xx other than 429, or retries exhausted (timeouts,
                connection errors, 429, 5xx); the message names the URL.
            ResponseTooLarge: the body exceeded the size cap.
        """
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        attempts = self.options.retries + 1
        for attempt in range(attempts):
            try:
                return await self._attempt(url, params, request_headers)
            except _Retry as retry:
                if attempt + 1 >= attempts:
                    raise HttpError(
                        f"{url}: {retry} (gave up after {attempts} attempts)", status=retry.status
                    ) from None
                if retry.after is not None and retry.after > self.options.backoff_max_seconds:
                    raise HttpError(
                        f"{url}: {retry}; server asks to retry after {retry.after:.0f} s, "
                        f"more than backoff_max_seconds",
                        status=retry.status,
                    ) from None
                await self.sleep(self.backoff(attempt, retry.after))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self, url: str, params: Mapping[str, Any] | list[tuple[str, str]] | None, headers: dict[str, str]
    ) -> HttpResponse:
        if self._session is None:
            raise RuntimeError("HttpClient used outside 'async with'")
        try:
            async with self._session.get(url, params=params, headers=headers) as resp:
                if resp.status == 429 or resp.status >= 500:
                    after = retry_after_seconds(resp.headers.get("Retry-After"), self.clock.now())
                    raise _Retry(f"HTTP {resp.status} {resp.reason or ''}".strip(), after, resp.status)
                if resp.status >= 400:
                    raise HttpError(
                        f"{url}: HTTP {resp.status} {resp.reason or ''}".strip(), status=resp.status
                    )
                body = b"" if resp.status == 304 else await self._read_capped(url, resp)
                return HttpResponse(
                    url=str(resp.url),
                    status=resp.status,
                    body=body,
                    content_type=resp.content_type.lower(),
                    charset=resp.charset,
                    etag=resp.headers.get("ETag"),
                    last_modified=resp.headers.get("Last-Modified"),
                )
        except TimeoutError:
            raise _Retry("timed out") from None
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            raise _Retry(f"connection failed: {exc.__class__.__name__}: {exc}") from None

    async def _read_capped(self, url: str, resp: aiohttp.ClientResponse) -> bytes:
        cap = self.options.max_response_bytes
        declared = resp.content_length
        if declared is not None and declared > cap:
            raise ResponseTooLarge(
                f"{url}: response of {declared} bytes exceeds max_response_bytes ({cap})", status=resp.status
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > cap:
                # Closing drops the connection: the rest of the body is never read.
                resp.close()
                raise ResponseTooLarge(
                    f"{url}: response exceeds max_response_bytes ({cap}); cut off", status=resp.status
                )
            chunks.append(chunk)
        return b"".join(chunks)
