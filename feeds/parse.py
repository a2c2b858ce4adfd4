"""Feed documents -> entries: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 via feedparser, JSON Feed 1.x by hand.

Pure functions only: the bytes come in from ``feeds.fetch`` (or a test), nothing here touches
the network or the disk. feedparser is always handed a byte stream, never a URL, so it can
never fetch anything itself. What an entry is, and the text choices made for it, are in
``feeds.entries``.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import feedparser

from core.errors import FeedError
from feeds.entries import FeedEntry, absolute_link, clean_title, html_to_text, parse_date, plain_text, with_keys


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title, entries in feed order, and what was wrong with it."""

    title: str
    entries: tuple[FeedEntry, ...]
    problems: tuple[str, ...] = ()
    kind: str = ""  # feedparser's version ("rss20", "atom10", ...) or "jsonfeed10"/"jsonfeed11"
    link: str | None = None

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
        link=absolute_link(feed.get("link"), url),
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
    link = absolute_link(item.get("link"), feed_url)
    return FeedEntry(
        title=clean_title(item.get("title")),
        link=link,
        id=item.get("id") or None,
        published=published,
        summary_text=summary_text,
        content_text=content_text,
        author=clean_title(item.get("author")) or None,
    )

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
        link=absolute_link(_str(data.get("home_page_url")), url),
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
    link = absolute_link(_str(item.get("url")) or _str(item.get("external_url")), feed_url)
    return FeedEntry(
        title=clean_title(_str(item.get("title"))),
        link=link,
        id=str(raw_id) if isinstance(raw_id, (str, int, float)) and str(raw_id) else None,
        published=parse_date(_str(item.get("date_published"))) or parse_date(_str(item.get("date_modified"))),
        summary_text=summary_text,
        content_text=content_text,
        author=_json_author(item, feed),
    )
