"""Parsing in worker processes: the same results as in-process, and a worker's crash costs one feed only."""
from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import replace

import pytest

import feeds.workers as workers_module
from core.errors import FeedError
from feeds.fetch import FeedSpec, FetchOptions, fetch_feeds
from feeds.workers import MIN_POOL_FEEDS, Workers
from tests.httpserver import Route, http_server  # noqa: F401 - pytest fixture
from tests.test_fetch import ARTICLE_PAGE, XML, _teaser_feed
from tests.test_parse import ATOM10, HTML_ERROR_PAGE, RSS20, RSS091

OPTIONS = FetchOptions(allow_private=True, timeout=10)


def _serve_a_day(server) -> list[FeedSpec]:
    """At least MIN_POOL_FEEDS feeds: plain ones, a teaser feed with its page, one that is not a feed."""
    server.routes["/article"] = Route(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_PAGE)
    server.routes["/teaser"] = Route(200, XML, _teaser_feed(server.url("/article")))
    server.routes["/broken"] = Route(200, {"Content-Type": "text/html"}, HTML_ERROR_PAGE)
    paths = ["/teaser", "/broken"]
    for i, body in enumerate([RSS20, ATOM10, RSS091] * 3):
        server.routes[f"/feed{i}"] = Route(200, XML, body)
        paths.append(f"/feed{i}")
    assert len(paths) >= MIN_POOL_FEEDS
    return [FeedSpec(server.url(path), name=f"Outlet {i}") for i, path in enumerate(paths)]


def _summary(results):
    # An undated entry is dated by the fetch time, which differs between two runs.
    def undated(article):
        return replace(article, published=None) if article.published_from == "fetched" else article
    return [(r.url, r.status, r.error, r.problems, r.feed_title, [undated(a) for a in r.articles]) for r in results]


def test_a_run_parsed_in_worker_processes_gives_the_same_results(http_server, caplog):
    specs = _serve_a_day(http_server)

    with caplog.at_level(logging.DEBUG, logger="feeds.workers"):
        pooled = fetch_feeds(specs, {}, OPTIONS)
    here = fetch_feeds(specs, {}, FetchOptions(allow_private=True, timeout=10, workers=0))

    assert any("worker processes" in r.getMessage() for r in caplog.records)  # the pool really ran
    assert _summary(pooled) == _summary(here)
    teaser, broken = pooled[0], pooled[1]
    assert "agreed to exchange survey data before the next session" in teaser.articles[0].text  # page extracted
    assert broken.status == "failed" and http_server.url("/broken") in broken.error
    assert all(r.status == "ok" and r.articles for r in pooled[2:])


def test_results_are_handed_over_feed_by_feed_and_not_kept(http_server):
    specs = _serve_a_day(http_server)
    handed = []

    results = fetch_feeds(specs, {}, OPTIONS, on_result=handed.append)

    assert sorted(r.url for r in handed) == sorted(s.url for s in specs)
    assert sum(len(r.articles) for r in handed) > len(specs)
    assert [r.url for r in results] == [s.url for s in specs]
    assert all(r.articles == () for r in results)  # the articles went to on_result only


def test_when_no_worker_process_can_start_the_feeds_are_parsed_here(http_server, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OSError("no semaphores in this sandbox")

    monkeypatch.setattr(workers_module, "ProcessPoolExecutor", refuse)
    specs = _serve_a_day(http_server)

    with caplog.at_level(logging.WARNING, logger="feeds.workers"):
        results = fetch_feeds(specs, {}, OPTIONS)

    assert "cannot start worker processes" in caplog.text
    assert [r.status for r in results].count("ok") == len(specs) - 1


def _die_on(value: int) -> int:
    if value == 3:
        os._exit(70)  # what a segfault in a C parser or the out-of-memory killer does to a worker
    return value * 10


def _recurse(value: int) -> int:
    raise RecursionError("maximum recursion depth exceeded")


def test_a_worker_crash_fails_only_the_feed_it_was_parsing():
    async def run():
        async with Workers(2) as workers:
            calls = [workers.run(f"http://127.0.0.1/feed{v}", _die_on, v) for v in range(6)]
            first = await asyncio.gather(*calls, return_exceptions=True)
            after = await workers.run("http://127.0.0.1/later", _die_on, 7)  # the pool works again
            return first, after

    first, after = asyncio.run(run())

    assert [x for i, x in enumerate(first) if i != 3] == [0, 10, 20, 40, 50]
    assert isinstance(first[3], FeedError)
    assert str(first[3]).startswith("http://127.0.0.1/feed3: not parsed") and "crashed" in str(first[3])
    assert after == 70


def test_an_error_inside_a_worker_names_the_feed():
    async def run():
        async with Workers(1) as workers:
            return await workers.run("http://127.0.0.1/deep", _recurse, 1)

    with pytest.raises(FeedError, match=r"^http://127.0.0.1/deep: unexpected error while parsing \(RecursionError"):
        asyncio.run(run())


def test_a_run_where_every_feed_is_unchanged_starts_no_worker_process(http_server, caplog):
    def unchanged(body):
        def answer(request):
            if request.headers.get("If-None-Match") == '"v1"':
                return Route(304, {"ETag": '"v1"'})
            return Route(200, {**XML, "ETag": '"v1"'}, body)
        return answer

    specs = []
    for i, body in enumerate([RSS20, ATOM10] * (MIN_POOL_FEEDS // 2 + 1)):
        http_server.routes[f"/feed{i}"] = unchanged(body)
        specs.append(FeedSpec(http_server.url(f"/feed{i}")))
    # A feed that answers an HTML page every day (no validators): still parsed, and failed.
    http_server.routes["/broken"] = Route(200, {"Content-Type": "text/html"}, HTML_ERROR_PAGE)
    specs.append(FeedSpec(http_server.url("/broken")))
    with caplog.at_level(logging.DEBUG, logger="feeds.workers"):
        first = fetch_feeds(specs, {}, OPTIONS)
    assert any("started a pool" in r.getMessage() for r in caplog.records)
    caplog.clear()

    with caplog.at_level(logging.DEBUG, logger="feeds.workers"):
        again = fetch_feeds(specs, {r.url: r.state for r in first}, OPTIONS)

    assert [r.status for r in again] == ["not-modified"] * (len(specs) - 1) + ["failed"]
    assert "not a feed" in again[-1].error
    assert not any("started a pool" in r.getMessage() for r in caplog.records)
