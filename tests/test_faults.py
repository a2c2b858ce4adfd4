"""Injected network faults against a real loopback server: the run goes on, nothing stored is lost.

Each fault is met twice: by ``fetch_feeds`` (the result says what went wrong) and by the
fetch job on a data directory that already holds a feed's articles and validators (a
failed fetch must leave both exactly as they were).
"""
from __future__ import annotations

import gzip
import time
import zlib

import pytest

import jobs
from core.options import load_options
from feeds.fetch import FeedSpec, FeedState, FetchOptions, fetch_feeds, retry_at
from feeds.http import retry_after_seconds
from feeds.store import Store
from tests.faultserver import Fault, FaultServer

OPEN = FetchOptions(allow_private=True, timeout=1.5, fetch_pages=False, max_retry_wait=1.0)
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def rss(*titles: str) -> bytes:
    """A small RSS 2.0 feed with one item per title (each with a long enough text)."""
    items = "".join(
        f"<item><title>{t}</title><link>https://gazette.example/{i}</link>"
        f"<description>{t}. The envoys met again on Monday to go through the draft line by line.</description>"
        f"<pubDate>Mon, 03 Mar 2025 0{i}:00:00 GMT</pubDate></item>"
        for i, t in enumerate(titles))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Gazette</title>'
            f"{items}</channel></rss>").encode()


@pytest.fixture
def server():
    with FaultServer() as s:
        yield s


def one(server: FaultServer, path: str, fault, options: FetchOptions = OPEN, state: FeedState | None = None):
    server.routes[path] = fault
    url = server.url(path)
    (result,) = fetch_feeds([FeedSpec(url)], {url: state} if state else {}, options)
    return result


# ---------------------------------------------------------------- fetch_feeds meets each fault

STORED = FeedState(etag='"v7"', modified="Mon, 03 Mar 2025 08:00:00 GMT")


@pytest.mark.parametrize("name, fault, says", [
    ("reset", Fault("reset"), "connection was reset or closed"),
    ("close", Fault("close"), "connection was reset or closed"),
    ("hang", Fault("hang"), "timed out"),
    ("trickle", Fault("trickle", body=b"<rss>"), "timed out"),
    ("cut", Fault("headers-only", body=rss("A")), "connection was reset or closed"),
    ("500", Fault(status=500, body=b"oops"), "HTTP 500"),
    ("html", Fault(headers={"Content-Type": "text/html"}, body=b"<html><body><p>Log in</p></body></html>"),
     "not a feed"),
])
def test_each_fault_fails_that_feed_with_a_reason_and_keeps_its_state(server, name, fault, says):
    started = time.monotonic()
    result = one(server, f"/{name}", fault, state=STORED)
    assert result.status == "failed" and says in result.error, result.error
    assert result.error.startswith(server.url(f"/{name}"))
    assert result.state == STORED and result.articles == ()
    assert time.monotonic() - started < OPEN.timeout + 1.5  # a trickle cannot stretch the time limit


def test_a_short_retry_after_is_waited_for_once_within_the_run(server):
    def busy_then_ok(path, headers, hit):
        return Fault(status=429, headers={"Retry-After": "1"}) if hit == 1 else Fault(headers=RSS, body=rss("A", "B"))

    started = time.monotonic()
    result = one(server, "/busy", busy_then_ok)
    assert result.status == "ok" and len(result.articles) == 2
    assert server.hits["/busy"] == 2 and time.monotonic() - started >= 1.0


def test_a_long_retry_after_is_reported_not_slept(server):
    started = time.monotonic()
    result = one(server, "/later", Fault(status=503, headers={"Retry-After": "3600"}))
    # not slept (a wait of an hour, not a busy machine's second, is what this tells apart); not retried
    assert time.monotonic() - started < 10.0 and server.hits["/later"] == 1
    assert result.status == "failed" and result.retry_after == 3600.0
    assert "asked us to wait 3600 s" in result.error


def test_retry_after_dates_and_backoff_arithmetic():
    from datetime import datetime, timedelta, timezone
    now = datetime(2025, 3, 3, 12, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Mon, 03 Mar 2025 12:10:00 GMT", now=now) == 600.0
    assert retry_after_seconds("Mon, 03 Mar 2025 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("99999999") == 7 * 24 * 3600  # capped at a week
    assert retry_after_seconds("soon") is None
    options = FetchOptions(backoff_after=2, backoff_hours=6, backoff_max_hours=48)
    assert retry_at(1, now, options) is None
    assert [retry_at(n, now, options) - now for n in (2, 3, 4, 9)] == [timedelta(hours=h) for h in (6, 12, 24, 48)]
    assert retry_at(1, now, options, retry_after=60) == now + timedelta(seconds=60)


@pytest.mark.parametrize("code, moves", [(301, True), (308, True), (302, False), (307, False)])
def test_only_permanent_redirects_give_the_feed_a_new_address(server, code, moves):
    server.routes["/new"] = Fault(headers=RSS, body=rss("A"))
    result = one(server, "/old", Fault(status=code, headers={"Location": server.url("/new")}))
    assert result.status == "ok" and len(result.articles) == 1
    assert result.new_url == (server.url("/new") if moves else None)


def test_a_redirect_loop_and_a_redirect_to_a_file_url_fail(server):
    server.routes["/b"] = Fault(status=302, headers={"Location": "/a"})
    loop = one(server, "/a", Fault(status=301, headers={"Location": "/b"}))
    assert loop.status == "failed" and "more than 5 redirects" in loop.error
    local = one(server, "/to-file", Fault(status=302, headers={"Location": "file:///etc/passwd"}))
    assert local.status == "failed" and "not http(s)" in local.error


def test_bombs_and_oversized_bodies_are_capped(server):
    small = FetchOptions(allow_private=True, timeout=3, fetch_pages=False, max_bytes=50_000)
    gzip_bomb = gzip.compress(b"<rss>" + b"\0" * 20_000_000, 9)
    deflate_bomb = zlib.compress(b"<rss>" + b" " * 20_000_000, 9)
    cases = {
        "/gzip-bomb": Fault(headers={**RSS, "Content-Encoding": "gzip"}, body=gzip_bomb),
        "/deflate-bomb": Fault(headers={**RSS, "Content-Encoding": "deflate"}, body=deflate_bomb),
        "/huge": Fault(headers=RSS, body=b"<rss>" + b" " * 200_000),
        "/lying-length": Fault(headers={**RSS, "Content-Length": "999999999"}, body=b"<rss>"),
        "/endless": Fault("trickle", headers=RSS, body=b"x" * 65536, trickle_bytes=65536, trickle_every=0),
    }
    for path, fault in cases.items():
        result = one(server, path, fault, options=small)
        assert result.status == "failed" and "larger than 50,000 bytes" in result.error, (path, result.error)


@pytest.mark.parametrize("ctype, body", [
    ("text/plain", rss("Plain label")),  # a wrong content type: the bytes are still a feed
    ("application/octet-stream", rss("Octets")),
    # The header says UTF-8, the document is Latin-1 and says so in its prolog.
    ("application/xml; charset=utf-8", rss("Caf\u00e9 talks").replace(b'encoding="utf-8"', b'encoding="iso-8859-1"')
     .replace("Caf\u00e9".encode(), "Caf\u00e9".encode("latin-1"))),
    # The header claims Latin-1 for a UTF-8 document.
    ("application/rss+xml; charset=iso-8859-1", rss("Caf\u00e9 talks")),
])
def test_wrong_content_types_and_charsets_still_give_articles(server, ctype, body):
    result = one(server, "/odd", Fault(headers={"Content-Type": ctype}, body=body))
    assert result.status == "ok", result.error
    assert len(result.articles) == 1 and result.articles[0].title


# ---------------------------------------------------------------- the fetch job keeps what it has

def _options(home, server, *paths, allow=True):
    home.mkdir(parents=True, exist_ok=True)
    feeds = "".join(f'[[feeds]]\nname = "F{i}"\nurl = "{server.url(p)}"\nallow_private = {str(allow).lower()}\n'
                    for i, p in enumerate(paths))
    (home / "config.toml").write_text("[fetch]\ntimeout = 1.5\nfetch_pages = false\nmax_retry_wait = 0.5\n"
                                      "backoff_after = 2\n" + feeds)
    return load_options(home=home)


def _state(options, url):
    store = Store.open(options.db_path)
    try:
        return store.feed_states().get(url), store.article_count()
    finally:
        store.close()


def test_no_fault_ever_loses_stored_articles_or_validators(home, server):
    good = Fault(headers={**RSS, "ETag": '"v1"'}, body=rss("A", "B", "C"))
    server.routes["/feed"] = good
    options = _options(home, server, "/feed")
    report = jobs.fetch(options)
    assert report.ok == 1 and report.new_articles == 3
    faults = [Fault("reset"), Fault("close"), Fault("hang"), Fault(status=500), Fault(status=404),
              Fault(headers={"Content-Type": "text/html"}, body=b"<html><p>maintenance</p></html>"),
              Fault(headers=RSS, body=b"<<<>>>"), Fault(headers={"Content-Type": "application/feed+json"}, body=b"{no"),
              Fault(headers={**RSS, "Content-Length": "999999999"}, body=b"")]
    for number, fault in enumerate(faults, start=1):
        server.routes["/feed"] = fault
        store = Store.open(options.db_path)
        store.resume_feed(server.url("/feed"))  # clear backoff so each fault is met
        store.close()
        report = jobs.fetch(options)
        row, count = _state(options, server.url("/feed"))
        assert len(report.failed) == 1, (number, report)
        assert count == 3 and row["etag"] == '"v1"', number
    server.routes["/feed"] = good
    assert jobs.fetch(options).ok == 1


def test_gone_pauses_the_feed_until_resumed(home, server, capsys):
    import briefing
    server.routes["/gone"] = Fault(status=410)
    server.routes["/fine"] = Fault(headers=RSS, body=rss("A"))
    options = _options(home, server, "/gone", "/fine")
    first = jobs.fetch(options)
    assert "gone for good" in first.failed[0][1]
    second = jobs.fetch(options)
    assert server.hits["/gone"] == 1 and second.ok == 1
    assert second.skipped == ((server.url("/gone"), second.skipped[0][1]),)
    assert "paused" in second.skipped[0][1]
    assert briefing.main(["fetch"]) == 0
    out, err = capsys.readouterr()
    assert "1 skipped (paused or waiting)" in out and f"feed {server.url('/gone')} skipped, paused" in err
    assert briefing.main(["feeds", "resume", server.url("/gone")]) == 0
    jobs.fetch(options)
    assert server.hits["/gone"] == 2


def test_repeated_404s_back_off_and_retry_after_is_honoured_across_runs(home, server):
    server.routes["/later"] = Fault(status=503, headers={"Retry-After": "3600"})
    options = _options(home, server, "/missing", "/later")
    jobs.fetch(options)  # 404 #1 (no backoff yet), 503 with an hour to wait
    jobs.fetch(options)  # 404 #2 -> backoff; /later skipped
    third = jobs.fetch(options)
    assert server.hits["/missing"] == 2 and server.hits["/later"] == 1
    assert {url for url, _ in third.skipped} == {server.url("/missing"), server.url("/later")}
    row, _ = _state(options, server.url("/missing"))
    assert row["failures"] == 2 and row["http_status"] == 404 and row["next_attempt"]


def test_a_permanent_move_updates_the_feed_list_and_a_temporary_one_does_not(home, server):
    server.routes["/moved"] = Fault(status=301, headers={"Location": server.url("/home")})
    server.routes["/detour"] = Fault(status=302, headers={"Location": server.url("/home2")})
    server.routes["/home"] = Fault(headers=RSS, body=rss("A"))
    server.routes["/home2"] = Fault(headers=RSS, body=rss("Z", "B")[:0] or rss("A", "B"))
    options = _options(home, server, "/moved", "/detour")
    report = jobs.fetch(options)
    assert report.moved == ((server.url("/moved"), server.url("/home")),)
    urls = [spec.url for spec in load_options(home=home).feeds]
    assert urls == [server.url("/home"), server.url("/detour")]
    row, count = _state(options, server.url("/moved"))
    assert row["moved_to"] == server.url("/home") and count == 2
    assert 'name = "F0"' in (home / "config.toml").read_text()  # the entry kept its name
