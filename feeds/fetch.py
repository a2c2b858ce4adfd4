"""Fetching feeds over HTTP: many at once, politely, never letting one bad feed stop the run.

This is the I/O edge of the feeds stage. Per feed: a conditional GET (ETag /
Last-Modified from the stored ``FeedState``), a size cap on what is read (compressed and
decompressed), a time limit, a bounded number of redirects; then the body goes to the pure
``feeds.parse.parse_feed`` and teaser entries get their article page fetched
(``feeds.pages``). Every outcome is a ``FeedResult``; failures carry a message naming the
feed and keep the previous state, so a bad day never makes us forget what we had seen.

What may be fetched: http and https only, and (unless a feed sets ``allow_private``) no
loopback, private, link-local or otherwise non-public address - checked after DNS
resolution, on every redirect hop and for every linked article page, with the connection
pinned to the address that was checked (``feeds.guard``). A 429/503 Retry-After, a
permanent redirect (``new_url``) and a 410 Gone (``gone``) are reported in the result for
the fetch job to act on; ``retry_at`` is the backoff policy. Secrets in feed URLs
(passwords, token parameters) are masked in every message (``redact_url``).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import zlib
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Literal
from urllib.parse import urlsplit

import httpx

from core.errors import FeedError
from core.models import Article
from feeds import pages
from feeds.feedspec import FeedSpec
from feeds.guard import GuardedTransport, redact, redact_url
from feeds.entries import FeedEntry, entry_id, entry_to_article, parse_date
from feeds.parse import ParsedFeed, parse_feed
from feeds.workers import MIN_POOL_FEEDS, Workers

log = logging.getLogger(__name__)

USER_AGENT = "briefing/0.1 (daily diplomacy digest)"


@dataclass(frozen=True)
class FeedState:
    """What the store keeps per feed URL between runs, for conditional GET."""

    etag: str | None = None
    modified: str | None = None  # the Last-Modified header, verbatim


@dataclass(frozen=True)
class FetchOptions:
    """How feeds are fetched. ``timeout`` bounds each request as a whole (connect + read)."""

    timeout: float = 20.0
    connect_timeout: float = 10.0
    max_bytes: int = 5_000_000  # per response, after decompression
    max_redirects: int = 5
    # Requests at once: feeds in all, article pages in all, and to any one host (feeds and
    # pages together). Like a browser (six per host), many hosts are fetched at once while
    # no single site gets more than a few of our connections at a time. A day's fetch is
    # mostly waiting on sites (50-300 ms each, some seconds): at 32 feeds at once, 1,000
    # feeds answering 304 took 12 s of waiting alone, at 64 about 8 s. A connection waiting
    # for an answer costs a socket and a few kilobytes; browsers keep up to 256 open.
    concurrency: int = 128
    user_agent: str = USER_AGENT
    page_concurrency: int = 32
    per_host: int = 6
    fetch_pages: bool = True
    max_pages_per_feed: int = 50
    # Allow loopback/private/link-local addresses for every feed (tests, all-intranet setups);
    # a single feed opts in with ``allow_private = true`` in its [[feeds]] table instead.
    allow_private: bool = False
    # A 429/503 asking to wait at most this many seconds is retried once within the run;
    # a longer wait is honoured by skipping the feed until then (see ``retry_at``).
    max_retry_wait: float = 5.0
    # After this many failures in a row a feed is left alone for a while: backoff_hours,
    # doubling with each further failure, up to backoff_max_hours.
    backoff_after: int = 2
    backoff_hours: float = 6.0
    backoff_max_hours: float = 168.0
    # Processes that parse feeds and extract article pages beside the downloads (parsing is
    # CPU-bound: on one thread it kept the sockets waiting). None: one per CPU; 0: parse in
    # this process. Runs of fewer than MIN_POOL_FEEDS feeds always parse in this process.
    workers: int | None = None


@dataclass(frozen=True)
class FeedResult:
    """The outcome for one feed. ``state`` is what to store: new on "ok", unchanged on "failed"."""

    url: str
    status: Literal["ok", "not-modified", "failed"]
    state: FeedState
    articles: tuple[Article, ...] = ()
    error: str | None = None
    http_status: int | None = None
    problems: tuple[str, ...] = ()
    feed_title: str | None = None
    # Set when every redirect on the way was permanent (301/308): the feed's new address.
    new_url: str | None = None
    # Seconds the server asked us to wait (Retry-After on a 429/503), when it did.
    retry_after: float | None = None
    # The feed is gone for good (410): stop fetching it until the user resumes it.
    gone: bool = False


@dataclass(frozen=True)
class HttpResponse:
    """A fully read (and capped) HTTP response."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    redirects: tuple[tuple[int, str], ...] = field(default_factory=tuple)


Progress = Callable[[int, int], None]  # (feeds done, feeds in all), as jobs.fetch passes it
OnResult = Callable[[FeedResult], None]


def fetch_feeds(feeds: Sequence[FeedSpec], states: Mapping[str, FeedState],
                options: FetchOptions = FetchOptions(), progress: Progress | None = None,
                known_ids: Container[str] = frozenset(),
                on_result: OnResult | None = None) -> list[FeedResult]:
    """Fetch and parse ``feeds`` concurrently; return one ``FeedResult`` per feed, in order.

    ``states`` maps feed URL -> the ``FeedState`` stored after the last successful fetch.
    ``progress(done, total)`` is called as each feed finishes. Articles whose id is
    in ``known_ids`` (already stored) are left out and their pages are not fetched again.
    Never raises for a feed's failure: that becomes a result with ``status="failed"``.

    ``on_result(result)`` is called with each feed's full result as soon as it is done (on
    this thread, so it may write to a store ``known_ids`` reads); the returned results then
    carry no articles, so a day of articles is never held in memory all at once. An
    exception from ``on_result`` stops the run.

    Parsing and page extraction run in a pool of worker processes (``options.workers``)
    while the downloads go on; a worker that crashes costs only the feed (or page) it was
    working on.

    Example::

        results = fetch_feeds([FeedSpec("https://example.org/feed.xml", name="Example")], {})
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(fetch_feeds_async(feeds, states, options, progress, known_ids, on_result))
    raise RuntimeError("fetch_feeds() called inside a running event loop; await fetch_feeds_async() instead")


async def fetch_feeds_async(feeds: Sequence[FeedSpec], states: Mapping[str, FeedState],
                            options: FetchOptions = FetchOptions(), progress: Progress | None = None,
                            known_ids: Container[str] = frozenset(),
                            on_result: OnResult | None = None) -> list[FeedResult]:
    """The coroutine behind ``fetch_feeds``, for callers already inside an event loop."""
    hosts = HostSlots(options.per_host)
    feed_slots = Slots(options.concurrency, hosts)
    page_slots = Slots(options.page_concurrency, hosts)
    done = 0
    total = len(feeds)

    async with _client(options, allow_private=options.allow_private) as guarded, \
            _client(options, allow_private=True) as open_client, \
            Workers(_worker_count(options, total)) as workers:
        async def one(spec: FeedSpec) -> FeedResult:
            nonlocal done
            state = states.get(spec.url) or FeedState()
            try:
                client = open_client if (spec.allow_private or options.allow_private) else guarded
                result = await _fetch_feed(client, spec, state, options, feed_slots, page_slots, known_ids,
                                           workers)
            except Exception as exc:  # a bug or an odd library error must not stop the other feeds
                log.exception("unexpected error fetching %s", redact_url(spec.url))
                result = FeedResult(spec.url, "failed", state,
                                    error=f"{redact_url(spec.url)}: unexpected error ({redact(repr(exc))})")
            done += 1
            if result.status == "failed":
                log.warning("%s", result.error)
            else:
                log.info("%s: %s, %d articles", redact_url(spec.url), result.status, len(result.articles))
            if on_result is not None:
                on_result(result)
                if result.articles:
                    result = replace(result, articles=())
            if progress is not None:
                try:
                    progress(done, total)
                except Exception:  # a display problem must not cost the fetched results
                    log.exception("progress callback failed")
            return result

        return list(await asyncio.gather(*(one(spec) for spec in feeds)))


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


def _client(options: FetchOptions, allow_private: bool = False) -> httpx.AsyncClient:
    timeout = httpx.Timeout(options.timeout, connect=min(options.connect_timeout, options.timeout))
    most = max(1, options.concurrency) + max(1, options.page_concurrency)
    limits = httpx.Limits(max_connections=most, max_keepalive_connections=most)
    # Only the encodings decoded here under the size cap are offered (see _Decoder).
    headers = {"User-Agent": options.user_agent, "Accept-Encoding": "gzip, deflate"}
    # Every request, redirects included, goes through the address guard. Proxies from the
    # environment are not used (trust_env=False): a proxy would connect on our behalf to
    # addresses the guard never saw.
    # One TLS context for all of them: the guard keeps a connection pool per host name, and
    # building a context (loading the CA certificates) for each of a day's hundreds of hosts
    # took a tenth of the fetch's time on the event loop.
    context = httpx.create_ssl_context()
    transport = GuardedTransport(lambda: httpx.AsyncHTTPTransport(verify=context, limits=limits),
                                 allow_private=allow_private)
    return httpx.AsyncClient(timeout=timeout, headers=headers, follow_redirects=True,
                             max_redirects=options.max_redirects, transport=transport, trust_env=False)


def conditional_headers(state: FeedState) -> dict[str, str]:
    """The request headers for a conditional GET from the stored state."""
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
                         "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.modified:
        headers["If-Modified-Since"] = state.modified
    return headers


async def _fetch_feed(client: httpx.AsyncClient, spec: FeedSpec, state: FeedState, options: FetchOptions,
                      feed_slots: Slots, page_slots: Slots,
                      known_ids: Container[str], workers: Workers) -> FeedResult:
    url = spec.url
    shown = redact_url(url)
    if urlsplit(url).scheme not in ("http", "https"):
        return FeedResult(url, "failed", state, error=f"{shown}: only http and https feed URLs can be fetched")
    response = None
    for attempt in range(2):
        async with feed_slots.take(url):
            try:
                response = await http_get(client, url, options, conditional_headers(state))
            except FeedError as exc:
                return FeedResult(url, "failed", state, error=redact(str(exc)))
        wait = retry_after_seconds(response.headers.get("retry-after"))
        # A short "come back in a moment" is worth one more try within this run.
        if (attempt == 0 and response.status in (429, 503) and wait is not None
                and wait <= options.max_retry_wait):
            log.info("%s: HTTP %d, retrying in %g s as asked", shown, response.status, wait)
            await asyncio.sleep(wait)
            continue
        break
    assert response is not None
    new_url = _permanent_target(url, response)
    problems = _redirect_problems(url, response)
    if response.status == 304:
        # A 304 may carry a fresh validator; otherwise the stored one still holds.
        kept = FeedState(etag=response.headers.get("etag") or state.etag,
                         modified=response.headers.get("last-modified") or state.modified)
        return FeedResult(url, "not-modified", kept, http_status=304, problems=problems, new_url=new_url)
    if not 200 <= response.status < 300:
        wait = retry_after_seconds(response.headers.get("retry-after"))
        error = _status_message(shown, response.status)
        if wait is not None and response.status in (429, 503):
            error += f"; the site asked us to wait {wait:g} s"
        return FeedResult(url, "failed", state, http_status=response.status, problems=problems,
                          error=error, retry_after=wait if response.status in (429, 503) else None,
                          gone=response.status == 410)
    fetched = datetime.now(timezone.utc)
    try:
        prepared = await workers.run(shown, prepare_feed, response.body, spec,
                                     response.headers.get("content-type"), response.status, fetched,
                                     options.fetch_pages and spec.fetch_pages,
                                     light=_light(response))
    except FeedError as exc:
        return FeedResult(url, "failed", state, error=redact(str(exc)), http_status=response.status,
                          problems=problems)
    new_state = FeedState(etag=response.headers.get("etag"), modified=response.headers.get("last-modified"))
    articles, page_problems = await _articles(client, spec, prepared, fetched, options, page_slots, known_ids,
                                              workers)
    return FeedResult(url, "ok", new_state, articles=articles, http_status=response.status,
                      problems=problems + prepared.problems + page_problems, feed_title=prepared.title or None,
                      new_url=new_url)


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


def retry_at(failures: int, now: datetime, options: FetchOptions = FetchOptions(),
             retry_after: float | None = None) -> datetime | None:
    """When a feed that has now failed ``failures`` times in a row may be fetched again
    (None: at the next run). A server's Retry-After wins when it asks for longer."""
    delay = 0.0
    if failures >= options.backoff_after > 0:
        hours = options.backoff_hours * 2 ** (failures - options.backoff_after)
        delay = min(hours, options.backoff_max_hours) * 3600
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + timedelta(seconds=delay) if delay > 0 else None


def _permanent_target(url: str, response: HttpResponse) -> str | None:
    # Only a chain of permanent redirects moves the feed: a 302/307 anywhere on the way
    # says the old address stays the right one to ask.
    if response.redirects and all(code in (301, 308) for code, _ in response.redirects) \
            and response.url != url and 200 <= response.status < 400:
        return response.url
    return None


def _status_message(url: str, status: int) -> str:
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


def _redirect_problems(url: str, response: HttpResponse) -> tuple[str, ...]:
    # A permanent redirect means the configured URL is stale; say so, so the user can update
    # the feed list before the old address stops redirecting.
    if response.redirects and all(code in (301, 308) for code, _ in response.redirects):
        return (f"{redact_url(url)}: moved permanently to {redact_url(response.url)}; update the feed list",)
    return ()


def outlet_name(spec: FeedSpec, parsed: ParsedFeed) -> str:
    """The outlet shown for a feed's articles: the configured name, the feed's title, or its host."""
    return spec.name or parsed.title or (urlsplit(spec.url).hostname or spec.url)


async def _articles(client: httpx.AsyncClient, spec: FeedSpec, prepared: PreparedFeed, fetched: datetime,
                    options: FetchOptions, page_slots: Slots, known_ids: Container[str],
                    workers: Workers) -> tuple[tuple[Article, ...], tuple[str, ...]]:
    fresh: list[PreparedEntry] = []
    seen: set[str] = set()
    for item in prepared.entries:
        if item.ident in known_ids or item.ident in seen:
            continue
        seen.add(item.ident)
        fresh.append(item)

    problems: list[str] = []
    articles: list[Article | None] = [item.article for item in fresh]
    teasers = [i for i, item in enumerate(fresh) if item.teaser is not None]
    if teasers:
        if len(teasers) > options.max_pages_per_feed:
            problems.append(f"{spec.url}: {len(teasers)} teaser entries; fetched the pages of the first "
                            f"{options.max_pages_per_feed} only (max_pages_per_feed)")
            teasers = teasers[: options.max_pages_per_feed]

        async def get(page_url: str) -> HttpResponse:
            async with page_slots.take(page_url):
                return await http_get(client, page_url, options, {"Accept": "text/html,application/xhtml+xml"})

        async def fill(index: int) -> None:
            entry = fresh[index].teaser
            assert entry is not None
            page_url = entry.link or ""
            try:
                body = await pages.fetch_page(get, page_url)
                # Ahead of the feeds waiting to be parsed: this page's article is what its
                # feed is waiting for, while a feed not yet parsed has nothing waiting on it.
                articles[index] = await workers.run(page_url, page_article, body, entry,
                                                    prepared.outlet, spec.url, fetched, first=True)
            except FeedError as exc:
                problems.append(f"page not fetched, kept the feed's teaser: {exc}")

        await asyncio.gather(*(fill(i) for i in teasers))

    return tuple(a for a in articles if a is not None), tuple(sorted(problems))


# ---------------------------------------------------------------- CPU work in worker processes

@dataclass(frozen=True)
class PreparedEntry:
    """One entry of a parsed feed, made ready in a worker: its article id, its article with the
    feed's own text, and the entry itself when it is a teaser whose page may hold the rest."""

    ident: str
    article: Article | None
    teaser: FeedEntry | None = None


@dataclass(frozen=True)
class PreparedFeed:
    """A parsed feed as a worker hands it back: picklable, entries in feed order."""

    title: str
    outlet: str
    entries: tuple[PreparedEntry, ...]
    problems: tuple[str, ...] = ()


def prepare_feed(body: bytes, spec: FeedSpec, content_type: str | None, status: int | None,
                 fetched: datetime, fetch_pages: bool) -> PreparedFeed:
    """Parse a feed body and turn every entry into an article (pure; runs in a worker process).

    Raises ``FeedError`` naming the feed when the body is not a feed (see ``parse_feed``).
    """
    parsed = parse_feed(body, spec.url, content_type, status=status)
    outlet = outlet_name(spec, parsed)
    entries = []
    for entry in parsed.entries:
        teaser = entry if fetch_pages and pages.is_teaser(entry) else None
        article = entry_to_article(entry, outlet, spec.url, fetched, text=pages.strip_feed_trailer(entry.text))
        entries.append(PreparedEntry(entry_id(entry), article, teaser))
    return PreparedFeed(parsed.title, outlet, tuple(entries), parsed.problems)


def page_article(body: bytes, entry: FeedEntry, outlet: str, feed_url: str, fetched: datetime) -> Article | None:
    """The article of a teaser entry whose page was fetched: the page's main text when it adds
    to the teaser (pure; runs in a worker process). Raises ``FeedError`` when the page has none."""
    text = pages.page_text(body, entry.link or "")
    return entry_to_article(entry, outlet, feed_url, fetched, text=pages.choose_text(entry.text, text))


# A small HTML page where a feed should be (an error, login or "moved" page, which some
# sites answer every day) is told apart from a feed in a millisecond: it is parsed here
# while the worker pool has not been needed yet (see Workers.run).
LIGHT_BODY = 8_000


def _light(response: HttpResponse) -> bool:
    content_type = (response.headers.get("content-type") or "").lower()
    return len(response.body) < LIGHT_BODY and content_type.startswith(("text/html", "application/xhtml"))


def _worker_count(options: FetchOptions, feeds: int) -> int:
    if feeds < MIN_POOL_FEEDS:
        return 0
    if options.workers is not None:
        return max(0, options.workers)
    return os.cpu_count() or 2


# ---------------------------------------------------------------- HTTP with caps

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


async def http_get(client: httpx.AsyncClient, url: str, options: FetchOptions,
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


async def _read(client: httpx.AsyncClient, url: str, options: FetchOptions,
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
