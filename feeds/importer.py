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
from feeds.outlets import UNKNOWN, Registry, bundled_registry, display_name, name_articles, normalise_name
from feeds.pagemeta import guess_outlet, outlet_from_furniture, page_lines, tree_metadata
from feeds.decode import decode_text, looks_binary
from feeds.store import text_id
from feeds.textdates import find_publication_time, parse_datetime, time_near, url_date
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
    # Articles whose page states no publication time: they carry the file's time,
    # marked ``published_from="file-mtime"``, and are never shown with a date.
    undated: int = 0


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
    if looks_binary(file.data):  # NUL bytes, unless a UTF-16 byte-order mark explains them
        raise InputError(f"{file.path}: binary data, not a text file")
    text = decode_text(file.data, file.path)  # stray Windows-1252 bytes: read, with a warning
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > 40:
        raise InputError(f"{file.path}: binary data, not a text file")
    return text


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


def _html_article(file: ArticleFile) -> Article:
    extracted = trafilatura.extract(
        file.data, output_format="json", with_metadata=True, include_comments=False,
        # No extensive search: it turns a footer's "© 2024" into 1 January 2024.
        date_extraction_params={"extensive_search": False, "original_date": True,
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
    try:
        tree = lxml.html.fromstring(file.data)
    except (ValueError, lxml.etree.ParserError):
        tree = None
    own = tree_metadata(tree) if tree is not None else {}
    visible = page_lines(tree) if tree is not None else []
    url = web_url(own.get("url") or meta.get("source"))
    if url and urlsplit(url).scheme not in ("http", "https"):
        url = None
    published = parse_datetime(own["published"]) if own.get("published") else None
    found_in = "metadata"
    if published is None:
        published = _time_beside_article("\n".join(visible), body, title) or find_publication_time(visible, head=40)
        found_in = "content"
    if published is None and meta.get("date"):
        published, found_in = parse_datetime(meta["date"]), "metadata"
    if published is None:
        published, found_in = url_date(url), "metadata"
    # The page's own names for its site, most trusted first; the host is the last resort.
    signals = (own.get("site"), own.get("publisher"), guess_outlet(visible), meta.get("sitename"),
               _host(url))
    outlet = display_name(bundled_registry(), url, *signals) if any(signals) or url else None
    return _make(file.path, file.modified, title or Path(file.path).stem, body, url, outlet, published, found_in)


def _make(path: str, modified: datetime, title: str, text: str, url: str | None, outlet: str | None,
          published: datetime | None, found_in: str) -> Article:
    url = url.strip() if isinstance(url, str) and url.strip() else None
    if url and urlsplit(url).scheme not in ("http", "https"):
        url = None
    return Article(
        id=canonical_url(url) if url else text_id(text),
        title=" ".join(title.split()),
        text=text,
        outlet=(outlet or UNKNOWN).strip(),
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


_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018(]?[A-Z])")
# The word before a full stop that does not end a sentence: an initial ("C.I.A.") or a short
# capitalised abbreviation ("Mr.", "Gen.", "Sen.").
_ABBREVIATION = re.compile(r"(?:\b[A-Za-z]|\b[A-Z][a-z]{0,2})\.$")


# A wire dateline inside a line ("... for 30 Days WASHINGTON — The White House ..."): where a
# headline glued to its article on one line ends and the article begins.
_GLUED_DATELINE = re.compile(r"\s(?:[A-Z]{2,}[A-Z .,'’/-]*?(?:,\s+[A-Z][a-z]+\.?(?:\s+\d{1,2})?)?"
                             r"\s*(?:\([A-Z][\w&.' -]{1,30}\))?\s*[-–—]{1,2}|\([A-Z][\w&.' -]{1,30}\)\s*"
                             r"[-–—]{1,2})(?:\s+(?=[\"“'A-Z])|\s*$)")


def title_from_text(body: str, longest: int = 150) -> str:
    """A title for a record that has none: its first line when short, else that line's first
    sentence when that is short enough, else its first words cut at a word and marked as cut.
    A headline glued to its article's dateline on one line ("... for 30 Days WASHINGTON —
    ...") is the part before the dateline."""
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    glued = _GLUED_DATELINE.search(first, 0, longest + 40)
    # What comes before is a headline, not the dateline's own place ("OSAN AIR BASE, South
    # Korea (AFNS) --"): some words of it are not capitalised.
    head = first[:glued.start()].split() if glued else []
    if len(head) >= 4 and sum(word[:1].islower() for word in head) >= 2:
        return " ".join(head).rstrip(" ,;:")
    if len(first) <= longest:
        return first
    for end in _SENTENCE_END.finditer(first, 20, 200):
        sentence = first[:end.start() + 1]
        if not _ABBREVIATION.search(sentence):
            return first[:end.end()].strip()
    return first[:longest].rsplit(" ", 1)[0].rstrip(" ,;:-\u2013\u2014") + "\u2026"


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


def parse_files(files: Iterable[ArticleFile | str], clean: CleanOptions = CleanOptions(),
                publisher: str | None = None, registry: Registry | None = None) -> ImportReport:
    """Turn read files into articles, cleaning page text with the pages of the same site together.

    Lines that recur across pages of one site (a site is known by its URL host or by
    the outlet the page names) are the site's furniture and are dropped from each page.
    Every article from one site gets one name (see :func:`feeds.outlets.resolve_names`);
    ``publisher`` (``import --outlet NAME``) names the outlet of every file instead.
    """
    registry = registry or bundled_registry()
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
        title = choose_title(page.title, page.body, body) if page.title else title_from_text(body)
        outlet = page.outlet
        if not outlet:
            kept = set(body.splitlines())
            outlet = outlet_from_furniture([line for line in page.body.splitlines() if line not in kept], body)
        published, found_in = page.published, page.published_from
        if published is None:
            published, found_in = _time_beside_article(page.body, body, title.strip()), "content"
        articles.append(_make(page.path, page.modified, title, body, page.url, outlet, published, found_in))
    if publisher and publisher.strip():
        from dataclasses import replace

        known = registry.by_name(publisher)
        given = known.name if known else (normalise_name(publisher) or publisher.strip())
        named = [replace(a, outlet=given) for a in articles]
    else:
        named = name_articles(articles, registry)
    undated = sum(1 for a in named if a.published_from == "file-mtime")
    return ImportReport(tuple(named), tuple(problems), count, undated)


def _time_beside_article(page_text: str, body: str, title: str) -> datetime | None:
    """The timestamp stated beside where the article starts on the page, after any menus.

    The article starts where its headline appears again below the page's first line, or
    else at the first line that cleaning kept.
    """
    lines = page_text.splitlines()
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    # Page titles carry the site's name after the headline ("... - Auto News").
    starts = [next((i for i, line in enumerate(lines)
                    if line.strip() == title or (len(line.strip()) >= 20 and title.startswith(line.strip()))), None),
              next((i for i, line in enumerate(lines) if line.strip() == first), None)]
    for start in starts:
        if start is not None:
            found = time_near(lines, start, before=6 if start == starts[0] else 20)
            if found is not None:
                return found
    return None


def import_paths(paths: Iterable[str | Path], clean: CleanOptions = CleanOptions(), outlet: str | None = None,
                 registry: Registry | None = None) -> ImportReport:
    """Find, read and parse article files under ``paths`` (``outlet``: who published them all)."""
    found, problems = find_files(paths)
    report = parse_files(read_files(found), clean, outlet, registry)
    return ImportReport(report.articles, tuple(problems) + report.problems, report.files, report.undated)
