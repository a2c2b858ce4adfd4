"""Feed documents -> entries: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 via feedparser, JSON Feed 1.x by hand.

Pure functions only: the bytes come in from ``feeds.fetch`` (or a test), nothing here touches
the network or the disk. feedparser is always handed a byte stream, never a URL, so it can
never fetch anything itself.

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
import io
import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import feedparser

from core.errors import FeedError
from core.models import Article
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


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title, entries in feed order, and what was wrong with it."""

    title: str
    entries: tuple[FeedEntry, ...]
    problems: tuple[str, ...] = ()
    kind: str = ""  # feedparser's version ("rss20", "atom10", ...) or "jsonfeed10"/"jsonfeed11"
    link: str | None = None


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
    """Collapse runs of spaces inside each line, drop control characters and empty lines."""
    lines = (" ".join(line.split()) for line in _CONTROL.sub("", text).splitlines())
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
    return " ".join(_CONTROL.sub("", text).split())


# ---------------------------------------------------------------- parsing

def _looks_like_html(body: bytes) -> bool:
    # Only asked once feedparser found no feed; error and "moved" pages often start with a
    # bare <head> or <body>, not <html>.
    head = body[:4096].lower()
    return any(tag in head for tag in (b"<!doctype html", b"<html", b"<head", b"<body"))


def _strip_bom(body: bytes) -> bytes:
    return body[3:] if body.startswith(b"\xef\xbb\xbf") else body


def parse_feed(body: bytes, url: str, content_type: str | None = None, *, status: int | None = None) -> ParsedFeed:
    """Parse a feed document fetched from ``url``.

    RSS and Atom go through feedparser; JSON Feed 1.0/1.1 is read here. Raises ``FeedError``
    naming ``url`` when the body is not a feed at all (an HTML page, an empty body, JSON of
    another kind) or is too broken to yield any entry. A feed that is not well-formed but
    still yields entries is returned with the trouble noted in ``problems``. ``status`` is
    the HTTP status, only used to make the error message more telling.
    """
    stripped = _strip_bom(body).lstrip()
    where = f", status {status}" if status is not None else ""
    if not stripped:
        raise FeedError(f"{url}: not a feed (the response was empty{where})")
    if stripped.startswith(b"{"):
        return _parse_json_feed(stripped, url)
    if content_type and "json" in content_type.lower() and not stripped.startswith(b"<"):
        raise FeedError(f"{url}: not a feed (JSON content type but the body is not a JSON object{where})")
    return _parse_xml_feed(body, url, content_type, where)


def _parse_xml_feed(body: bytes, url: str, content_type: str | None, where: str) -> ParsedFeed:
    # The location makes feedparser resolve relative links against the feed's URL; a file or
    # a server that sent no type is read as XML rather than flagged for a missing header.
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    # sanitize_html=False: we never pass feed HTML on, we turn it into text, and the
    # sanitizer would delete <script>...</script> from titles, losing words silently.
    # Relative links inside entry HTML are not resolved: the HTML becomes plain text and its
    # links are dropped, and resolving them was a quarter of feedparser's time on large feeds.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    version = parsed.get("version") or ""
    problem = ""
    exc = parsed.get("bozo_exception")
    # NonXMLContentType only says the server labelled the feed text/html or text/plain (or
    # not at all, as for a file); the document itself parsed fine, so it is no problem.
    if parsed.get("bozo") and not isinstance(exc, feedparser.NonXMLContentType):
        problem = f"{type(exc).__name__}: {exc}" if exc else "not well-formed"
    if not parsed.entries:
        if not version:
            if _looks_like_html(body):
                raise FeedError(f"{url}: not a feed (got an HTML page{where})")
            if not _strip_bom(body).lstrip().startswith(b"<"):
                # No markup at all: a text file or an error message; the XML parser's "syntax
                # error" at line 2 would only puzzle.
                raise FeedError(f"{url}: not a feed (plain text{where})")
            detail = f": {problem}" if problem else ""
            raise FeedError(f"{url}: not a feed (no RSS, Atom or JSON Feed found{where}){detail}")
        # An encoding mix-up alone leaves a readable (if empty) feed; a syntax error does not.
        if problem and not isinstance(exc, feedparser.CharacterEncodingOverride):
            raise FeedError(f"{url}: malformed feed, no entries could be read ({problem})")
    feed = parsed.feed
    entries = []
    problems: list[str] = []
    if problem:
        problems.append(f"{url}: feed is not well-formed ({problem}); read {_count(len(parsed.entries))} anyway")
    for item in parsed.entries:
        entries.append(_entry_from_feedparser(item, url))
    problems.extend(_empty_entries(entries, url))
    return ParsedFeed(
        title=clean_title(feed.get("title")) or "",
        entries=with_keys(entries, url),
        problems=tuple(problems),
        kind=version or "unknown",
        link=_absolute(feed.get("link"), url),
    )


def _empty_entries(entries: list[FeedEntry], url: str) -> list[str]:
    # An entry with no title, no text and no link has nothing a briefing could show, so it
    # becomes no article; it is said, so that nothing leaves the feed unaccounted for.
    empty = sum(1 for e in entries if not (e.title or e.text or e.link))
    if not empty:
        return []
    return [f"{url}: {_count(empty)} with no title, text or link: nothing to show, not stored"]


def _count(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _struct_to_datetime(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def _detail_text(detail) -> str:
    """Plain text of a feedparser text construct (a dict with ``type`` and ``value``)."""
    if not detail:
        return ""
    value = detail.get("value") or ""
    kind = (detail.get("type") or "text/html").lower()
    if kind == "text/plain":
        return plain_text(value)
    return html_to_text(value)


def _entry_from_feedparser(item, feed_url: str) -> FeedEntry:
    contents = [_detail_text(part) for part in item.get("content") or ()]
    content_text = max(contents, key=len, default="")
    summary_text = _detail_text(item.get("summary_detail")) or html_to_text(item.get("summary") or "")
    if summary_text == content_text:
        # feedparser fills ``summary`` from the content when an entry has only content;
        # keeping both would make a full article look like it also had a teaser.
        summary_text = ""
    published = None
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get maps a missing "updated_parsed" onto "published_parsed" with a warning.
        published = _struct_to_datetime(dict.get(item, key))
        if published:
            break
    link = _absolute(item.get("link"), feed_url)
    return FeedEntry(
        title=clean_title(item.get("title")),
        link=link,
        id=item.get("id") or None,
        published=published,
        summary_text=summary_text,
        content_text=content_text,
        author=clean_title(item.get("author")) or None,
    )


def _absolute(link: str | None, base: str) -> str | None:
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


# The spec says ``https://jsonfeed.org/version/1`` (or ``/1.1``); real feeds also write the
# bare number ("1", "1.0", "1.1"), as gofeed's test feeds do, and a whole feed was refused for it.
_JSONFEED_VERSION = re.compile(r"^(?:https?://(?:www\.)?jsonfeed\.org/version/1(?:\.(\d+))?/?|v?1(?:\.(\d+))?)$",
                               re.IGNORECASE)
_JSONFEED_FORMS = '"https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1", "1", "1.0" or "1.1"'


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"{url}: malformed JSON Feed ({exc})") from exc
    raw_version = data.get("version", "") if isinstance(data, dict) else ""
    version = str(raw_version).strip() if isinstance(raw_version, (str, int, float)) else ""
    match = _JSONFEED_VERSION.match(version)
    if not match:
        raise FeedError(f"{url}: not a feed (JSON whose \"version\" is {version or 'missing'!r}; "
                        f"a JSON Feed says {_JSONFEED_FORMS})")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError(f"{url}: malformed JSON Feed (no 'items' list)")
    problems = []
    entries = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"{url}: JSON Feed item {index} is not an object; skipped")
            continue
        entries.append(_entry_from_json(item, url, data))
    problems.extend(_empty_entries(entries, url))
    minor = match.group(1) or match.group(2) or "0"
    kind = f"jsonfeed1{minor}"
    return ParsedFeed(
        title=clean_title(_str(data.get("title"))),
        entries=with_keys(entries, url),
        problems=tuple(problems),
        kind=kind,
        link=_absolute(_str(data.get("home_page_url")), url),
    )


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def _json_author(item: dict, feed: dict) -> str | None:
    # JSON Feed 1.1 has ``authors`` (a list); 1.0 had a single ``author``. Items inherit the feed's.
    for source in (item, feed):
        authors = source.get("authors")
        if isinstance(authors, list):
            names = [_str(a.get("name")) for a in authors if isinstance(a, dict) and _str(a.get("name"))]
            if names:
                return ", ".join(names)
        author = source.get("author")
        if isinstance(author, dict) and _str(author.get("name")):
            return _str(author.get("name"))
    return None


def _entry_from_json(item: dict, feed_url: str, feed: dict) -> FeedEntry:
    content_text = html_to_text(_str(item.get("content_html"))) or plain_text(_str(item.get("content_text")))
    summary_text = plain_text(_str(item.get("summary")))
    raw_id = item.get("id")
    link = _absolute(_str(item.get("url")) or _str(item.get("external_url")), feed_url)
    return FeedEntry(
        title=clean_title(_str(item.get("title"))),
        link=link,
        id=str(raw_id) if isinstance(raw_id, (str, int, float)) and str(raw_id) else None,
        published=parse_date(_str(item.get("date_published"))) or parse_date(_str(item.get("date_modified"))),
        summary_text=summary_text,
        content_text=content_text,
        author=_json_author(item, feed),
    )


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
    from collections import defaultdict

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
