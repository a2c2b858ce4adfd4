"""Importing and exporting feed lists as OPML."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from core.errors import InputError
from feeds.fetch import FeedSpec
from feeds.opml import read_opml, write_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My reading</title></head>
  <body>
    <outline text="Diplomacy">
      <outline text="Harbour Gazette" title="Harbour Gazette" type="rss" xmlUrl="https://news.example.org/feed"/>
      <outline text="Regional">
        <outline text="Consular Notes" type="rss" xmlurl="https://rdf.example.net/rss"/>
      </outline>
    </outline>
    <outline text="Just a link" htmlUrl="https://example.com/"/>
    <outline text="Harbour Gazette again" xmlUrl="https://news.example.org/feed"/>
    <outline xmlUrl="https://untitled.example.com/atom"/>
  </body>
</opml>"""


def test_read_nested_outlines_in_order_without_duplicates():
    feeds = read_opml(NESTED)
    assert feeds == [
        FeedSpec("https://news.example.org/feed", "Harbour Gazette"),
        FeedSpec("https://rdf.example.net/rss", "Consular Notes"),
        FeedSpec("https://untitled.example.com/atom", None),
    ]


def test_round_trip_keeps_names_urls_and_the_page_switch():
    feeds = [
        FeedSpec("https://news.example.org/feed?a=1&b=2", 'Gazette "World" <Desk> & Co'),
        FeedSpec("https://json.example.org/feed.json", "Summit Daily", fetch_pages=False),
        FeedSpec("https://untitled.example.com/atom"),
    ]
    text = write_opml(feeds, created=datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert "&amp;b=2" in text and "&lt;Desk&gt;" in text
    assert "<dateCreated>Wed, 01 May 2024 08:00:00 +0000</dateCreated>" in text
    back = read_opml(text.encode("utf-8"))
    # A feed without a name is written with its URL as the outline text (OPML requires text).
    assert back == feeds[:2] + [FeedSpec("https://untitled.example.com/atom", "https://untitled.example.com/atom")]


def test_control_characters_in_names_do_not_break_the_file():
    text = write_opml([FeedSpec("https://x.example.org/feed", "Bell\x07 News")])
    assert read_opml(text.encode()) == [FeedSpec("https://x.example.org/feed", "Bell News")]


def test_bad_input_is_a_clear_error():
    with pytest.raises(InputError, match="OPML file cannot be read"):
        read_opml(b"<opml><body><outline></body>")
    with pytest.raises(InputError, match="not an OPML file"):
        read_opml(b"<rss version='2.0'/>")


def test_entity_expansion_is_refused():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example.org/"/></body></opml>"""
    with pytest.raises(InputError):
        read_opml(bomb)
