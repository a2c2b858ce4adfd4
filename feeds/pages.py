"""Teaser entries -> full text: decide when a linked page is worth fetching and extract its main text.

Many feeds carry only the first lines of an article ("... [...]", "Read more"). For those
the article page is fetched (by ``feeds.fetch``, which owns the HTTP client) and its main
text is pulled out with trafilatura. Everything here is pure except ``fetch_page_text``,
which only awaits the ``get`` coroutine it is handed.
"""
from __future__ import annotations

import logging
import re
from typing import Awaitable, Callable, Protocol
from urllib.parse import urlsplit

import trafilatura

from core.errors import FeedError
from feeds.entries import FeedEntry, plain_text
from feeds.walls import is_wall

log = logging.getLogger(__name__)

# Below this many characters a feed's text is taken for a teaser: a real news article runs
# to several paragraphs, while excerpt feeds cut at 1-3 sentences (WordPress cuts at 55 words,
# about 350 characters).
TEASER_CHARS = 400

# Endings that say the feed cut the text short, whatever its length: an ellipsis, the
# WordPress "[…]", or a "Read more"/"Continue reading" link rendered as text.
_TRUNCATED = re.compile(
    r"(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|\b(?:read|see) (?:the )?(?:more|full (?:story|article))\b\W*"
    r"|\bcontinue reading\b.*|\bmore\s*(?:»|›|→)|(?:»|→))\s*$",
    re.IGNORECASE,
)
# WordPress appends "The post <title> appeared first on <site>." to excerpts; that line is
# not article text and would hide the "[…]" that precedes it.
_WORDPRESS_TRAILER = re.compile(r"\n?The post .{1,300} appeared first on .{1,200}$", re.IGNORECASE)


def strip_feed_trailer(text: str) -> str:
    """Remove the "The post ... appeared first on ..." line that WordPress appends to feed text."""
    return _WORDPRESS_TRAILER.sub("", text).rstrip()


def is_teaser(entry: FeedEntry) -> bool:
    """True when the entry holds only a teaser and links to an http(s) page that may hold the rest."""
    if not entry.link or urlsplit(entry.link).scheme not in ("http", "https"):
        return False
    text = strip_feed_trailer(entry.text)
    # The pattern is anchored at the end; searching only the tail keeps it linear on long
    # full-text entries (it was a tenth of the fetch time of a 1,000-feed day).
    return len(text) < TEASER_CHARS or bool(_TRUNCATED.search(text[-300:]))


def extract_main_text(page: bytes | str, url: str | None = None) -> str:
    """Return the main text of an article page (one paragraph per line), or "" when none is found.

    trafilatura drops navigation, comments and other boilerplate; tables are left out too
    since they rarely read as prose in a summary.
    """
    try:
        text = trafilatura.extract(page, url=url, include_comments=False, include_tables=False,
                                   include_images=False, deduplicate=False, output_format="txt")
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken pages
        log.debug("extraction failed for %s: %s", url, exc)
        return ""
    return plain_text(text or "")


def choose_text(feed_text: str, page_text: str) -> str:
    """The text to keep: the page's when it adds to the feed's, else the feed's teaser.

    A paywall or consent page extracts to a line or two, shorter than the teaser itself;
    then the teaser is the better text.
    """
    return page_text if len(page_text) > len(feed_text) else feed_text


class PageResponse(Protocol):
    """What ``fetch_page_text`` needs of an HTTP response."""

    status: int
    headers: object  # a mapping with case-insensitive .get
    body: bytes


PageGetter = Callable[[str], Awaitable[PageResponse]]

_HTML_TYPES = ("text/html", "application/xhtml+xml")


async def fetch_page(get: PageGetter, url: str) -> bytes:
    """Fetch ``url`` with ``get`` and return the HTML body; raise ``FeedError`` saying why not.

    Only http and https URLs are fetched; only HTML pages are read. This is the I/O half of
    ``fetch_page_text``: ``feeds.fetch`` awaits it on the event loop and hands the body to
    ``page_text`` in a worker process.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise FeedError(f"{url}: not an http(s) page")
    response = await get(url)
    if not 200 <= response.status < 300:
        raise FeedError(f"{url}: page fetch failed (HTTP {response.status})")
    content_type = (response.headers.get("content-type") or "").lower()
    if content_type and not content_type.startswith(_HTML_TYPES):
        raise FeedError(f"{url}: page is not HTML ({content_type.split(';')[0]})")
    return response.body


def page_text(body: bytes, url: str) -> str:
    """The main text of a fetched article page; raise ``FeedError`` when none is found."""
    text = extract_main_text(body, url)
    if not text:
        raise FeedError(f"{url}: no article text found on the page")
    if is_wall(text):
        raise FeedError(f"{url}: no article text (the page is only a login, paywall or cookie-consent notice)")
    return text


async def fetch_page_text(get: PageGetter, url: str) -> str:
    """Fetch ``url`` with ``get`` and return its main text; raise ``FeedError`` saying why not.

    Only http and https URLs are fetched; only HTML pages are read.
    """
    return page_text(await fetch_page(get, url), url)
