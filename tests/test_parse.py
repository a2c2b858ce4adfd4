"""Parsing feeds into entries and articles: every feed format, broken feeds, text cleaning.

The feed fixtures below are invented for this project (and reused by test_fetch.py).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from core.errors import FeedError
from feeds.entries import clean_title, entry_to_article, html_to_text
from feeds.parse import parse_feed

FEED_URL = "https://news.example.org/feed"

RSS20 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Harbour Gazette</title>
  <link>https://news.example.org/</link>
  <description>World news from the harbour</description>
  <item>
    <title>Envoys agree on a river treaty draft</title>
    <link>https://news.example.org/2024/river-treaty?utm_source=rss&amp;utm_medium=feed</link>
    <guid isPermaLink="false">gazette-1001</guid>
    <pubDate>Tue, 02 Jan 2024 10:30:00 +0100</pubDate>
    <description>Short teaser.</description>
    <content:encoded><![CDATA[<p>Negotiators from Arlandia and Bexmoor met in Tarsk on Monday.</p>
<p>They agreed a draft on sharing the Ossel river &amp; its tributaries.</p>
<script>track('x')</script>]]></content:encoded>
  </item>
  <item>
    <title>&lt;script&gt;alert("hi")&lt;/script&gt; and other tags worry summit hosts</title>
    <link>https://news.example.org/2024/summit-tags</link>
    <description>&lt;p&gt;Hosts of the Velden summit checked every badge twice.&lt;/p&gt;</description>
  </item>
</channel>
</rss>"""

RSS10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.net/">
    <title>Consular Notes</title>
    <link>https://rdf.example.net/</link>
    <description>Notes</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://rdf.example.net/visa-talks"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://rdf.example.net/visa-talks">
    <title>Visa talks resume between Corvia and Dunmark</title>
    <link>https://rdf.example.net/visa-talks</link>
    <description>Both foreign ministries said the first round went well.</description>
    <dc:date>2024-03-05T08:00:00Z</dc:date>
  </item>
</rdf:RDF>"""

ATOM10 = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Embassy Row</title>
  <id>urn:uuid:embassy-row</id>
  <updated>2024-04-01T12:00:00Z</updated>
  <link href="https://atom.example.com/"/>
  <entry>
    <title type="html">&lt;em&gt;Exclusive&lt;/em&gt;: ambassador recalled</title>
    <link href="/posts/recall"/>
    <id>tag:atom.example.com,2024:recall</id>
    <updated>2024-04-01T11:00:00Z</updated>
    <author><name>R. Ostrova</name></author>
    <content type="html">&lt;p&gt;The ambassador left on the evening flight.&lt;/p&gt;&lt;p&gt;Talks are on hold.&lt;/p&gt;</content>
  </entry>
</feed>"""

ATOM03 = """<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Chancery</title>
  <link rel="alternate" type="text/html" href="https://old.example.com/"/>
  <modified>2004-05-01T10:00:00Z</modified>
  <entry>
    <title>Trade envoy visits the northern ports</title>
    <link rel="alternate" type="text/html" href="https://old.example.com/envoy"/>
    <id>tag:old.example.com,2004:envoy</id>
    <issued>2004-05-01T09:00:00Z</issued>
    <modified>2004-05-01T09:30:00Z</modified>
    <summary>The envoy toured three ports and met customs officials.</summary>
  </entry>
</feed>"""

RSS091 = """<?xml version="1.0"?>
<rss version="0.91">
  <channel>
    <title>Treaty Watch</title>
    <link>https://old91.example.com/</link>
    <description>Treaties</description>
    <language>en</language>
    <item>
      <title>Fishing accord signed</title>
      <link>https://old91.example.com/fishing</link>
      <description>Two coastal states signed a five-year fishing accord.</description>
    </item>
  </channel>
</rss>"""

JSONFEED10 = json.dumps({
    "version": "https://jsonfeed.org/version/1",
    "title": "Summit Daily",
    "home_page_url": "https://json.example.org/",
    "author": {"name": "Desk"},
    "items": [
        {"id": "s-1", "url": "https://json.example.org/s-1", "title": "Ceasefire talks move to Lorn",
         "content_html": "<p>Delegations moved the talks to Lorn.</p><p>A new round starts Friday.</p>",
         "date_published": "2024-02-10T09:00:00+02:00"},
        {"id": 2, "content_text": "A short note without a title about the sanctions review.",
         "url": "https://json.example.org/n-2"},
    ],
})

JSONFEED11 = json.dumps({
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Council Brief",
    "authors": [{"name": "Brief team"}],
    "items": [
        {"id": "c-1", "url": "https://json11.example.org/c-1", "title": "Council votes on monitoring mission",
         "content_text": "The council approved a monitoring mission.\nIt will report in spring.",
         "summary": "Mission approved.", "date_published": "2024-06-01T00:00:00Z",
         "authors": [{"name": "L. Mere"}]},
    ],
})

HTML_ERROR_PAGE = """<!DOCTYPE html>
<html><head><title>Service unavailable</title></head>
<body><h1>We'll be back soon</h1><p>Our site is under maintenance.</p></body></html>"""

MALFORMED_XML = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Broken Wire</title><description>cut off here"""


def _parse(text: str, url: str = FEED_URL, content_type: str | None = None):
    return parse_feed(text.encode("utf-8"), url, content_type)


def test_rss20_entries_fields_and_content_text():
    feed = _parse(RSS20)
    assert feed.kind == "rss20"
    assert feed.title == "Harbour Gazette"
    first = feed.entries[0]
    assert first.title == "Envoys agree on a river treaty draft"
    assert first.id == "gazette-1001"
    assert first.published == datetime(2024, 1, 2, 9, 30, tzinfo=timezone.utc)
    # Paragraphs become lines, entities are decoded, script contents dropped.
    assert first.content_text == ("Negotiators from Arlandia and Bexmoor met in Tarsk on Monday.\n"
                                  "They agreed a draft on sharing the Ossel river & its tributaries.")
    assert first.summary_text == "Short teaser."
    assert first.text == first.content_text
    assert feed.problems == ()


def test_script_in_title_is_kept_as_literal_text():
    entry = _parse(RSS20).entries[1]
    # Titles are plain text: the characters survive, the templates escape them at render time.
    assert entry.title == '<script>alert("hi")</script> and other tags worry summit hosts'
    article = entry_to_article(entry, "Gazette", FEED_URL, datetime(2024, 1, 3, tzinfo=timezone.utc))
    assert article.title.startswith('<script>alert("hi")</script>')
    assert article.text == "Hosts of the Velden summit checked every badge twice."


def test_rss10_rdf():
    feed = _parse(RSS10)
    assert feed.kind == "rss10"
    (entry,) = feed.entries
    assert entry.title == "Visa talks resume between Corvia and Dunmark"
    assert entry.link == "https://rdf.example.net/visa-talks"
    assert entry.published == datetime(2024, 3, 5, 8, 0, tzinfo=timezone.utc)


def test_atom10_relative_link_html_title_and_author():
    feed = _parse(ATOM10, url="https://atom.example.com/feed.atom")
    assert feed.kind == "atom10"
    (entry,) = feed.entries
    assert entry.title == "Exclusive: ambassador recalled"
    assert entry.link == "https://atom.example.com/posts/recall"
    assert entry.author == "R. Ostrova"
    assert entry.content_text == "The ambassador left on the evening flight.\nTalks are on hold."


def test_atom03():
    feed = _parse(ATOM03)
    assert feed.kind == "atom03"
    (entry,) = feed.entries
    assert entry.title == "Trade envoy visits the northern ports"
    assert entry.summary_text == "The envoy toured three ports and met customs officials."
    assert entry.published == datetime(2004, 5, 1, 9, 0, tzinfo=timezone.utc)


def test_rss091():
    feed = _parse(RSS091)
    assert feed.kind.startswith("rss091")
    assert [e.title for e in feed.entries] == ["Fishing accord signed"]


def test_json_feed_10():
    feed = _parse(JSONFEED10, url="https://json.example.org/feed.json", content_type="application/json")
    assert feed.kind == "jsonfeed10"
    assert feed.title == "Summit Daily"
    first, second = feed.entries
    assert first.content_text == "Delegations moved the talks to Lorn.\nA new round starts Friday."
    assert first.published == datetime(2024, 2, 10, 7, 0, tzinfo=timezone.utc)
    assert first.author == "Desk"  # inherited from the feed
    assert second.id == "2" and second.title == ""
    # An untitled item gets its first words as a title, and the fetch time as its date.
    fetched = datetime(2024, 2, 11, tzinfo=timezone.utc)
    article = entry_to_article(second, "Summit Daily", "https://json.example.org/feed.json", fetched)
    assert article.title == "A short note without a title about the sanctions review."
    assert article.published == fetched and article.published_from == "fetched"


def test_json_feed_11_detected_by_body_without_content_type():
    feed = _parse(JSONFEED11)
    assert feed.kind == "jsonfeed11"
    (entry,) = feed.entries
    assert entry.author == "L. Mere"
    assert entry.content_text == "The council approved a monitoring mission.\nIt will report in spring."
    assert entry.summary_text == "Mission approved."


def test_json_that_is_not_a_feed_is_refused():
    with pytest.raises(FeedError, match=r"https://news.example.org/feed: not a feed \(JSON whose \"version\" is '2'"):
        _parse('{"version": "2", "items": []}', content_type="application/json")
    with pytest.raises(FeedError, match="malformed JSON Feed"):
        _parse('{"version": "https://jsonfeed.org/version/1", "items": [}')


def test_html_page_is_not_a_feed():
    with pytest.raises(FeedError) as caught:
        parse_feed(HTML_ERROR_PAGE.encode(), FEED_URL, "text/html", status=200)
    assert str(caught.value) == f"{FEED_URL}: not a feed (got an HTML page, status 200)"


def test_malformed_xml_without_entries_is_an_error():
    with pytest.raises(FeedError, match=r"https://news.example.org/feed: malformed feed"):
        _parse(MALFORMED_XML)


def test_empty_body_is_an_error():
    with pytest.raises(FeedError, match="empty"):
        parse_feed(b"  \n", FEED_URL)


def test_bozo_feed_with_entries_keeps_them_and_records_the_problem():
    broken = RSS091.replace("Fishing accord signed", "Fishing & whaling accord signed")  # bare "&"
    feed = _parse(broken)
    assert [e.title for e in feed.entries] == ["Fishing & whaling accord signed"]
    assert len(feed.problems) == 1 and "not well-formed" in feed.problems[0] and FEED_URL in feed.problems[0]


def test_article_identity_is_the_canonical_url_or_a_text_hash():
    feed = _parse(RSS20)
    fetched = datetime(2024, 1, 3, tzinfo=timezone.utc)
    article = entry_to_article(feed.entries[0], "Harbour Gazette", FEED_URL, fetched)
    assert article.id == "https://news.example.org/2024/river-treaty"  # utm_* removed
    assert article.url.endswith("utm_medium=feed")
    assert article.published_from == "feed" and article.feed == FEED_URL
    no_link = feed.entries[0].__class__(title="Note", content_text="A note with no web page.")
    assert entry_to_article(no_link, "X", FEED_URL, fetched).id.startswith("sha256:")


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    html = "<div><h2>Head</h2><p>One <b>bold</b>  word.</p><style>p{}</style><ul><li>a</li><li>b</li></ul>x<br>y</div>"
    assert html_to_text(html) == "Head\nOne bold word.\na\nb\nx\ny"


def test_clean_title_decodes_double_escaping_and_unwraps_inline_tags():
    assert clean_title("AT&amp;T <b>wins</b>  bid") == "AT&T wins bid"
    assert clean_title("Is 3 < 4? <iframe src=x>") == "Is 3 < 4? <iframe src=x>"


# --- smoke over real-world feeds in the shared evaluation folder (not copied into the repo)

EVAL_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "feeds"


@pytest.mark.skipif(not EVAL_FEEDS.is_dir(), reason="shared evaluation feeds not present")
def test_smoke_real_feeds_parse_without_crashing():
    samples = sorted(EVAL_FEEDS.glob("feed-rs/feed-rs/fixture/*/*.xml"))
    samples += sorted(EVAL_FEEDS.glob("feed-rs/feed-rs/fixture/jsonfeed/*[!e].json"))
    samples += sorted(EVAL_FEEDS.glob("rss-parser/test/input/*"))
    assert samples
    parsed = 0
    for path in samples:
        try:
            feed = parse_feed(path.read_bytes(), "https://example.invalid/" + path.name)
        except FeedError:
            continue
        parsed += 1
        for entry in feed.entries:
            assert isinstance(entry.title, str) and isinstance(entry.text, str)
    assert parsed >= 0.8 * len(samples)


def test_a_date_far_in_the_future_is_replaced_by_the_fetch_time():
    fetched = datetime(2024, 1, 3, tzinfo=timezone.utc)
    entry = _parse(RSS20).entries[0].__class__(title="Talks", link="https://x.example.org/a",
                                               published=datetime(2031, 1, 1, tzinfo=timezone.utc))
    article = entry_to_article(entry, "X", FEED_URL, fetched)
    assert article.published == fetched and article.published_from == "fetched"
