"""Fetching feeds over HTTP: many at once, politely, never letting one bad feed stop the run.

This is the I/O edge of the feeds stage. Per feed: a conditional GET (ETag /
Last-Modified from the stored ``FeedState``), a size cap on what is read (compressed and
decompressed), a time limit, a bounded number of redirects; then the body goes to the pure
``feeds.prepare`` (in worker processes) and teaser entries get their article page fetched
(``feeds.pages``); the GET itself, under its caps, is ``feeds.http``. Every outcome is a
``FeedResult``; failures carry a message naming the feed and keep the previous state, so a
bad day never makes us forget what we had seen.

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
import logging
import os
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Literal
from urllib.parse import urlsplit

import httpx

from core.errors import FeedError
from core.models import Article
from feeds import pages
from feeds.feedspec import FeedSpec
from feeds.guard import GuardedTransport, redact, redact_url
from feeds.http import (HostSlots, HttpResponse, Slots, conditional_headers, http_get, permanent_target,
                        redirect_problems, retry_after_seconds, status_message)
from feeds.prepare import PreparedEntry, PreparedFeed, page_article, prepare_feed
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
    new_url = permanent_target(url, response)
    problems = redirect_problems(url, response)
    if response.status == 304:
        # A 304 may carry a fresh validator; otherwise the stored one still holds.
        kept = FeedState(etag=response.headers.get("etag") or state.etag,
                         modified=response.headers.get("last-modified") or state.modified)
        return FeedResult(url, "not-modified", kept, http_status=304, problems=problems, new_url=new_url)
    if not 200 <= response.status < 300:
        wait = retry_after_seconds(response.headers.get("retry-after"))
        error = status_message(shown, response.status)
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
