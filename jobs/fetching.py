"""Jobs that bring articles in: fetch the feeds and import stored files into the store.

Each takes the options object and returns a small result record; the command line only
prints it. Inputs that fail (a feed, a file) are reported in the result and never stop the job.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.models import Article
from core.options import Options
from feeds.store import Store, now_utc

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class FetchReport:
    """What a fetch did: feeds that worked, feeds that failed (with why), new articles."""

    ok: int = 0
    not_modified: int = 0
    failed: tuple[tuple[str, str], ...] = ()
    new_articles: int = 0
    problems: tuple[str, ...] = ()
    # Feeds not fetched this run, with why: paused (410 Gone) or waiting (Retry-After, backoff).
    skipped: tuple[tuple[str, str], ...] = ()
    # Feeds that moved permanently: (old URL, new URL); the feed list now has the new one.
    moved: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """What an import did: files read, new articles stored, and each file's problem."""

    files: int = 0
    new_articles: int = 0
    seen_before: int = 0
    problems: tuple[str, ...] = ()
    undated: int = 0  # articles whose content states no publication time (see ImportReport)


def open_store(options: Options) -> Store:
    """The article store of this data directory (with the archive's tables migrated too)."""
    import archive.briefings  # noqa: F401  (registers the archive's migrations)
    import archive.search  # noqa: F401  (registers the search index's migration)
    return Store.open(options.db_path)


def fetch(options: Options, progress: Progress = None) -> FetchReport:
    """Fetch every configured feed and store the new articles; failures are reported, not raised.

    Feeds that are paused (the site answered 410 Gone) or waiting (a Retry-After, or
    backoff after repeated failures) are skipped and reported. A feed that moved
    permanently has its new address written into the feed list.
    """
    from feeds.fetch import FeedState, fetch_feeds, retry_at
    from feeds.guard import redact_url
    from feeds.outlets import name_articles, registry_with

    registry = registry_with(options.outlets)

    store = open_store(options)
    try:
        rows = store.feed_states()
        now = now_utc()
        due, skipped = [], []
        for spec in options.feeds:
            row = rows.get(spec.url)
            if row is not None and row["paused"]:
                skipped.append((redact_url(spec.url), f"paused: {row['paused']} (resume with: briefing.py feeds "
                                                      f"resume URL)"))
            elif row is not None and row["next_attempt"] and datetime.fromisoformat(row["next_attempt"]) > now:
                skipped.append((redact_url(spec.url), f"waiting until {row['next_attempt']} after "
                                                      f"{row['failures']} failure(s)"))
            else:
                due.append(spec)
        states = {url: FeedState(etag=row["etag"], modified=row["modified"]) for url, row in rows.items()}
        ok = not_modified = new = 0
        failed: list[tuple[str, str]] = []
        problems: list[str] = []
        moved: list[tuple[str, str]] = []
        storing = 0.0
        position = {spec.url: i for i, spec in enumerate(due)}
        failed_at: list[int] = []  # feed-list positions, to report in that order
        problems_at: list[int] = []

        def record(result) -> None:
            # Called as each feed finishes, so a day's articles are stored feed by feed
            # instead of all being held in memory until the last feed is in.
            nonlocal ok, not_modified, new, storing
            began_store = time.perf_counter()
            at = position.get(result.url, len(due))
            problems.extend(result.problems)
            problems_at.extend([at] * len(result.problems))
            if result.status == "failed":
                failed.append((redact_url(result.url), result.error or "failed"))
                failed_at.append(at)
                row = rows.get(result.url)
                failures = (row["failures"] if row is not None else 0) + 1
                store.record_fetch(result.url, ok=False, etag=None, modified=None, status="failed",
                                   error=result.error, http_status=result.http_status,
                                   next_attempt=retry_at(failures, now, options.fetch, result.retry_after),
                                   paused="410 Gone" if result.gone else None)
            else:
                # Articles first, then the validators: if we crash in between, the next
                # fetch repeats the request instead of skipping articles never stored.
                new += len(store.add_articles(name_articles(result.articles, registry)))
                store.record_fetch(result.url, ok=True, etag=result.state.etag, modified=result.state.modified,
                                   status=result.status, error=None, http_status=result.http_status)
                if result.new_url and result.new_url != result.url:
                    moved.append(_move_feed(options, store, result))
                if result.status == "not-modified":
                    not_modified += 1
                else:
                    ok += 1
            storing += time.perf_counter() - began_store

        began = time.perf_counter()
        fetch_feeds(due, states, options.fetch, progress=progress, known_ids=_StoredIds(store), on_result=record)
        # The store stage now runs inside the fetch, feed by feed; both are logged apart.
        log.info("stage fetch: %.2f s", time.perf_counter() - began - storing)
        log.info("stage store: %.2f s", storing)
        # Report in feed-list order (feeds finish in any order).
        failed = [item for _, item in sorted(zip(failed_at, failed), key=lambda pair: pair[0])]
        problems = [item for _, item in sorted(zip(problems_at, problems), key=lambda pair: pair[0])]
        return FetchReport(ok, not_modified, tuple(failed), new, tuple(problems), tuple(skipped), tuple(moved))
    finally:
        store.close()


def _move_feed(options: Options, store: Store, result) -> tuple[str, str]:
    """Follow a permanent redirect: the new address takes over the feed's state and its
    place in the feed list (comments and order kept), and the store remembers the move."""
    from feeds.feedlist import replace_feed_url
    from feeds.guard import redact_url

    store.record_move(result.url, result.new_url)
    store.record_fetch(result.new_url, ok=True, etag=result.state.etag, modified=result.state.modified,
                       status=result.status, error=None, http_status=result.http_status)
    try:
        replace_feed_url(options.config_path, result.url, result.new_url)
    except Exception as exc:  # the move is in the store and reported; the list can be edited by hand
        log.warning("could not update the feed list for %s: %s", redact_url(result.url), exc)
    return redact_url(result.url), redact_url(result.new_url)


class _StoredIds:
    """``id in stored`` asks the store, so known articles' pages are not fetched again."""

    def __init__(self, store: Store):
        self.store = store

    def __contains__(self, article_id: object) -> bool:
        return self.store.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None


def import_files(options: Options, paths: Sequence[str | Path], outlet: str | None = None) -> ImportResult:
    """Import stored article files and folders into the store (``outlet``: who published them all)."""
    from feeds.importer import import_paths
    from feeds.outlets import registry_with

    report = import_paths(paths, options.clean, outlet, registry_with(options.outlets))
    store = open_store(options)
    try:
        new = store.add_articles(report.articles)
    finally:
        store.close()
    return ImportResult(report.files, len(new), len(report.articles) - len(new), report.problems, report.undated)


def articles_of(options: Options) -> list[Article]:
    """Every stored article (for tests and tools)."""
    store = open_store(options)
    try:
        return store.articles()
    finally:
        store.close()
