"""What a feed entry is, as plain text, and the article it becomes.

``FeedEntry`` is the format-free result of reading one item of an RSS, Atom or JSON feed
(``feeds.parse``): its title and text already plain text, its identity (``with_keys``). This
module holds what every format shares: turning entry HTML into text, tidying titles, reading
dates, making links absolute, and ``entry_to_article``.

Text choices:

* Entry bodies (summary, content) are HTML more often than not; they are turned into plain
  text with one paragraph per line. ``<script>``/``<style>`` contents are dropped there,
  since they are never prose a reader saw.
* Titles are plain text. Only presentational inline tags (``<b>``, ``<em>``, ...) are
  unwrapped; any other markup in a title - ``<script>`` included - is kept as literal
  characters. A title such as ``Talks on <script> tags`` must not silently lose words;
  escaping is the job of the templates at render time (jinja2 autoescape).
"""
from __future__ import annotations

import hashlib
import html
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from core.models import Article
from feeds.invisible import visible
from feeds.urls import canonical_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, its text already converted to plain text."""

    title: str
    link: str | None = None
    id: str | None = None
    published: datetime | None = None
    summary_text: str = ""
    content_text: str = ""
    author: str | None = None
    # The identity of the entry's article, set by ``parse_feed`` (see ``with_keys``): the
    # canonical link, else a key made from the guid, else a hash of the text.
    key: str | None = None

    @property
    def text(self) -> str:
        """The fullest text the feed gave: the content, else the summary."""
        return self.content_text if len(self.content_text) >= len(self.summary_text) else self.summary_text

# ---------------------------------------------------------------- HTML -> text

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre tr table section article header footer "
    "figure figcaption hr dd dt dl aside nav main address details summary td th".split()
)
_SKIP_TAGS = frozenset("script style noscript template iframe object svg math head".split())


class _TextCollector(HTMLParser):
    """Collects the visible text of an HTML fragment, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: D102 - HTMLParser hook
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "img" and not self.skip_depth:
            # Images carry no prose; their alt text is usually a caption fragment that
            # would read as a stray sentence in a summary, so it is left out.
            pass

    def handle_startendtag(self, tag: str, attrs: list) -> None:  # noqa: D102
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:  # noqa: D102
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:  # noqa: D102
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment: one paragraph per line, spaces collapsed.

    Script, style and similar non-prose elements are dropped with their contents.
    """
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return plain_text(fragment)
    collector = _TextCollector()
    try:
        collector.feed(fragment)
        collector.close()
    except Exception as exc:  # html.parser is lenient; this guards against the odd assertion
        log.debug("html.parser gave up (%s); stripping tags crudely", exc)
        return plain_text(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
    return plain_text("".join(collector.parts))


# Control characters are never text a reader saw; a NUL from a broken feed would otherwise
# travel into the email, where it is invalid HTML and some mail servers refuse the message.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def plain_text(text: str) -> str:
    """Collapse runs of spaces inside each line, drop control characters, invisible characters
    (zero-width spaces, soft hyphens: :func:`feeds.clean.visible`) and empty lines."""
    lines = (" ".join(line.split()) for line in visible(_CONTROL.sub("", text)).splitlines())
    return "\n".join(line for line in lines if line)


# Tags that only change how a title looks; feeds use them in titles now and then
# ("<em>Exclusive</em>: ...") and unwrapping them loses nothing a reader saw.
_INLINE_TITLE_TAGS = re.compile(
    r"</?(?:b|i|em|strong|u|s|span|font|small|big|sub|sup|abbr|cite|code|q|mark|a)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_title(raw: str | None) -> str:
    """Return a feed title as plain text (see the module docstring for the choice on markup).

    Entities left over from double escaping (``AT&amp;amp;T`` arrives as ``AT&amp;T``) are
    decoded once more, presentational inline tags are unwrapped, whitespace is collapsed.
    """
    if not raw:
        return ""
    text = raw
    if _ENTITY.search(text):
        text = html.unescape(text)
    text = _INLINE_TITLE_TAGS.sub("", _BREAK.sub(" ", text))
    return " ".join(visible(_CONTROL.sub("", text)).split())


def absolute_link(link: str | None, base: str) -> str | None:
    """``link`` resolved against ``base``; None for a missing or malformed link."""
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    if not link:
        return None
    try:
        joined = urljoin(base, link)
        urlsplit(joined).port  # noqa: B018 - a malformed link ("http://[::1") is no link
    except ValueError:
        log.debug("malformed link %r left out", link)
        return None
    return joined



def parse_date(value: str) -> datetime | None:
    """Parse an RFC 3339 (or, failing that, RFC 822) date; naive times are taken as UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


# ---------------------------------------------------------------- entry -> Article

_TITLE_FROM_TEXT_CHARS = 90
# Time zones differ by at most 14 hours; a date further ahead than a day is not a time zone slip.
_FUTURE_SLACK = timedelta(days=1)


def _title_from_text(text: str) -> str:
    # Microblog-style JSON Feed items and some RSS items have no title; the first words of
    # the text stand in so the email still has something to show and link.
    first = text.split("\n", 1)[0]
    if len(first) <= _TITLE_FROM_TEXT_CHARS:
        return first
    cut = first[:_TITLE_FROM_TEXT_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def article_id(link: str | None, text: str) -> str:
    """The article's identity: its canonical URL, or ``sha256:<hex>`` of its text when it has no web link."""
    if _web_link(link):
        return canonical_url(link)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _web_link(link: str | None) -> bool:
    if not link:
        return False
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _guid_key(guid: str, feed_url: str) -> str:
    # A guid is only promised to be unique within its feed ("1", "2", ... is common), so the
    # key carries the feed's address too.
    return "guid:" + hashlib.sha256(f"{feed_url}\n{guid}".encode("utf-8")).hexdigest()


def _content_key(entry: FeedEntry) -> str:
    # Title and text together: podcast-style feeds repeat one summary under different titles.
    return article_id(None, f"{entry.title}\n{entry.text}" if entry.title and entry.text else entry.text or entry.title)


def with_keys(entries: list[FeedEntry], feed_url: str) -> tuple[FeedEntry, ...]:
    """The entries with their identity (``key``) set: by link, else by guid/id, else by content.

    A link identifies an entry only when no other entry of the feed shares it with a
    different guid or text: feeds whose items all link to the site's front page, or have
    no link at all, still hold distinct items (a validator's test feed had thirty items
    with distinct guids, no link and one text, and only ten were stored when the text
    identified them). Likewise a guid that the feed repeats on different items (a podcast
    feed gave two episodes one guid and one link) does not identify them; their title and
    text do. Entries equal in every respect remain one article.
    """
    below_link = [(e.id, _content_key(e)) for e in entries]
    by_link: dict[str, set[tuple]] = defaultdict(set)
    by_guid: dict[str, set[str]] = defaultdict(set)
    for entry, below in zip(entries, below_link):
        if _web_link(entry.link):
            by_link[canonical_url(entry.link)].add(below)
        if entry.id:
            by_guid[entry.id].add(_content_key(entry))
    keyed = []
    for entry in entries:
        if _web_link(entry.link) and len(by_link[canonical_url(entry.link)]) == 1:
            key = canonical_url(entry.link)
        elif entry.id and len(by_guid[entry.id]) == 1:
            key = _guid_key(entry.id, feed_url)
        else:
            key = _content_key(entry)
        keyed.append(replace(entry, key=key))
    return tuple(keyed)


def entry_id(entry: FeedEntry) -> str:
    """The identity of the article an entry becomes (see ``with_keys``)."""
    return entry.key or _content_key(entry)


def entry_to_article(entry: FeedEntry, outlet: str, feed_url: str, fetched: datetime,
                     text: str | None = None) -> Article | None:
    """Turn a feed entry into an ``Article``; ``text`` replaces the entry's own text (a fetched page).

    ``published`` comes from the entry (``published_from="feed"``) or, when the feed gives
    no date, the fetch time (``"fetched"``). Returns None for an entry with no title, text
    or link - there is nothing to show of it.
    """
    body = text if text is not None else entry.text
    title = entry.title or _title_from_text(body)
    if not (title or body or entry.link):
        return None
    published = entry.published
    if published is not None and published - fetched > _FUTURE_SLACK:
        # A date days ahead is a feed bug (a wrong time zone or year); trusted, it would keep
        # the article at the top of every briefing until that date. The fetch time is safer.
        published = None
    return Article(
        id=entry.key or article_id(entry.link, body or title),
        title=title or (entry.link or ""),
        text=body,
        outlet=outlet,
        published=published or fetched,
        url=entry.link,
        published_from="feed" if published else "fetched",
        feed=feed_url,
    )
