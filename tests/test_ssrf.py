"""What may be fetched: http(s) only, and no loopback/private/link-local address unless a feed opts in.

The check happens after DNS resolution and again on every redirect hop and for every linked
article page; the connection goes to the address that was checked. Secrets in feed URLs
never reach messages or logs.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

import briefing
import jobs
from core.options import load_options
from feeds import guard as guard_module
from feeds.fetch import FeedSpec, FetchOptions, fetch_feeds
from feeds.guard import is_public_address, redact, redact_url
from tests.httpserver import Route, http_server  # noqa: F401 - pytest fixture

GUARDED = FetchOptions(timeout=3, fetch_pages=False)  # the default: the guard is on
RSS = {"Content-Type": "application/rss+xml"}
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Intranet desk</title>
<item><title>Staff note on the visiting delegation</title><link>{link}</link>
<description>The delegation arrives on Thursday [&#8230;]</description></item></channel></rss>"""
PAGE = ("<html><body><article><h1>Visit</h1>" + "<p>The delegation from the northern provinces arrives on "
        "Thursday for two days of talks on river rights and grazing land.</p>" * 6 + "</article></body></html>")


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("127.9.9.9", False), ("10.1.2.3", False), ("172.16.0.5", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False),
    ("224.0.0.1", False), ("255.255.255.255", False), ("::1", False), ("fe80::1", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("::", False),
    ("93.184.216.34", True), ("8.8.8.8", True), ("2606:4700:4700::1111", True),
])
def test_address_classes(address, public):
    assert is_public_address(address) is public


def test_a_loopback_feed_is_refused_before_any_request(http_server):
    http_server.routes["/feed"] = Route(200, RSS, FEED.format(link="https://x.example/a"))
    urls = [http_server.url("/feed"), f"http://localhost:{http_server.port}/feed",  # after DNS
            f"http://2130706433:{http_server.port}/feed",  # 127.0.0.1 written as one number
            f"http://[::ffff:127.0.0.1]:{http_server.port}/feed"]
    results = fetch_feeds([FeedSpec(u) for u in urls], {}, GUARDED)
    for result in results:
        assert result.status == "failed", result.url
        assert "private, loopback or link-local" in result.error and "allow_private" in result.error
    assert http_server.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://files.example/feed.xml", "gopher://x.example/",
                                 "data:text/xml,<rss/>", "javascript:alert(1)"])
def test_only_http_and_https_schemes(url):
    (result,) = fetch_feeds([FeedSpec(url, allow_private=True)], {}, GUARDED)
    assert result.status == "failed" and "only http and https" in result.error


def test_one_feed_opts_in_and_its_neighbour_does_not(http_server):
    http_server.routes["/feed"] = Route(200, RSS, FEED.format(link="https://x.example/a"))
    allowed, refused = fetch_feeds([FeedSpec(http_server.url("/feed"), allow_private=True),
                                    FeedSpec(http_server.url("/feed") + "?other")], {}, GUARDED)
    assert allowed.status == "ok" and len(allowed.articles) == 1
    assert refused.status == "failed"
    assert len(http_server.requests) == 1


def test_the_opt_in_is_read_from_the_feed_list(home, http_server):
    http_server.routes["/feed"] = Route(200, RSS, FEED.format(link="https://x.example/a"))
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        f'[fetch]\nfetch_pages = false\n[[feeds]]\nurl = "{http_server.url("/feed")}"\nallow_private = true\n'
        f'[[feeds]]\nurl = "{http_server.url("/feed")}?b"\n')
    report = jobs.fetch(load_options(home=home))
    assert report.ok == 1 and report.new_articles == 1
    assert [url for url, _ in report.failed] == [http_server.url("/feed") + "?b"]


@pytest.fixture
def first_loopback_is_public(monkeypatch):
    """Pretend 127.0.0.1 is a public address, so that a redirect or a link to another
    loopback address (127.0.0.2) plays the part of a hop into the private network."""
    real = guard_module.is_public_address
    monkeypatch.setattr(guard_module, "is_public_address", lambda a: a == "127.0.0.1" or real(a))


def test_a_redirect_into_the_private_network_is_refused(http_server, first_loopback_is_public):
    http_server.routes["/feed"] = Route(302, {"Location": f"http://127.0.0.2:{http_server.port}/admin"})
    http_server.routes["/moved"] = Route(301, {"Location": f"http://169.254.169.254/latest/meta-data/"})
    results = fetch_feeds([FeedSpec(http_server.url("/feed")), FeedSpec(http_server.url("/moved"))], {}, GUARDED)
    for result in results:
        assert result.status == "failed" and "private, loopback or link-local" in result.error
    assert sorted(r.path for r in http_server.requests) == ["/feed", "/moved"]  # never /admin


def test_a_linked_article_page_on_a_private_address_is_not_fetched(http_server, first_loopback_is_public):
    http_server.routes["/feed"] = Route(200, RSS, FEED.format(link=f"http://127.0.0.2:{http_server.port}/page"))
    http_server.routes["/page"] = Route(200, {"Content-Type": "text/html"}, PAGE)
    (result,) = fetch_feeds([FeedSpec(http_server.url("/feed"))], {}, FetchOptions(timeout=3))
    assert result.status == "ok"
    assert result.articles[0].text.startswith("The delegation arrives on Thursday")  # the teaser kept
    assert any("private, loopback or link-local" in p for p in result.problems)
    assert http_server.requests_to("/page") == []


def test_an_opted_in_feed_may_fetch_its_intranet_pages(http_server):
    http_server.routes["/feed"] = Route(200, RSS, FEED.format(link=http_server.url("/page")))
    http_server.routes["/page"] = Route(200, {"Content-Type": "text/html"}, PAGE)
    (result,) = fetch_feeds([FeedSpec(http_server.url("/feed"), allow_private=True)], {}, FetchOptions(timeout=3))
    assert "river rights and grazing land" in result.articles[0].text


def test_the_connection_goes_to_the_address_that_was_checked(http_server, monkeypatch):
    # "desk.intranet.test" exists in no DNS: the request can only arrive if the client used
    # the one address the guard resolved and checked, and never looked the name up again.
    calls = []

    async def resolve(host, port):
        calls.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(guard_module, "resolve_host", resolve)
    http_server.routes["/feed"] = Route(200, RSS, FEED.format(link="https://x.example/a"))
    url = f"http://desk.intranet.test:{http_server.port}/feed"
    (result,) = fetch_feeds([FeedSpec(url, allow_private=True)], {}, GUARDED)
    assert result.status == "ok", result.error
    assert calls == ["desk.intranet.test"]
    assert http_server.requests[0].headers["Host"] == f"desk.intranet.test:{http_server.port}"


def test_a_name_that_resolves_to_loopback_is_refused(http_server, monkeypatch):
    async def resolve(host, port):
        return ["93.184.216.34", "127.0.0.1"]  # one bad address among good ones is enough

    monkeypatch.setattr(guard_module, "resolve_host", resolve)
    (result,) = fetch_feeds([FeedSpec(f"http://news.rebind.test:{http_server.port}/feed")], {}, GUARDED)
    assert result.status == "failed" and "127.0.0.1" in result.error
    assert http_server.requests == []


# ---------------------------------------------------------------- secrets

def test_redact_masks_passwords_and_tokens():
    assert redact_url("https://ann:hunter2@feeds.example/x?token=abc&page=2") == \
        "https://ann:***@feeds.example/x?token=***&page=2"
    assert redact_url("https://feeds.example/rss?api_key=K1&lang=en") == "https://feeds.example/rss?api_key=***&lang=en"
    assert redact_url("https://feeds.example/rss?page=2") == "https://feeds.example/rss?page=2"
    assert "s3cr3t" not in redact("failed: http://u:s3cr3t@h.example/ and more")


def test_secrets_in_a_feed_url_stay_out_of_messages_and_logs(home, http_server, capsys, caplog):
    http_server.routes["/private"] = Route(500, {}, b"down")
    url = f"http://reader:pa55word@127.0.0.1:{http_server.port}/private?token=T0KEN&sig=S1G"
    home.mkdir(parents=True)
    (home / "config.toml").write_text(f'[[feeds]]\nurl = "{url}"\nallow_private = true\n')
    with caplog.at_level(logging.DEBUG):
        code = briefing.main(["-vv", "fetch"])
    out, err = capsys.readouterr()
    assert code == 1 and "HTTP 500" in err
    everything = out + err + caplog.text
    for secret in ("pa55word", "T0KEN", "S1G"):
        assert secret not in everything
    assert http_server.requests[0].headers.get("Authorization", "").startswith("Basic ")  # still sent


def test_the_smtp_password_stays_out_of_messages_and_logs(home, capsys, caplog):
    from tests.smtpserver import LoopbackSmtp
    (home / "archive").mkdir(parents=True)
    assert briefing.main(["import", str(Path(__file__).parent / "fixtures" / "corpus")]) == 0
    assert briefing.main(["build", "--date", "2025-03-10"]) == 0
    with LoopbackSmtp(password="Corr3ct-Horse") as smtp:
        for password, code in (("Wr0ng-Pa55", 1), ("Corr3ct-Horse", 0)):
            (home / "config.toml").write_text(
                f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\ntls = "none"\nuser = "desk"\n'
                f'password = "{password}"\nsender = "desk@example.org"\nto = "ann@example.org"\nretries = 0\n')
            capsys.readouterr()
            with caplog.at_level(logging.DEBUG):
                assert briefing.main(["-vv", "send", "--date", "2025-03-10"]) == code
            out, err = capsys.readouterr()
            everything = out + err + caplog.text
            assert password not in everything and "Corr3ct-Horse" not in everything
        assert len(smtp.messages) == 1


def test_the_archive_server_binds_to_loopback_and_serves_only_the_site(home, capsys):
    pytest.importorskip("archive.server")
    import os
    import socket
    import subprocess
    import sys
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")} | {"BRIEFING_HOME": str(home)}
    assert briefing.main(["import", str(root / "tests" / "fixtures" / "corpus")]) == 0
    assert briefing.main(["build", "--date", "2025-03-10"]) == 0
    (home / "config.toml").write_text('[smtp]\npassword = "do-not-serve"\n')
    server = subprocess.Popen([sys.executable, str(root / "briefing.py"), "serve", "--port", "0"], env=env, cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert " at http://127.0.0.1:" in line, (line, server.stderr.read() if server.poll() is not None else "")
        port = int(line.rsplit(":", 1)[1].split("/")[0])

        def raw_get(path: str) -> str:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
            return data.decode("utf-8", "replace")

        assert raw_get("/index.html").split("\r\n", 1)[0].endswith(" 200 OK")
        for path in ("/../config.toml", "/%2e%2e/config.toml", "/..%2fbriefing.db", "/../../etc/passwd",
                     "//etc/passwd", "/.site-files.json", "/%2e%2e%2fconfig.toml", "/briefings/..\\..\\config.toml",
                     "http://127.0.0.1/../config.toml"):
            answer = raw_get(path)
            assert " 200 " not in answer.split("\r\n", 1)[0], path
            assert "do-not-serve" not in answer and "SQLite format" not in answer, path
    finally:
        server.terminate()
        server.wait(timeout=10)
