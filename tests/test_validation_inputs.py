"""Nothing silently lost: link-less feed items, JSON Feed version forms, OPML outlines one by one,
stray Windows-1252 bytes, and pages that are only a login, paywall or consent wall.

Every feed, OPML and page here is written for these tests.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest

import briefing
from core.errors import FeedError
from feeds.decode import decode_bytes
from feeds.importer import import_paths
from feeds.opml import read_opml_report
from feeds.entries import entry_to_article
from feeds.parse import parse_feed
from feeds.walls import is_wall
from tests.httpserver import Route, http_server  # noqa: F401 - pytest fixture

FETCHED = datetime(2025, 6, 24, 12, 0, tzinfo=timezone.utc)


def _validator_style_feed(items: int = 30) -> str:
    # Like a feed validator's test feed: items with distinct guids, no link, and one shared text;
    # titles repeat in threes, so neither title nor text tells them apart.
    rows = "\n".join(
        f"<item><title>Notice {n % 10}</title><guid isPermaLink=\"false\">urn:uuid:5f0c1e2a-0000-4000-8000-{n:012d}</guid>"
        f"<description>A routine notice from the registry of treaties.</description></item>"
        for n in range(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Registry notices</title>'
            f"<link>https://registry.example.org/</link><description>d</description>{rows}</channel></rss>")


def test_link_less_items_with_distinct_guids_are_all_kept():
    feed = parse_feed(_validator_style_feed().encode(), "https://registry.example.org/feed.xml")
    articles = [entry_to_article(e, "Registry", "https://registry.example.org/feed.xml", FETCHED)
                for e in feed.entries]
    assert len(feed.entries) == 30
    assert len({a.id for a in articles}) == 30


def test_items_that_all_link_to_the_front_page_are_told_apart_by_guid():
    rows = "".join(f"<item><title>Brief {n}</title><link>https://desk.example.org/</link>"
                   f"<guid isPermaLink=\"false\">desk-{n}</guid><description>Item {n} of the desk.</description></item>"
                   for n in range(5))
    body = f'<rss version="2.0"><channel><title>Desk</title>{rows}</channel></rss>'.encode()
    feed = parse_feed(body, "https://desk.example.org/rss")
    assert len({e.key for e in feed.entries}) == 5
    # A real duplicate (same link, same guid, same text) is still one article.
    dup = f'<rss version="2.0"><channel><title>D</title>{rows}{rows}</channel></rss>'.encode()
    assert len({e.key for e in parse_feed(dup, "https://desk.example.org/rss").entries}) == 5


def test_a_fetched_link_less_feed_stores_every_item(home, capsys, http_server):
    http_server.routes["/notices.xml"] = Route(200, {"Content-Type": "application/rss+xml"}, _validator_style_feed())
    home.mkdir()
    (home / "config.toml").write_text(f'[[feeds]]\nurl = "{http_server.url("/notices.xml")}"\nallow_private = true\n')
    assert briefing.main(["fetch"]) == 0
    assert "30 new articles" in capsys.readouterr().out
    with sqlite3.connect(home / "briefing.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 30
    # A second fetch of the same feed adds nothing: the guid keys are stable.
    assert briefing.main(["fetch"]) == 0
    assert "0 new articles" in capsys.readouterr().out


@pytest.mark.parametrize("version", ["https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1",
                                     "http://jsonfeed.org/version/1/", "1", "1.0", "1.1", 1, 1.1])
def test_json_feed_version_forms_real_feeds_use(version):
    doc = {"version": version, "title": "Consulate notes",
           "items": [{"id": "a1", "url": "https://consulate.example.org/a1", "content_text": "Visa desks reopen."}]}
    feed = parse_feed(json.dumps(doc).encode(), "https://consulate.example.org/feed.json")
    assert feed.kind.startswith("jsonfeed1") and len(feed.entries) == 1


@pytest.mark.parametrize("version", ["2", "https://example.org/version/1", "", None, [1]])
def test_other_json_is_refused_with_the_forms_that_would_do(version):
    with pytest.raises(FeedError, match=r"not a feed .*a JSON Feed says .*\"1.1\""):
        parse_feed(json.dumps({"version": version, "items": []}).encode(), "https://x.example.org/f.json")


OPML = b"""<?xml version="1.0"?><opml version="2.0"><body>
<outline text="Gazette" xmlUrl="https://gazette.example.org/rss"/>
<outline text="Old reader export" xmlUrl="feed://oldreader.example.net/atom.xml"/>
<outline text="Wrapped" xmlUrl="feed:https://wrapped.example.net/rss"/>
<outline text="Mail list" xmlUrl="mailto:desk@example.org"/>
<outline text="Broken" xmlUrl="https://"/>
<outline text="Bulletin" xmlUrl="https://bulletin.example.org/feed.json"/>
</body></opml>"""


def test_opml_keeps_every_usable_outline_and_names_the_others():
    found = read_opml_report(OPML)
    assert [f.url for f in found.feeds] == ["https://gazette.example.org/rss", "http://oldreader.example.net/atom.xml",
                                            "https://wrapped.example.net/rss", "https://bulletin.example.org/feed.json"]
    assert len(found.problems) == 2
    assert "Mail list" in found.problems[0] and "http://" in found.problems[0]
    assert "Broken" in found.problems[1]


def test_feeds_import_of_an_opml_with_bad_outlines(home, tmp_path, capsys):
    (tmp_path / "subs.opml").write_bytes(OPML)
    assert briefing.main(["feeds", "import", str(tmp_path / "subs.opml")]) == 0
    out, err = capsys.readouterr()
    assert "added 4 of 4 feeds" in out and "2 outline(s) could not be used" in out
    assert "Mail list" in err and "Broken" in err
    config = (home / "config.toml").read_text()
    assert "http://oldreader.example.net/atom.xml" in config and "mailto:" not in config


def test_stray_windows_1252_bytes_are_read_with_a_warning(home, tmp_path, capsys):
    body = ("Envoys resume border talks in Geneva\n"
            "Negotiators from the two neighbouring states met in Geneva on Tuesday for a third round of talks "
            "on the disputed border, the foreign ministries of both countries said in a joint statement.\n"
            "The mediator called the meeting \u201cconstructive\u201d and said technical teams would map the "
            "crossings before the next round, which is due in Caf\u00e9 Rotonde in Geneva next month.\n")
    data = body.encode("utf-8").replace("\u201c".encode(), b"\x93").replace("\u201d".encode(), b"\x94")
    (tmp_path / "talks.txt").write_bytes(data)
    decoded = decode_bytes(data, "talks.txt")
    assert "\u201cconstructive\u201d" in decoded.text and "Caf\u00e9" in decoded.text
    assert decoded.note.startswith("talks.txt: 2 byte(s) that are not UTF-8 read as Windows-1252")
    assert briefing.main(["import", str(tmp_path / "talks.txt")]) == 0
    out, err = capsys.readouterr()
    assert "1 new articles" in out
    assert "talks.txt: 2 byte(s) that are not UTF-8" in err and err.count("talks.txt") == 1


def test_a_file_wholly_in_windows_1252_is_read_too():
    text = "R\u00e9sum\u00e9 of the \u201csummit\u201d \u2013 d\u00e9j\u00e0 vu"
    decoded = decode_bytes(text.encode("cp1252"), "old.txt")
    assert decoded.text == text and "read as Windows-1252" in decoded.note


WALLS = [
    "Treaty talks: what comes next\nYou have reached your limit of free articles this month.\n"
    "Subscribe now for unlimited access to our journalism.\nAlready a subscriber? Sign in.",
    "Summit communique\nWe value your privacy. We and our partners use cookies to personalise content and ads.\n"
    "By clicking Accept all you consent to our use of cookies. Manage preferences or Reject all.",
    "Ministers meet\nPlease log in to continue reading. Create a free account or subscribe for 1 per month.",
]


@pytest.mark.parametrize("page", WALLS)
def test_wall_pages_are_reported_and_not_stored(page, home, tmp_path, capsys):
    (tmp_path / "wall.txt").write_text(page, encoding="utf-8")
    code = briefing.main(["import", str(tmp_path / "wall.txt")])
    out, err = capsys.readouterr()
    assert code == 1  # the one file named gave nothing
    assert "wall.txt: no article text" in err and "0 new articles" in out


def test_an_article_with_a_newsletter_line_is_not_a_wall():
    article = ("Foreign ministers of the region met in Valletta on Monday and agreed to set up joint patrols "
               "of the strait, after months of talks hosted by the United Nations. The agreement creates a "
               "coordination centre and common rules for boarding vessels, diplomats said. It goes to the "
               "parliaments for ratification before the end of the year.\n"
               "Subscribe to our newsletter for the day's diplomacy. Sign up here.")
    assert not is_wall(article)
    assert not is_wall("Parliament gave its consent to the treaty on Tuesday.")


def test_a_wall_html_page_is_refused_by_the_importer(tmp_path):
    html = ("<html><head><title>Envoys meet</title></head><body><article><h1>Envoys meet</h1>"
            "<p>You have reached your limit of free articles this month.</p>"
            "<p>Subscribe today for unlimited digital access. Already a subscriber? Log in.</p>"
            "</article></body></html>")
    (tmp_path / "paywall.html").write_text(html, encoding="utf-8")
    report = import_paths([tmp_path])
    assert report.articles == ()
    assert any("paywall.html: no article text" in p for p in report.problems)


def test_a_wall_behind_a_teaser_link_keeps_the_teaser():
    from feeds.pages import page_text
    html = ("<html><body><main><p>Sign in to continue reading. Subscribers get unlimited access.</p>"
            "<p>Accept all cookies to continue.</p></main></body></html>").encode()
    with pytest.raises(FeedError, match="no article text"):
        page_text(html, "https://paper.example.org/story")


def test_malformed_links_in_a_feed_cost_neither_the_entry_nor_the_feed():
    body = (b'<rss version="2.0"><channel><title>x</title>'
            b'<item><title>Envoys meet</title><link>http://[::1/x</link><description>Talks resume.</description></item>'
            b'<item><title>Ministers sign</title><link>http://desk.example.org:99999/y</link></item>'
            b'</channel></rss>')
    feed = parse_feed(body, "https://desk.example.org/rss")
    assert [e.title for e in feed.entries] == ["Envoys meet", "Ministers sign"]
    assert all(e.link is None for e in feed.entries) and len({e.key for e in feed.entries}) == 2


def test_malformed_addresses_in_page_metadata_do_not_stop_an_import(home, tmp_path, capsys):
    page = ("<html><head><link rel='canonical' href='http://[::1/x'><title>Patrol treaty</title></head><body>"
            "<article><p>Foreign ministers of the region met in Valletta on Monday and agreed to set up joint "
            "patrols of the strait, after months of talks hosted by the United Nations.</p><p>The agreement "
            "creates a coordination centre and common rules for boarding vessels, diplomats said.</p>"
            "</article></body></html>")
    (tmp_path / "page.html").write_text(page)
    (tmp_path / "records.jsonl").write_text(json.dumps({
        "title": "Border talks", "url": "https://desk.example.org:99999/b",
        "text": "Negotiators from both states met in Geneva on Tuesday for a third round of border talks."}) + "\n")
    assert briefing.main(["import", str(tmp_path)]) == 0
    assert "2 new articles" in capsys.readouterr().out
