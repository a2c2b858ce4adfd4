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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

from core.errors import InputError
from core.models import Article
from feeds.clean import CleanOptions, clean_page_text, repeated_lines
from feeds.store import text_id
from feeds.textdates import find_publication_time, parse_datetime
from feeds.urls import canonical_url

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
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{file.path}: not UTF-8 text (byte 0x{file.data[exc.start]:02x} at offset {exc.start});"
                         " save it as UTF-8") from None
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > 40:
        raise InputError(f"{file.path}: binary data, not a text file")
    return text


# A wire-service dateline names the outlet: "ISTANBUL (Reuters) -", "PARIS (AFP) —".
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{1,40}\s\(([A-Z][\w&.' -]{1,30})\)\s*[-–—]")
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?:[-–]\s*\d{4}\s*)?([A-Z][\w&.' -]{2,40}?)"
                        r"(?:[.,]|\s+(?:LLC|Ltd|Inc|Limited|All rights)\b|$)", re.IGNORECASE)


def guess_outlet(lines: Sequence[str]) -> str | None:
    """The outlet named by the page itself: a wire dateline or a copyright line."""
    for line in lines[:40]:
        match = _DATELINE.match(line.strip())
        if match:
            return match.group(1).strip()
    for line in reversed(lines[-40:]):
        match = _COPYRIGHT.search(line)
        if match and len(line) < 200:
            return match.group(1).strip().title() if match.group(1).isupper() else match.group(1).strip()
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
    return _Page(file.path, title, body, None, guess_outlet(lines[1:]), find_publication_time(lines[1:]),
                 file.modified, "content")


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
    url = meta.get("source") or None
    published = parse_datetime(meta["date"]) if meta.get("date") else None
    outlet = meta.get("sitename") or meta.get("source-hostname") or _host(url) or Path(file.path).stem
    return _make(file, title or Path(file.path).stem, body, url, outlet, published, "metadata")


def _make(file: ArticleFile, title: str, text: str, url: str | None, outlet: str | None,
          published: datetime | None, found_in: str) -> Article:
    url = url.strip() if isinstance(url, str) and url.strip() else None
    if url and urlsplit(url).scheme not in ("http", "https"):
        url = None
    return Article(
        id=canonical_url(url) if url else text_id(text),
        title=" ".join(title.split()),
        text=text,
        outlet=(outlet or Path(file.path).stem).strip(),
        published=published or file.modified,
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
    title = record.get("title") if isinstance(record.get("title"), str) else ""
    published = None
    if record.get("published"):
        published = parse_datetime(str(record["published"]))
        if published is None:
            raise InputError(f"{where}: \"published\" is not a date: {record['published']!r}")
    source = record.get("source") if isinstance(record.get("source"), str) else None
    url = record.get("url") if isinstance(record.get("url"), str) else None
    return _Page(where, title or "", text, url, source or _host(url), published, file.modified, "metadata")


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
        site = _host(page.url) or page.outlet
        if site:
            by_site[site].append(page)
    furniture = {site: repeated_lines([p.body for p in group]) for site, group in by_site.items() if len(group) > 1}
    for page in pages:
        site_lines = furniture.get(_host(page.url) or page.outlet or "", frozenset())
        body = clean_page_text(page.body, title=page.title, site_lines=site_lines, options=clean)
        if not body.strip():
            problems.append(f"{page.path}: nothing left that reads like an article after removing page furniture")
            continue
        file = ArticleFile(page.path, b"", page.modified)
        articles.append(_make(file, page.title or body.splitlines()[0][:120], body, page.url, page.outlet,
                              page.published, page.published_from))
    return ImportReport(tuple(articles), tuple(problems), count)


def import_paths(paths: Iterable[str | Path], clean: CleanOptions = CleanOptions()) -> ImportReport:
    """Find, read and parse article files under ``paths``."""
    found, problems = find_files(paths)
    report = parse_files(read_files(found), clean)
    return ImportReport(report.articles, tuple(problems) + report.problems, report.files)
