"""Fetching like a browser fleet: a few connections per site, many sites at once, and article
pages extracted while other feeds still wait to be parsed.

The server listens on several loopback addresses (127.0.0.1, 127.0.0.2, ...: separate host
names to the client) and counts the requests each one has in hand at the same moment.
"""
from __future__ import annotations

import html

from feeds.fetch import FeedSpec, FetchOptions, fetch_feeds
from feeds.workers import MIN_POOL_FEEDS
from tests.httpserver import LoopbackServer, Route

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")


def _page(n: int) -> str:
    paragraphs = "".join(
        f"<p>Delegation {n} reviewed the {part} chapter of the river accord with the customs officers of "
        f"both banks, and agreed to meet again once the survey of the {part} crossing is finished.</p>"
        for part in ("northern", "southern", "eastern", "western"))
    return (f"<!doctype html><html><head><title>Accord review {n}</title></head><body><nav><a href='/'>Home"
            f"</a></nav><article><h1>Accord review {n}</h1>{paragraphs}</article></body></html>")


def _teasers(links: list[str], title: str = "Valley Courier") -> str:
    items = "".join(f"<item><title>Accord review {i}</title><link>{html.escape(link)}</link>"
                    f"<description>Delegation {i} met on the river accord [&#8230;]</description></item>"
                    for i, link in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'


def test_pages_go_to_many_sites_at_once_but_never_more_than_per_host_to_one():
    with LoopbackServer(hosts=HOSTS) as server:
        links = []
        for h, host in enumerate(HOSTS[1:]):
            for i in range(8):
                path = f"/story/{h}-{i}"
                server.routes[path] = Route(200, HTML, _page(10 * h + i), delay=0.15)
                links.append(server.url(path, host=host))
        server.routes["/feed"] = Route(200, XML, _teasers(links))
        options = FetchOptions(allow_private=True, timeout=20, per_host=2, page_concurrency=5, workers=0)

        [result] = fetch_feeds([FeedSpec(server.url("/feed"))], {}, options)

        assert result.status == "ok" and len(result.articles) == 24
        assert all("customs officers of both banks" in a.text for a in result.articles)  # the pages' text
        page_hosts = HOSTS[1:]
        assert [server.peak[h] for h in page_hosts] == [2, 2, 2]  # polite to each site, and busy
        assert 3 <= server.peak["*"] <= 5  # more than one site's share at once, never over the total


def test_feeds_share_the_per_host_limit_and_the_overall_limit():
    with LoopbackServer(hosts=HOSTS) as server:
        body = _teasers([], title="Plain feed").replace(
            "</channel>", "<item><title>Customs talks</title><description>" + "The customs talks went on. " * 30
            + "</description><link>http://example.org/a</link></item></channel>")
        specs = []
        for host in HOSTS:
            for i in range(5):
                server.routes[f"/f{i}"] = Route(200, XML, body, delay=0.1)
                specs.append(FeedSpec(server.url(f"/f{i}", host=host)))
        options = FetchOptions(allow_private=True, timeout=20, per_host=1, concurrency=3, workers=0)

        results = fetch_feeds(specs, {}, options)

        assert [r.status for r in results] == ["ok"] * 20
        assert max(server.peak[h] for h in HOSTS) == 1
        assert 2 <= server.peak["*"] <= 3


def _big_feed(n: int) -> str:
    items = "".join(
        f"<item><title>Harbour dues {n}.{i}</title><link>http://example.org/{n}/{i}</link>"
        f"<description>{html.escape('<p>' + 'The harbour board set the new dues for the season. ' * 12 + '</p>')}"
        f"</description><pubDate>Mon, 12 May 2025 06:{i % 60:02d}:00 GMT</pubDate></item>" for i in range(250))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Board {n}</title>{items}</channel></rss>'


def test_a_teaser_page_is_extracted_before_the_feeds_still_waiting_to_be_parsed():
    # One worker process; the teaser feed comes first, its page a moment later, when a queue
    # of big feeds is already waiting to be parsed. Its article must not wait for all of them.
    with LoopbackServer(hosts=HOSTS) as server:
        # The big feeds come from other hosts than the page, so that the page does not wait
        # for a slot of its host (that wait, not the parse queue, made the test depend on
        # how fast the machine parses).
        server.routes["/page"] = Route(200, HTML, _page(1), delay=0.3)
        server.routes["/teaser"] = Route(200, XML, _teasers([server.url("/page")]))
        specs = [FeedSpec(server.url("/teaser"))]
        big = max(MIN_POOL_FEEDS, 24)
        for n in range(big):
            server.routes[f"/big{n}"] = Route(200, XML, _big_feed(n), delay=0.2)
            specs.append(FeedSpec(server.url(f"/big{n}", host=HOSTS[1 + n % 3])))
        finished = []
        options = FetchOptions(allow_private=True, timeout=60, workers=1)

        results = fetch_feeds(specs, {}, options, on_result=lambda r: finished.append(r.url))

        assert all(r.status == "ok" for r in results), [r.error for r in results]
        assert len(finished) == big + 1
        # Extracted ahead of the queue: among the first few feeds done, not after every big one.
        assert finished.index(specs[0].url) < big // 3, finished.index(specs[0].url)
