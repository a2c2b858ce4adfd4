"""HTTP for the feeds stage: one GET with caps, request slots, and what a response says.

``http_get`` reads a response under a size cap that holds for the decompressed bytes too,
and a time limit for the whole request; every failure becomes a ``FeedError`` naming the
URL. ``HostSlots``/``Slots`` bound how many requests run at once, overall and per host.
The rest reads a response: conditional GET headers, Retry-After, permanent redirects, and a
message for an HTTP error status. The client itself (the address guard, TLS, proxies) is
made in ``feeds.fetch``.
"""
from __future__ import annotations

import asyncio
import contextlib
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from core.errors import FeedError
from feeds.entries import parse_date
from feeds.guard import redact_url


class Limits(Protocol):
    """The limits ``http_get`` reads from the fetch options."""

    timeout: float
    max_bytes: int
    max_redirects: int


class Validators(Protocol):
    """What a conditional GET needs from a feed's stored state."""

    etag: str | None
    modified: str | None


@dataclass(frozen=True)
class HttpResponse:
    """A fully read (and capped) HTTP response."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    redirects: tuple[tuple[int, str], ...] = field(default_factory=tuple)


class HostSlots:
    """At most ``per_host`` requests at once to any one host name (feeds and pages together)."""

    def __init__(self, per_host: int) -> None:
        self.per_host = max(1, per_host)
        self._slots: dict[str, asyncio.Semaphore] = {}

    def of(self, url: str) -> asyncio.Semaphore:
        """The semaphore of ``url``'s host."""
        host = (urlsplit(url).hostname or "").lower()
        slots = self._slots.get(host)
        if slots is None:
            slots = self._slots[host] = asyncio.Semaphore(self.per_host)
        return slots


class Slots:
    """Request slots of one kind (feeds or pages): ``overall`` at once, and the per-host limit."""

    def __init__(self, overall: int, hosts: HostSlots) -> None:
        self.overall = asyncio.Semaphore(max(1, overall))
        self.hosts = hosts

    @contextlib.asynccontextmanager
    async def take(self, url: str):
        """Hold a slot for one request to ``url``."""
        # The host's slot first: the pages of one busy site then queue among themselves
        # instead of holding shared slots that requests to other sites could use.
        async with self.hosts.of(url):
            async with self.overall:
                yield


def conditional_headers(state: Validators) -> dict[str, str]:
    """The request headers for a conditional GET from the stored state."""
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
                         "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.modified:
        headers["If-Modified-Since"] = state.modified
    return headers


# A server asking for more than a week is treated as asking for a week: the daily job
# must come back eventually, and a bogus far-future date must not silence a feed forever.
MAX_RETRY_AFTER = 7 * 24 * 3600.0


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """The wait a Retry-After header asks for, in seconds (delta-seconds or an HTTP date),
    capped at a week; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]{1,12}", value):  # ASCII digits only: "²".isdigit() is True too
        return min(float(value), MAX_RETRY_AFTER)
    if not value.isascii():
        return None
    when = parse_date(value)
    if when is None:
        return None
    delta = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


def permanent_target(url: str, response: HttpResponse) -> str | None:
    """The feed's new address when every redirect on the way was permanent (301/308), else None."""
    # Only a chain of permanent redirects moves the feed: a 302/307 anywhere on the way
    # says the old address stays the right one to ask.
    if response.redirects and all(code in (301, 308) for code, _ in response.redirects) \
            and response.url != url and 200 <= response.status < 400:
        return response.url
    return None


def status_message(url: str, status: int) -> str:
    """A one-line message for an HTTP error status, saying what the user can do about it."""
    reason = httpx.codes.get_reason_phrase(status)
    text = f"{url}: HTTP {status} {reason}".rstrip()
    if status == 410:
        text += " (the site says the feed is gone for good; it is paused - remove it or resume it)"
    elif status == 404:
        text += " (the feed has moved or gone; check the URL or remove it from the feed list)"
    elif status in (401, 403):
        text += " (the site refuses us; the feed may need a login or block automated readers)"
    elif status == 429 or status >= 500:
        text += " (a problem on the site's side; it will be tried again later)"
    return text


def redirect_problems(url: str, response: HttpResponse) -> tuple[str, ...]:
    """A warning to update the feed list when the feed has moved permanently."""
    # A permanent redirect means the configured URL is stale; say so, so the user can update
    # the feed list before the old address stops redirecting.
    if response.redirects and all(code in (301, 308) for code, _ in response.redirects):
        return (f"{redact_url(url)}: moved permanently to {redact_url(response.url)}; update the feed list",)
    return ()


class _Decoder:
    """Decompresses a gzip/deflate body incrementally, never producing more than asked for.

    Decoding here rather than in httpx lets the size cap apply to the decompressed bytes
    as they are produced: a 50 KB gzip bomb must not become 5 GB in memory first.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        if encoding in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS)
            self._started = False
        else:
            self._inflate = None

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decode ``data``; returns at most ``limit`` bytes (more would exceed the cap anyway)."""
        if self._inflate is None:
            return data
        if self.encoding == "deflate" and not self._started:
            self._started = True
            try:
                return self._inflate.decompress(data, limit)
            except zlib.error:
                # "deflate" is sent both zlib-wrapped (as the RFC says) and raw (as old IIS did).
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inflate.decompress(data, limit)

    def overflowing(self) -> bool:
        """True when input is left undecoded because the output limit was reached."""
        return bool(self._inflate is not None and self._inflate.unconsumed_tail)


def _content_encoding(headers: httpx.Headers, url: str) -> str:
    codings = [c.strip().lower() for c in headers.get("content-encoding", "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return "identity"
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return codings[0]
    raise FeedError(f"{url}: the server sent an encoding we did not ask for ({', '.join(codings)})")


async def http_get(client: httpx.AsyncClient, url: str, options: Limits,
                   headers: Mapping[str, str] | None = None) -> HttpResponse:
    """GET ``url`` and read the body, capped at ``options.max_bytes`` decompressed bytes and
    ``options.timeout`` seconds in all. Raises ``FeedError`` naming the URL on any failure;
    an HTTP error status is returned, not raised."""
    try:
        async with asyncio.timeout(options.timeout):
            return await _read(client, url, options, headers or {})
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise FeedError(f"{url}: timed out after {options.timeout:g} s (the site is slow or down; "
                        "it will be tried again next run)") from exc
    except httpx.TooManyRedirects as exc:
        raise FeedError(f"{url}: more than {options.max_redirects} redirects") from exc
    except httpx.UnsupportedProtocol as exc:
        raise FeedError(f"{url}: redirected to an address that is not http(s) ({exc})") from exc
    except httpx.ConnectError as exc:
        raise FeedError(f"{url}: could not connect ({exc or type(exc).__name__})") from exc
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
        detail = str(exc) or type(exc).__name__
        raise FeedError(f"{url}: the connection was reset or closed before a complete answer ({detail}); "
                        "it will be tried again next run") from exc
    except (httpx.HTTPError, zlib.error) as exc:
        raise FeedError(f"{url}: {type(exc).__name__}: {exc}") from exc


async def _read(client: httpx.AsyncClient, url: str, options: Limits,
                headers: Mapping[str, str]) -> HttpResponse:
    cap = options.max_bytes
    too_big = f"{url}: response larger than {cap:,} bytes; stopped reading (raise max_bytes if the feed is really this big)"
    async with client.stream("GET", url, headers=dict(headers)) as response:
        redirects = tuple((r.status_code, str(r.headers.get("location", ""))) for r in response.history)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FeedError(too_big)
        decoder = _Decoder(_content_encoding(response.headers, url))
        chunks: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            data = decoder.feed(raw, cap - size + 1)
            size += len(data)
            if size > cap or decoder.overflowing():
                raise FeedError(too_big)
            chunks.append(data)
        return HttpResponse(url=str(response.url), status=response.status_code, headers=response.headers,
                            body=b"".join(chunks), redirects=redirects)
