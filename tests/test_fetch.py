"""Fetching feeds from a real loopback HTTP server: formats, conditional GET, failures, caps, pages."""
from __future__ import annotations

import gzip
import time

import pytest

from feeds import pages
from feeds.fetch import FeedSpec, FeedState, FetchOptions, fetch_feeds
from feeds.entries import FeedEntry
from tests.httpserver import Request, Route, http_server  # noqa: F401 - pytest fixture
from tests.test_parse import (ATOM03, ATOM10, HTML_ERROR_PAGE, JSONFEED10, JSONFEED11, MALFORMED_XML, RSS10,
                              RSS20, RSS091)

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
# The test server is on loopback, which the address guard refuses unless told otherwise.
NO_PAGES = FetchOptions(allow_private=True, timeout=5, fetch_pages=False)

ARTICLE_PAGE = """<!DOCTYPE html>
<html><head><title>Border commission meets | Harbour Gazette</title></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<header><p>Subscribe to our newsletter for the daily digest</p></header>
<main><article>
<h1>Border commission meets for the first time in a decade</h1>
<p>The joint border commission of Arlandia and Bexmoor met in the town of Quill on Tuesday, the first such
meeting since the two governments froze contacts ten years ago.</p>
<p>Officials from both foreign ministries spent the day on maps of the disputed valley, and agreed to
exchange survey data before the next session in the spring.</p>
<p>Neither side would say whether the question of the old customs post was raised. A spokesperson for
the Bexmoor delegation called the talks frank and useful.</p>
<p>Observers from the regional council attended as guests and will publish a short note on the meeting.</p>
</article></main>
<footer><p>Copyright Harbour Gazette. All rights reserved. Cookie settings.</p></footer>
</body></html>"""


def _teaser_feed(link: str) -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>
<item><title>Border commission meets</title><link>{link}</link>
<description>The joint border commission met in Quill on Tuesday [&#8230;]</description></item>
</channel></rss>"""


def test_every_format_is_fetched_and_turned_into_articles(http_server):
    fixtures = {"/rss20": RSS20, "/rss10": RSS10, "/atom10": ATOM10, "/atom03": ATOM03, "/rss091": RSS091,
                "/json10": JSONFEED10, "/json11": JSONFEED11}
    for path, body in fixtures.items():
        ctype = "application/feed+json" if path.startswith("/json") else "application/xml"
        http_server.routes[path] = Route(200, {"Content-Type": ctype}, body)
    specs = [FeedSpec(http_server.url(path)) for path in fixtures]
    specs[0] = FeedSpec(specs[0].url, name="The Gazette")

    results = fetch_feeds(specs, {}, NO_PAGES)

    assert [r.status for r in results] == ["ok"] * len(fixtures), [r.error for r in results]
    by_path = {path: r for path, r in zip(fixtures, results)}
    assert [a.title for a in by_path["/atom03"].articles] == ["Trade envoy visits the northern ports"]
    assert [a.title for a in by_path["/rss10"].articles] == ["Visa talks resume between Corvia and Dunmark"]
    assert len(by_path["/json10"].articles) == 2
    assert by_path["/json11"].articles[0].outlet == "Council Brief"  # the feed's own title
    assert {a.outlet for a in by_path["/rss20"].articles} == {"The Gazette"}  # the configured name wins
    assert by_path["/rss20"].articles[0].feed == specs[0].url
    agents = {r.headers.get("User-Agent") for r in http_server.requests}
    assert len(agents) == 1 and agents.pop().startswith("briefing/")


def test_conditional_get_answers_not_modified_and_keeps_the_validators(http_server):
    def feed(request: Request) -> Route:
        if request.headers.get("If-None-Match") == '"v1"':
            return Route(304, {"ETag": '"v1"'})
        return Route(200, {**XML, "ETag": '"v1"', "Last-Modified": "Tue, 02 Jan 2024 10:00:00 GMT"}, RSS20)

    http_server.routes["/feed"] = feed
    spec = FeedSpec(http_server.url("/feed"))

    (first,) = fetch_feeds([spec], {}, NO_PAGES)
    assert first.status == "ok" and len(first.articles) == 2
    assert first.state == FeedState(etag='"v1"', modified="Tue, 02 Jan 2024 10:00:00 GMT")

    (second,) = fetch_feeds([spec], {spec.url: first.state}, NO_PAGES)
    assert second.status == "not-modified" and second.http_status == 304
    assert second.articles == ()
    assert second.state == first.state
    sent = http_server.requests_to("/feed")[-1].headers
    assert sent.get("If-None-Match") == '"v1"'
    assert sent.get("If-Modified-Since") == "Tue, 02 Jan 2024 10:00:00 GMT"


def test_an_html_error_page_fails_that_feed_only(http_server):
    http_server.routes["/good"] = Route(200, XML, RSS091)
    http_server.routes["/broken"] = Route(200, {"Content-Type": "text/html"}, HTML_ERROR_PAGE)
    http_server.routes["/also-good"] = Route(200, XML, RSS10)
    specs = [FeedSpec(http_server.url(p)) for p in ("/good", "/broken", "/also-good")]
    old = FeedState(etag='"old"')

    good, broken, also_good = fetch_feeds(specs, {specs[1].url: old}, NO_PAGES)

    assert broken.status == "failed"
    assert broken.error == f"{specs[1].url}: not a feed (got an HTML page, status 200)"
    assert broken.state == old and broken.articles == ()
    assert good.status == also_good.status == "ok"
    assert len(good.articles) == len(also_good.articles) == 1


def test_malformed_xml_feed_fails_with_the_reason(http_server):
    http_server.routes["/feed"] = Route(200, XML, MALFORMED_XML)
    (result,) = fetch_feeds([FeedSpec(http_server.url("/feed"))], {}, NO_PAGES)
    assert result.status == "failed"
    assert result.error.startswith(http_server.url("/feed") + ": malformed feed")


def test_404_fails_and_leaves_the_stored_state_alone(http_server):
    spec = FeedSpec(http_server.url("/gone"))
    stored = FeedState(etag='"abc"', modified="Mon, 01 Jan 2024 00:00:00 GMT")
    (result,) = fetch_feeds([spec], {spec.url: stored}, NO_PAGES)
    assert result.status == "failed" and result.http_status == 404
    assert result.state == stored
    assert result.error.startswith(f"{spec.url}: HTTP 404 Not Found")


def test_a_slow_server_times_out_without_holding_up_the_others(http_server):
    http_server.routes["/slow"] = Route(200, XML, RSS20, delay=3.0)
    http_server.routes["/fast"] = Route(200, XML, RSS091)
    specs = [FeedSpec(http_server.url("/slow")), FeedSpec(http_server.url("/fast"))]
    started = time.monotonic()
    slow, fast = fetch_feeds(specs, {}, FetchOptions(allow_private=True, timeout=0.5, fetch_pages=False))
    assert time.monotonic() - started < 2.5
    assert slow.status == "failed" and "timed out" in slow.error and specs[0].url in slow.error
    assert fast.status == "ok"


def test_oversized_bodies_are_cut_off(http_server):
    big_feed = RSS20.replace("Short teaser.", "x" * 60_000)
    http_server.routes["/big"] = Route(200, XML, big_feed)
    # Same size, but no Content-Length: the cap must hold while streaming too.
    http_server.routes["/big-chunked"] = Route(200, XML, big_feed, chunked=True)
    # A gzip bomb: 10 KB on the wire (under the cap), 10 MB once decompressed.
    bomb = gzip.compress(b"<rss version='2.0'><channel><title>" + b" " * 10_000_000, 9)
    assert len(bomb) < 20_000
    http_server.routes["/bomb"] = Route(200, {**XML, "Content-Encoding": "gzip"}, bomb)
    # A normal compressed feed under the cap still reads fine.
    http_server.routes["/small-gzip"] = Route(200, {**XML, "Content-Encoding": "gzip"}, gzip.compress(RSS20.encode()))
    paths = ("/big", "/big-chunked", "/bomb", "/small-gzip")
    results = fetch_feeds([FeedSpec(http_server.url(p)) for p in paths], {},
                          FetchOptions(allow_private=True, timeout=5, max_bytes=20_000, fetch_pages=False))
    big, chunked, bomb_result, small = results
    assert big.status == "failed" and "larger than 20,000 bytes" in big.error
    assert chunked.status == "failed" and "larger than 20,000 bytes" in chunked.error
    assert bomb_result.status == "failed" and "larger than 20,000 bytes" in bomb_result.error
    assert small.status == "ok" and len(small.articles) == 2


def test_teaser_entries_get_the_main_text_of_their_page(http_server):
    http_server.routes["/article"] = Route(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_PAGE)
    http_server.routes["/feed"] = Route(200, XML, _teaser_feed(http_server.url("/article")))

    (result,) = fetch_feeds([FeedSpec(http_server.url("/feed"))], {}, FetchOptions(allow_private=True, timeout=5))

    assert result.status == "ok", result.error
    (article,) = result.articles
    assert "agreed to\nexchange survey data" not in article.text  # lines are paragraphs, not source lines
    assert "agreed to exchange survey data before the next session" in article.text
    assert "frank and useful" in article.text
    assert "Subscribe to our newsletter" not in article.text and "Cookie settings" not in article.text
    assert article.title == "Border commission meets"
    assert result.problems == ()


def test_pages_are_not_fetched_when_the_feed_says_so(http_server):
    http_server.routes["/article"] = Route(200, {"Content-Type": "text/html"}, ARTICLE_PAGE)
    http_server.routes["/feed"] = Route(200, XML, _teaser_feed(http_server.url("/article")))

    (result,) = fetch_feeds([FeedSpec(http_server.url("/feed"), fetch_pages=False)], {}, FetchOptions(allow_private=True, timeout=5))

    assert result.articles[0].text == "The joint border commission met in Quill on Tuesday […]"
    assert http_server.requests_to("/article") == []


def test_a_failed_page_fetch_keeps_the_teaser_and_says_so(http_server):
    http_server.routes["/feed"] = Route(200, XML, _teaser_feed(http_server.url("/missing-article")))
    (result,) = fetch_feeds([FeedSpec(http_server.url("/feed"))], {}, FetchOptions(allow_private=True, timeout=5))
    assert result.status == "ok"
    assert result.articles[0].text.startswith("The joint border commission met")
    assert len(result.problems) == 1 and "/missing-article" in result.problems[0] and "404" in result.problems[0]


def test_known_articles_are_left_out(http_server):
    http_server.routes["/feed"] = Route(200, XML, RSS20)
    spec = FeedSpec(http_server.url("/feed"))
    (result,) = fetch_feeds([spec], {}, NO_PAGES, known_ids={"https://news.example.org/2024/river-treaty"})
    assert [a.url for a in result.articles] == ["https://news.example.org/2024/summit-tags"]


def test_a_permanent_redirect_is_followed_and_reported(http_server):
    http_server.routes["/old"] = Route(301, {"Location": http_server.url("/new")})
    http_server.routes["/new"] = Route(200, XML, RSS091)
    seen = []
    (result,) = fetch_feeds([FeedSpec(http_server.url("/old"))], {}, NO_PAGES,
                            progress=lambda done, total: seen.append((done, total)))
    assert result.status == "ok" and len(result.articles) == 1
    assert result.problems == (f"{http_server.url('/old')}: moved permanently to {http_server.url('/new')}; "
                               "update the feed list",)
    assert seen == [(1, 1)]


def test_only_http_urls_are_fetched():
    (result,) = fetch_feeds([FeedSpec("file:///etc/passwd")], {}, NO_PAGES)
    assert result.status == "failed" and "only http and https" in result.error


LONG = "The delegations went through the draft clause by clause. " * 10


@pytest.mark.parametrize("entry, teaser", [
    (FeedEntry("t", "https://x.example.org/a", summary_text="Two lines only."), True),
    (FeedEntry("t", "https://x.example.org/a", summary_text=LONG), False),
    (FeedEntry("t", "https://x.example.org/a", summary_text=LONG + "and then…"), True),
    (FeedEntry("t", "https://x.example.org/a", summary_text=LONG + "\nRead more"), True),
    (FeedEntry("t", "https://x.example.org/a", summary_text=LONG + " […]\nThe post t appeared first on X."), True),
    (FeedEntry("t", "https://x.example.org/a", summary_text="Short.", content_text=LONG), False),
    (FeedEntry("t", None, summary_text="Short."), False),
    (FeedEntry("t", "mailto:desk@x.example.org", summary_text="Short."), False),
])
def test_teaser_detection(entry, teaser):
    assert pages.is_teaser(entry) is teaser


def test_a_paywall_page_shorter_than_the_teaser_keeps_the_teaser():
    assert pages.choose_text("A teaser of some length.", "Subscribe") == "A teaser of some length."
    assert pages.choose_text("Short.", "A much longer article text.") == "A much longer article text."
