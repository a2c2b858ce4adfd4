"""Ingestion over every real and broken feed of ../shared/eval/feeds, counts compared with feedparser.

    python -m bench.feeds_corpus                         # every file, summary and problems
    python -m bench.feeds_corpus --json /tmp/feeds.json  # also every file's figures

Each file is served from a loopback HTTP server and fetched by ``feeds.fetch.fetch_feeds``
(the product's fetch, parse and article code; linked pages off), and the articles go into
a fresh store. For each file the entries feedparser itself finds (for a JSON Feed: its
items) are compared with what was stored:

* ``stored``     articles of the file found in the store afterwards;
* ``empty``      entries with no title, no text and no link: nothing to show, not stored;
* ``same id``    entries that are one article with an earlier entry of the same file: the same
                 link (or, when the file shares that link among different items, the same guid,
                 else the same text) - ``feeds.entries.with_keys``.

"Nothing lost" means feedparser's count = stored + empty + same id for every file, and
every failure is reported with the file and the reason. Files that are not feeds (the
expected-output JSON of rss-parser's tests, the test suites' Python and Markdown) are
skipped and counted.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

import feedparser

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "eval" / "feeds"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".json", ".rdf"}
# rss-parser keeps the parse it expects for each input in test/output, and feed-rs in
# *.serde.json next to each fixture; those are a parser's expected output, not feeds.
NOT_FEEDS = ("rss-parser/test/output/",)
NOT_FEED_SUFFIXES = (".serde.json",)


@dataclass
class FileFigures:
    """One feed file's outcome."""

    path: str
    status: str
    feedparser_entries: int
    our_entries: int = 0
    articles: int = 0
    stored: int = 0
    empty: int = 0
    same_id: int = 0
    error: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Entries feedparser found that are neither stored nor explained."""
        return max(self.feedparser_entries - self.stored - self.empty - self.same_id, 0)

    @property
    def unexplained(self) -> int:
        """Articles stored beyond what feedparser's count explains (should be 0: an id scheme that
        splits one entry in two, or a count that does not add up)."""
        return max(self.stored + self.empty + self.same_id - self.feedparser_entries, 0)


def feed_files(corpus: Path = CORPUS) -> tuple[list[Path], int]:
    """The files to try, and how many files were skipped as not feeds."""
    files, skipped = [], 0
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus).as_posix()
        if (path.suffix.lower() in FEED_SUFFIXES and not rel.startswith(NOT_FEEDS)
                and not rel.endswith(NOT_FEED_SUFFIXES)):
            files.append(path)
        else:
            skipped += 1
    return files, skipped


def reference_count(data: bytes, suffix: str) -> int:
    """How many entries feedparser finds (for a JSON Feed, how many items it lists)."""
    if suffix == ".json":
        try:
            items = json.loads(data.decode("utf-8-sig")).get("items")
        except (ValueError, AttributeError, UnicodeDecodeError):
            return 0
        return sum(isinstance(item, dict) for item in items) if isinstance(items, list) else 0
    return len(feedparser.parse(data).entries)


def ingest(files: list[Path], corpus: Path = CORPUS) -> list[FileFigures]:
    """Serve ``files`` on loopback, fetch them all with the product's code, store the articles."""
    sys.path.insert(0, str(ROOT))
    from feeds.fetch import FeedSpec, FetchOptions, fetch_feeds
    from feeds.store import Store
    from tests.httpserver import LoopbackServer, Route

    by_path = {"/" + quote(p.relative_to(corpus).as_posix()): p for p in files}

    def serve(request):
        path = by_path.get(request.path)
        if path is None:
            return Route(404, {}, b"")
        kind = "application/feed+json" if path.suffix == ".json" else "application/xml"
        return Route(200, {"Content-Type": kind}, path.read_bytes())

    class _All(dict):
        def get(self, key, default=None):
            return serve

    options = FetchOptions(allow_private=True, fetch_pages=False, timeout=30, concurrency=16)
    with LoopbackServer() as server, tempfile.TemporaryDirectory() as tmp:
        server.routes = _All()
        specs = [FeedSpec(server.url(path)) for path in by_path]
        results = fetch_feeds(specs, {}, options)
        store = Store.open(Path(tmp) / "corpus.db")
        try:
            figures = []
            for path, result in zip(by_path.values(), results):
                data = path.read_bytes()
                rel = path.relative_to(corpus).as_posix()
                row = FileFigures(rel, result.status, reference_count(data, path.suffix.lower()),
                                  error=result.error or "", problems=list(result.problems))
                store.add_articles(result.articles)
                ids = {a.id for a in result.articles}
                row.articles = len(result.articles)
                row.stored = len(store.articles_by_id(ids))
                if result.status == "ok":
                    _explain(row, data, result.url)
                figures.append(row)
        finally:
            store.close()
    return figures


def _explain(row: FileFigures, data: bytes, url: str) -> None:
    """Count the entries of a parsed file that are empty or repeat an earlier entry's id."""
    from feeds.entries import entry_id
    from feeds.parse import parse_feed

    kind = "application/feed+json" if row.path.endswith(".json") else "application/xml"
    parsed = parse_feed(data, url, kind)
    row.our_entries = len(parsed.entries)
    seen: set[str] = set()
    for entry in parsed.entries:
        if not (entry.title or entry.text or entry.link):
            row.empty += 1
            continue
        ident = entry_id(entry)
        if ident in seen:
            row.same_id += 1
        seen.add(ident)


def summary(figures: list[FileFigures], skipped: int) -> dict:
    """The figures of the whole run."""
    status = Counter(f.status for f in figures)
    crashes = [f for f in figures if "unexpected error" in f.error]
    json_files = [f for f in figures if f.path.endswith(".json")]
    return {
        "files tried": len(figures),
        "files skipped (not feeds)": skipped,
        "ok": status["ok"], "failed": status["failed"],
        "crashes": len(crashes),
        "feedparser entries": sum(f.feedparser_entries for f in figures),
        "our entries": sum(f.our_entries for f in figures),
        "articles stored": sum(f.stored for f in figures),
        "empty entries (not stored)": sum(f.empty for f in figures),
        "repeated ids within a file": sum(f.same_id for f in figures),
        "entries lost": sum(f.lost for f in figures),
        "files losing entries": sum(1 for f in figures if f.lost),
        "files whose counts do not add up": sum(1 for f in figures if f.unexplained),
        "failed files where feedparser found entries": sum(1 for f in figures
                                                           if f.status == "failed" and f.feedparser_entries),
        "JSON feeds": f"{sum(1 for f in json_files if f.status == 'ok')} of {len(json_files)} parsed",
    }


def main(argv: list[str] | None = None) -> int:
    """Run the corpus, print the summary and every problem; exit 1 on a crash or a lost entry."""
    parser = argparse.ArgumentParser(prog="python -m bench.feeds_corpus", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--json", type=Path, help="write every file's figures here")
    parser.add_argument("--quiet", action="store_true", help="only the summary, not each failed file")
    args = parser.parse_args(argv)
    # Each failed file is listed once below; the fetch's own log line for it would repeat it.
    logging.getLogger("feeds.fetch").setLevel(logging.ERROR)
    files, skipped = feed_files(args.corpus)
    figures = ingest(files, args.corpus)
    totals = summary(figures, skipped)
    for key, value in totals.items():
        print(f"{key}: {value}")
    if not args.quiet:
        print("\nfailed files (feed: reason):")
        for f in figures:
            if f.status == "failed":
                print(f"  {f.path}: {f.error.split(': ', 1)[-1][:160]}  [feedparser found {f.feedparser_entries}]")
        lost = [f for f in figures if f.lost]
        if lost:
            print("\nfiles where entries feedparser found were not stored:")
            for f in lost:
                print(f"  {f.path}: feedparser {f.feedparser_entries}, stored {f.stored}, empty {f.empty}, "
                      f"same id {f.same_id}, status {f.status} {f.error[:120]}")
    if args.json:
        args.json.write_text(json.dumps({"summary": totals, "files": [asdict(f) | {"lost": f.lost} for f in figures]},
                                        indent=1) + "\n")
    return 1 if totals["crashes"] or totals["entries lost"] or totals["files whose counts do not add up"] else 0


if __name__ == "__main__":
    sys.exit(main())
