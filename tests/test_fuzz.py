"""Property-based tests: whatever bytes or text come in, only the project's own clear errors come out.

Hypothesis feeds the text cleaner, the feed parser (XML and JSON Feed, random bytes and
feed-shaped documents), the file importer, OPML reading and the small parsers of the fetch
stage (URL redaction, Retry-After, address classes) with generated input.
"""
from __future__ import annotations

import ipaddress
import json
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.errors import BriefingError, FeedError, InputError
from feeds.clean import clean_page_text
from feeds.http import retry_after_seconds
from feeds.guard import is_public_address, redact, redact_url
from feeds.importer import ArticleFile, parse_files
from feeds.opml import read_opml
from feeds.entries import FeedEntry, entry_to_article, html_to_text, plain_text
from feeds.invisible import visible
from feeds.parse import parse_feed

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2025, 3, 3, tzinfo=timezone.utc)

# Text with the characters feeds get wrong: controls, surrogate-free astral, markup, entities.
texty = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
markup = st.lists(st.sampled_from(["<p>", "</p>", "<br>", "<script>", "</script>", "<b>", "&amp;", "&#0;", "&#x110000;",
                                   "<!--", "-->", "<![CDATA[", "]]>", "\x00", "\u2028", "<a href='javascript:x'>",
                                   "word ", "Minister ", ". ", "\n", "\t"]) | texty, max_size=30).map("".join)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texty,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texty, inner, max_size=4),
                           max_leaves=20)


@FUZZ
@given(markup)
def test_html_to_text_and_plain_text_always_give_text(fragment):
    text = html_to_text(fragment)
    assert isinstance(text, str) and "\x00" not in text
    assert isinstance(plain_text(fragment), str)


@FUZZ
@given(st.lists(markup, max_size=25), st.none() | texty)
def test_the_cleaner_returns_lines_of_its_input(lines, title):
    text = "\n".join(lines)
    cleaned = clean_page_text(text, title)
    assert isinstance(cleaned, str)
    kept = {" ".join(visible(line).split()) for line in text.splitlines()}  # less the characters nobody sees
    for line in cleaned.splitlines():
        assert " ".join(line.split()) in kept or not line.strip()


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from([None, "application/rss+xml", "text/html", "application/json",
                                                   "application/feed+json", "text/xml; charset=latin-1"]))
def test_any_bytes_give_a_feed_or_a_feed_error(body, content_type):
    try:
        parsed = parse_feed(body, "https://feeds.example/x", content_type)
    except FeedError as exc:
        assert str(exc).startswith("https://feeds.example/x")
        return
    assert all(isinstance(e.title, str) for e in parsed.entries)


@st.composite
def rss_documents(draw):
    """RSS 2.0 documents with generated titles, links, dates and (escaped or raw) bodies."""
    items = []
    for _ in range(draw(st.integers(0, 4))):
        title = escape(draw(texty))
        link = escape(draw(st.sampled_from(["https://n.example/a", "javascript:x()", "", "/relative", "mailto:x@y"])
                           | texty))
        date = escape(draw(st.sampled_from(["Mon, 03 Mar 2025 10:00:00 GMT", "2025-03-03T10:00:00Z", "yesterday",
                                            "Mon, 99 Foo 2025 99:99:99 XYZ", ""]) | texty))
        body = draw(markup)
        body = f"<![CDATA[{body.replace(']]>', '')}]]>" if draw(st.booleans()) else escape(body)
        items.append(f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
                     f"<description>{body}</description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
            + "".join(items) + "</channel></rss>").encode("utf-8", "surrogatepass")


@FUZZ
@given(rss_documents())
def test_generated_rss_feeds_parse_and_every_entry_becomes_an_article_or_nothing(document):
    try:
        parsed = parse_feed(document, "https://feeds.example/rss", "application/rss+xml")
    except FeedError:
        return
    for entry in parsed.entries:
        article = entry_to_article(entry, "Outlet", "https://feeds.example/rss", NOW)
        if article is not None:
            assert article.id and article.published.tzinfo is not None


@FUZZ
@given(st.fixed_dictionaries({"version": st.sampled_from(["https://jsonfeed.org/version/1.1",
                                                          "https://jsonfeed.org/version/1"]) | texty},
                             optional={"title": json_values, "items": st.lists(
                                 st.dictionaries(st.sampled_from(["id", "url", "title", "content_html",
                                                                  "content_text", "summary", "date_published",
                                                                  "authors", "author", "external_url"]),
                                                 json_values, max_size=8), max_size=4) | json_values}))
def test_generated_json_feeds_give_a_feed_or_a_feed_error(document):
    try:
        parsed = parse_feed(json.dumps(document).encode(), "https://feeds.example/j", "application/feed+json")
    except FeedError:
        return
    for entry in parsed.entries:
        assert isinstance(entry, FeedEntry)
        entry_to_article(entry, "Outlet", "https://feeds.example/j", NOW)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from([".html", ".txt", ".json", ".jsonl", ".htm", ".md"]),
                          st.binary(max_size=600) | markup.map(lambda t: t.encode("utf-8", "surrogatepass"))
                          | json_values.map(lambda v: json.dumps(v).encode())), min_size=1, max_size=4))
@example(files=[(".html", b"<p><p><br>0\x1f")])  # a control character after a line break once raised ValueError
def test_the_importer_reports_problems_and_never_raises(files):
    report = parse_files([ArticleFile(f"page{n}{suffix}", data, NOW) for n, (suffix, data) in enumerate(files)])
    assert report.files == len(files)
    for article in report.articles:
        assert article.title and article.id


@FUZZ
@given(st.binary(max_size=800) | markup.map(lambda t: f"<opml><body>{t}</body></opml>".encode("utf-8", "surrogatepass")))
def test_opml_gives_feeds_or_an_input_error(data):
    try:
        specs = read_opml(data)
    except InputError:
        return
    assert all(spec.url.startswith(("http://", "https://")) for spec in specs)


@FUZZ
@given(texty)
def test_small_parsers_of_the_fetch_stage(text):
    assert isinstance(redact_url(text), str) and isinstance(redact(text), str)
    wait = retry_after_seconds(text)
    assert wait is None or 0 <= wait <= 7 * 24 * 3600


@FUZZ
@given(st.ip_addresses())
def test_every_address_is_classified(address):
    public = is_public_address(str(address))
    if address.is_loopback or address.is_private or address.is_link_local:
        assert not public
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None and not mapped.is_global:
        assert not public


@FUZZ
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789:/@?=&%.-_#[]", max_size=80))
def test_redaction_never_leaks_a_password(tail):
    url = f"https://reader:Sup3rS3cret@feeds.example/{tail}"
    assert "Sup3rS3cret" not in redact_url(url)
    assert "Sup3rS3cret" not in redact(f"failed to fetch {url}: HTTP 500")


def test_errors_are_the_projects_own():
    assert issubclass(FeedError, BriefingError) and issubclass(InputError, BriefingError)
    assert ipaddress.ip_address("127.0.0.1")  # the stdlib parser the guard relies on
