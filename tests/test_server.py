"""`briefing.py serve`: the site's files and the search page, and nothing outside the site folder."""
from __future__ import annotations

import html
import os
import socket
import threading
from pathlib import Path

import pytest

import briefing
from archive.server import SiteServer, database_search, site_file
from tests.test_site import archived_site

SECRET = "top secret outside the site"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server on a free loopback port over a site of three briefings, with a secret file beside it."""
    root = tmp_path_factory.mktemp("serve")
    archived_site(root)
    (root / "secret.txt").write_text(SECRET)
    (root / "site" / "leak.txt").symlink_to(root / "secret.txt")  # a symlink out of the folder
    (root / "site" / "briefings" / "latest.html").symlink_to("2025-07-01.html")  # one that stays inside
    srv = SiteServer(root / "site", database_search(root / "briefing.db"), "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def raw_get(server: SiteServer, target: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    """Send the request line exactly as given (no client-side normalisation of the path)."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body.decode("utf-8", "replace")


def test_serves_index_pages_feed_and_css(server):
    status, headers, body = raw_get(server, "/")
    assert status == 200 and "Every briefing, newest first" in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none': no script at all
    status, _, body = raw_get(server, "/briefings/2025-06-24.html")
    assert status == 200 and "Ceasefire talks in Valdoria, day 2" in body
    status, headers, _ = raw_get(server, "/feed.atom")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    status, headers, _ = raw_get(server, "/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert raw_get(server, "/briefings/latest.html")[0] == 200
    status, headers, body = raw_get(server, "/index.html", "HEAD")
    assert status == 200 and body == "" and int(headers["Content-Length"]) > 0


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/briefings/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
    "/briefings/..%2f..%2fsecret.txt", "/briefings/%2e%2e/%2e%2e/secret.txt", "/%252e%252e/secret.txt",
    "/..%5csecret.txt", "/..\\secret.txt", "//etc/passwd", "/etc/passwd", "http://x/../secret.txt",
    "/./index.html", "/leak.txt", "/.site-files.json", "/briefings/%00.html", "/%ff%fe", "/nothing.html",
    "/briefings", "*",
])
def test_traversal_absolute_and_hidden_paths_get_404(server, target):
    status, _, body = raw_get(server, target)
    assert status == 404, target
    assert SECRET not in body


def test_site_file_is_none_outside_the_folder(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.html").write_text("a")
    (tmp_path / "outside.html").write_text("b")
    assert site_file(tmp_path / "site", "/a.html") == (tmp_path / "site" / "a.html").resolve()
    assert site_file(tmp_path / "site", f"/{tmp_path}/outside.html") is None
    assert site_file(tmp_path / "site", "/../outside.html") is None


def test_search_page_finds_stories_and_links_permalinks(server):
    status, _, body = raw_get(server, "/search?q=prisoner+exchange&from=2025-06-24&to=2025-06-24")
    assert status == 200
    assert 'href="stories/story-talks1/2025-06-24.html"' in body
    assert "2025-06-23.html" not in body and "1 story found" in body
    status, _, body = raw_get(server, "/search?q=Atlas+Daily")
    assert 'href="stories/story-fisheries/2025-06-23.html"' in body


def test_search_results_and_the_query_are_escaped(server):
    status, _, body = raw_get(server, "/search?q=%3Cscript%3Ealert(1)%3C/script%3E+script")
    assert status == 200
    assert "<script" not in body.lower() and "<img" not in body.lower()
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; script"' in body
    assert "&lt;script&gt;alert(&#34;head&#34;)&lt;/script&gt;" in body  # the hostile headline, as text
    status, _, body = raw_get(server, "/search?q=%22&from=not-a-date")
    assert status == 400 and "is not a date" in html.unescape(body)


def test_serve_binds_to_loopback_by_default(home, monkeypatch, capsys):
    seen = {}

    def stop(self):
        seen["address"] = self.server_address
        raise KeyboardInterrupt

    monkeypatch.setattr(SiteServer, "serve_forever", stop)
    assert briefing.main(["serve", "--port", "0"]) == 0
    assert seen["address"][0] == "127.0.0.1"
    assert (Path(os.environ["BRIEFING_HOME"]) / "site" / "index.html").exists()
    assert "serving" in capsys.readouterr().out


def test_search_without_words_shows_the_form(server):
    status, _, body = raw_get(server, "/search")
    assert status == 200 and '<form class="search"' in body and "found" not in body


def test_post_is_refused_outside_the_signup_pages(server):
    assert raw_get(server, "/index.html", "POST")[0] == 405
    # Without a signup (no data directory behind the server) the pages do not exist.
    assert raw_get(server, "/unsubscribe?id=" + "a" * 32)[0] == 404
    assert raw_get(server, "/subscribe", "POST")[0] == 405
