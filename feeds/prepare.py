"""Turning a fetched feed or page into articles: the CPU work that runs in worker processes.

Pure functions of bytes in, picklable results out (``PreparedFeed``, an ``Article``), so that
``feeds.fetch`` can hand them to its worker pool while the downloads go on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from core.models import Article
from feeds import pages
from feeds.entries import FeedEntry, entry_id, entry_to_article
from feeds.feedspec import FeedSpec
from feeds.parse import ParsedFeed, parse_feed


def outlet_name(spec: FeedSpec, parsed: ParsedFeed) -> str:
    """The outlet shown for a feed's articles: the configured name, the feed's title, or its host."""
    return spec.name or parsed.title or (urlsplit(spec.url).hostname or spec.url)


@dataclass(frozen=True)
class PreparedEntry:
    """One entry of a parsed feed, made ready in a worker: its article id, its article with the
    feed's own text, and the entry itself when it is a teaser whose page may hold the rest."""

    ident: str
    article: Article | None
    teaser: FeedEntry | None = None


@dataclass(frozen=True)
class PreparedFeed:
    """A parsed feed as a worker hands it back: picklable, entries in feed order."""

    title: str
    outlet: str
    entries: tuple[PreparedEntry, ...]
    problems: tuple[str, ...] = ()


def prepare_feed(body: bytes, spec: FeedSpec, content_type: str | None, status: int | None,
                 fetched: datetime, fetch_pages: bool) -> PreparedFeed:
    """Parse a feed body and turn every entry into an article (pure; runs in a worker process).

    Raises ``FeedError`` naming the feed when the body is not a feed (see ``parse_feed``).
    """
    parsed = parse_feed(body, spec.url, content_type, status=status)
    outlet = outlet_name(spec, parsed)
    entries = []
    for entry in parsed.entries:
        teaser = entry if fetch_pages and pages.is_teaser(entry) else None
        article = entry_to_article(entry, outlet, spec.url, fetched, text=pages.strip_feed_trailer(entry.text))
        entries.append(PreparedEntry(entry_id(entry), article, teaser))
    return PreparedFeed(parsed.title, outlet, tuple(entries), parsed.problems)


def page_article(body: bytes, entry: FeedEntry, outlet: str, feed_url: str, fetched: datetime) -> Article | None:
    """The article of a teaser entry whose page was fetched: the page's main text when it adds
    to the teaser (pure; runs in a worker process). Raises ``FeedError`` when the page has none."""
    text = pages.page_text(body, entry.link or "")
    return entry_to_article(entry, outlet, feed_url, fetched, text=pages.choose_text(entry.text, text))
