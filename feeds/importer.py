"""Stored article files in: ``.txt`` pages, ``.html`` pages and ``.json``/``.jsonl`` records.

Reading is at the edge (``read_files``); turning one file's bytes into articles is pure
(``parse_file``), so tests can call it directly. A file that cannot be used is reported
with its path and the reason, and the import goes on with the others.
"""
from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura

from core.errors import InputError
from core.models import Article
from feeds.clean import CleanOptions, clean_page_text, normalise_line, repeated_lines
from feeds.decode import decode_text
from feeds.store import text_id
from feeds.textdates import find_publication_time, parse_datetime
from feeds.urls import canonical_url, web_url
from feeds.walls import is_wall, refuse_wall

log = logging.getLogger(__name__)

SUFFIXES = {".txt", ".html", ".htm", ".json", ".jsonl"}
MAX_FILE_BYTES = 20_000_000


@dataclass(frozen=True)
class ArticleFile:
    """One file's bytes and when it was last modified (the publication time of last resort)."""

    path: str
    data: bytes
    modified: datetime


@dataclass(frozen=True)
class ImportReport:
    """What an import produced: the articles and a message for each file that failed."""

    articles: tuple[Article, ...] = ()
    problems: tuple[str, ...] = ()
    files: int = 0


@dataclass(frozen=True)
class _Page:
    """A text page before cleaning: cleaning needs all pages of a site together."""

    path: str
    title: str
    body: str
    url: str | None
    outlet: str | None
    published: datetime | None
    modified: datetime
    published_from: str = "content"


def find_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders (recursively, sorted) into article files; report the rest."""
    found: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    if child.suffix.lower() in SUFFIXES:
                        found.append(child)
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                found.append(path)
            else:
                problems.append(f"{path}: not an article file (expected {', '.join(sorted(SUFFIXES))})")
        else:
            problems.append(f"{path}: no such file or folder")
    return found, problems


def read_files(paths: Iterable[Path]) -> Iterator[ArticleFile | str]:
    """Read each file; yield its bytes, or a problem message when it cannot be read."""
    for path in paths:
        try:
            stat = path.stat()
            if stat.st_size > MAX_FILE_BYTES:
                yield f"{path}: too large ({stat.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})"
                continue
            data = path.read_bytes()
        except OSError as exc:
            yield f"{path}: cannot read: {exc.strerror or exc}"
            continue
        yield ArticleFile(str(path), data, datetime.fromtimestamp(stat.st_mtime, timezone.utc).replace(microsecond=0))


def _decode(file: ArticleFile) -> str:
    if not file.data.strip():
        raise InputError(f"{file.path}: empty file")
    if b"\x00" in file.data[:8192]:
        raise InputError(f"{file.path}: binary data, not a text file")
    text = decode_text(file.data, file.path)  # stray Windows-1252 bytes: read, with a warning
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > 40:
        raise InputError(f"{file.path}: binary data, not a text file")
    return text


# A wire-service dateline names the outlet: "ISTANBUL (Reuters) -", "PARIS, June 3 (AFP) —".
_DATELINE = re.compile(r"^[A-Z]{2,}[A-Z .'’/-]*(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?\s+\(([A-Z][\w&.' -]{1,30})\)\s*[-–—]")
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?:[-–]\s*\d{4}\s*)?([A-Z][\w&.' -]{2,40}?)"
                        r"(?:[.,|]|\s+All rights|$)", re.IGNORECASE)
# The company behind a masthead: "© 2025 The Ledger Media Ltd" is the outlet "The Ledger".
_CORPORATE = re.compile(r"(?:\s+(?:Media|Group|Publishing|Publications|Digital|Holdings|Company|Co|Corp|Corporation"
                        r"|Ltd|Limited|Inc|LLC|PLC|GmbH|SA|AG|Newspapers?))+\.?$", re.IGNORECASE)


def guess_outlet(lines: Sequence[str]) -> str | None:
    """The outlet named by the page itself: its copyright line, else a wire dateline.

    The copyright line names who published the page; a dateline names whose copy it is,
    which for syndicated wire copy is a different outlet, so the copyright line wins.
    """
    for line in reversed(lines[-40:]):
        match = _COPYRIGHT.search(line)
        if match and len(line) < 200:
            name = re.sub(r"[\s,]*\d{4}(?:\s*[-–]\s*\d{4})?$", "", match.group(1).strip())
            name = _CORPORATE.sub("", name).strip()
            if len(name) >= 3:
                return name.title() if name.isupper() else name
    for line in lines[:40]:
        match = _DATELINE.match(line.strip())
        if match:
            return match.group(1).strip()
    return None


# Outlets name themselves over and over in their furniture ("Subscribe to The Herald",
# "The Herald is trusted by readers", "worked at The Herald since"); the article rarely does.
_SELF_NAME = re.compile(r"\bThe (?:[A-Z][a-z]+)(?: [A-Z][a-z]+)?\b")


def outlet_from_furniture(removed: Sequence[str], body: str, min_count: int = 2) -> str | None:
    """An outlet name that recurs in the lines cleaning removed, and seldom in the article."""
    counts: dict[str, int] = defaultdict(int)
    for line in removed:
        for name in set(_SELF_NAME.findall(line)):
            counts[name] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    for name, count in ranked:
        if count >= min_count and name not in body:
            return name
    return None


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


def _text_page(file: ArticleFile, text: str) -> _Page:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    title = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:])
    if not body.strip():
        raise InputError(f"{file.path}: no article text after the headline line")
    refuse_wall(file.path, body)
    return _Page(file.path, title, body, None, guess_outlet(lines[1:]), find_publication_time(lines[1:]),
                 file.modified, "content")


_PUBLISHED_META = ("article:published_time", "parsely-pub-date", "datepublished", "date", "pubdate",
                   "dc.date", "dc.date.issued", "sailthru.date", "og:published_time")


def html_metadata(data: bytes) -> dict[str, str]:
    """The page's own statements of its URL, site name and publication time.

    Page metadata is more exact than a date guessed from the text: trafilatura's date
    search returns a day without the time, and some pages give no ``og:site_name`` so
    its site-name guess falls back on the title.
    """
    found: dict[str, str] = {}
    try:
        tree = lxml.html.fromstring(data)
    except (ValueError, lxml.etree.ParserError):
        return found
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = (meta.get("content") or "").strip()
        if not value:
            continue
        if key in _PUBLISHED_META and "published" not in found:
            found["published"] = value
        elif key in ("og:site_name", "application-name") and "site" not in found:
            found["site"] = value
        elif key == "og:url" and "url" not in found:
            found["url"] = value
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            found["url"] = link.get("href").strip()
    if "published" not in found:
        for time in tree.iter("time"):
            if time.get("datetime"):
                found["published"] = time.get("datetime").strip()
                break
    return found


def _html_article(file: ArticleFile) -> Article:
    extracted = trafilatura.extract(
        file.data, output_format="json", with_metadata=True, include_comments=False,
        date_extraction_params={"extensive_search": True, "original_date": True,
                                "outputformat": "%Y-%m-%dT%H:%M:%S%z"})
    if not extracted:
        raise InputError(f"{file.path}: no article text found in the HTML page")
    meta = json.loads(extracted)
    title = (meta.get("title") or "").strip()
    lines = [line for line in (meta.get("text") or "").splitlines() if line.strip()]
    if lines and lines[0].strip() == title:
        lines = lines[1:]
    body = "\n".join(lines).strip()
    if not body:
        raise InputError(f"{file.path}: no article text found in the HTML page")
    refuse_wall(file.path, body)
    own = html_metadata(file.data)
    url = web_url(own.get("url") or meta.get("source"))
    if url and urlsplit(url).scheme not in ("http", "https"):
        url = None
    published = parse_datetime(own["published"]) if own.get("published") else None
    if published is None and meta.get("date"):
        published = parse_datetime(meta["date"])
    host = _host(url)
    outlet = own.get("site") or (host[4:] if host and host.startswith("www.") else host) \
        or meta.get("sitename") or Path(file.path).stem
    return _make(file.path, file.modified, title or Path(file.path).stem, body, url, outlet, published, "metadata")


def _make(path: str, modified: datetime, title: str, text: str, url: str | None, outlet: str | None,
          published: datetime | None, found_in: str) -> Article:
    url = url.strip() if isinstance(url, str) and url.strip() else None
    if url and urlsplit(url).scheme not in ("http", "https"):
        url = None
    return Article(
        id=canonical_url(url) if url else text_id(text),
        title=" ".join(title.split()),
        text=text,
        outlet=(outlet or Path(path).stem).strip(),
        published=published or modified,
        url=url,
        published_from=found_in if published else "file-mtime",
        feed=None,
    )


def _json_records(file: ArticleFile, text: str) -> list[tuple[str, dict]]:
    records: list[tuple[str, dict]] = []
    if file.path.lower().endswith(".jsonl"):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append((f"{file.path}:{number}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    records.append((f"{file.path}:{number}", {"__error__": f"not valid JSON ({exc.msg})"}))
        return records
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{file.path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    items = data if isinstance(data, list) else [data]
    return [(f"{file.path}[{i}]" if isinstance(data, list) else file.path, item) for i, item in enumerate(items)]


def _json_page(where: str, file: ArticleFile, record: object) -> _Page:
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with title and text")
    if "__error__" in record:
        raise InputError(f"{where}: {record['__error__']}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: no \"text\" field with the article text")
    refuse_wall(where, text)
    title = record.get("title") if isinstance(record.get("title"), str) else ""
    published = None
    if record.get("published"):
        published = parse_datetime(str(record["published"]))
        if published is None:
            raise InputError(f"{where}: \"published\" is not a date: {record['published']!r}")
    source = record.get("source") if isinstance(record.get("source"), str) else None
    url = web_url(record.get("url"))
    return _Page(where, title or "", text, url, source or _host(url), published, file.modified, "metadata")


_WORD = re.compile(r"[^\W\d_]{4,}")
_SENTENCE_BREAK = re.compile(r"[.!?][\"'”’]?\s+[A-Z]")


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def headline_fit(line: str, body_words: set[str]) -> float:
    """Share of a line's longer words that the article body also uses."""
    words = _content_words(line)
    return len(words & body_words) / len(words) if words else 0.0


def choose_title(first_line: str, page_text: str, body: str, head: int = 12) -> str:
    """The page's headline: its first line, unless that line has nothing to do with the body.

    Scraped pages sometimes start with a browser or cookie notice instead of the headline
    (a "notifications can be managed" banner was the first line of a saved page); then the
    best-fitting short line near the top of the page, such as the standfirst, is used.
    """
    body_words = _content_words(body)
    if headline_fit(first_line, body_words) >= 0.3:
        return first_line
    best, best_fit = first_line, headline_fit(first_line, body_words)
    for line in page_text.splitlines()[:head]:
        line = line.strip()
        # A headline is one short sentence that is not itself a paragraph of the body.
        if not 4 <= len(line.split()) <= 30 or line in body or _SENTENCE_BREAK.search(line):
            continue
        fit = headline_fit(line, body_words)
        if fit > max(best_fit, 0.25):
            best, best_fit = line, fit
    return best


def _site(page: _Page) -> str:
    # Pages without a URL or a named outlet are taken to come from one site per folder:
    # a scraper usually saves one site's pages together.
    return _host(page.url) or page.outlet or f"folder:{Path(page.path).parent}"


def _furniture(pages: Sequence[_Page], copy_share: float = 0.4) -> frozenset[str]:
    """Lines that recur across pages of one site, not counting pages that copy each other.

    Syndicated wire copy published twice shares its whole body; those shared lines are
    the article, not the site's furniture, so a page that repeats most of an earlier
    page's lines is left out of the count.
    """
    kept: list[set[str]] = []
    texts: list[str] = []
    for page in pages:
        lines = {normalise_line(line) for line in page.body.splitlines() if line.strip()}
        if any(len(lines & other) > copy_share * min(len(lines), len(other)) for other in kept):
            continue
        kept.append(lines)
        texts.append(page.body)
    return repeated_lines(texts) if len(texts) > 1 else frozenset()


def parse_files(files: Iterable[ArticleFile | str], clean: CleanOptions = CleanOptions()) -> ImportReport:
    """Turn read files into articles, cleaning page text with the pages of the same site together.

    Lines that recur across pages of one site (a site is known by its URL host or by
    the outlet the page names) are the site's furniture and are dropped from each page.
    """
    problems: list[str] = []
    articles: list[Article] = []
    pages: list[_Page] = []
    count = 0
    for file in files:
        count += 1
        if isinstance(file, str):
            problems.append(file)
            continue
        suffix = Path(file.path).suffix.lower()
        try:
            if suffix in (".html", ".htm"):
                if not file.data.strip():
                    raise InputError(f"{file.path}: empty file")
                articles.append(_html_article(file))
                continue
            text = _decode(file)
            if suffix == ".txt":
                pages.append(_text_page(file, text))
            else:
                for where, record in _json_records(file, text):
                    try:
                        pages.append(_json_page(where, file, record))
                    except InputError as exc:
                        problems.append(str(exc))
        except InputError as exc:
            problems.append(str(exc))
    by_site: dict[str, list[_Page]] = defaultdict(list)
    for page in pages:
        by_site[_site(page)].append(page)
    furniture = {site: _furniture(group) for site, group in by_site.items() if len(group) > 1}
    for page in pages:
        site_lines = furniture.get(_site(page), frozenset())
        body = clean_page_text(page.body, title=page.title, site_lines=site_lines, options=clean)
        if not body.strip():
            problems.append(f"{page.path}: nothing left that reads like an article after removing page furniture")
            continue
        if is_wall(body):  # what is left after the furniture is only a login, paywall or consent notice
            problems.append(f"{page.path}: no article text (only a login, paywall or cookie-consent notice); not stored")
            continue
        title = choose_title(page.title, page.body, body) if page.title else body.splitlines()[0][:120]
        outlet = page.outlet
        if not outlet:
            kept = set(body.splitlines())
            outlet = outlet_from_furniture([line for line in page.body.splitlines() if line not in kept], body)
        articles.append(_make(page.path, page.modified, title, body, page.url, outlet, page.published,
                              page.published_from))
    return ImportReport(tuple(_name_hosts(articles)), tuple(problems), count)


def _name_hosts(articles: list[Article]) -> list[Article]:
    """Give articles known only by their web host the outlet name other records use for it.

    A page without a site name is filed under its host ("ledger.example"); when a JSON
    record from the same host names its source ("The Ledger"), both are one outlet.
    """
    from dataclasses import replace

    names: dict[str, str] = {}
    for article in articles:
        host = _host(article.url)
        if host and article.outlet not in (host, host.removeprefix("www.")):
            names.setdefault(host.removeprefix("www."), article.outlet)
    return [replace(a, outlet=names[a.outlet]) if a.outlet in names else a for a in articles]


def import_paths(paths: Iterable[str | Path], clean: CleanOptions = CleanOptions()) -> ImportReport:
    """Find, read and parse article files under ``paths``."""
    found, problems = find_files(paths)
    report = parse_files(read_files(found), clean)
    return ImportReport(report.articles, tuple(problems) + report.problems, report.files)
