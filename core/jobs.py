"""The jobs the command line runs: each connects the stages to the store and the archive.

A job takes the options object and returns a small result record; the command line
only prints it. Inputs that fail (a feed, a file) are reported in the result and never
stop the job.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from core.models import Article, Briefing, FeedNote, Story
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


@dataclass(frozen=True)
class BuildResult:
    """A built briefing and where it was written."""

    briefing: Briefing
    folder: Path
    out: Path | None = None
    considered: int = 0
    off_topic: int = 0
    problems: tuple[str, ...] = field(default_factory=tuple)
    kept: bool = False  # True when the day's briefing was already current and was kept


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


def _window_end(date: str, tz: ZoneInfo, now: datetime) -> datetime:
    day = datetime.strptime(date, "%Y-%m-%d").date()
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz) - timedelta(seconds=1)
    return min(end.astimezone(timezone.utc), now)


def made_with(options: Options, since_hours: float | None) -> str:
    """A fingerprint of everything besides the articles that shapes a briefing."""
    import dataclasses
    import hashlib
    import json

    shaping = {name: dataclasses.asdict(options.sections[name])
               for name in ("briefing", "grouping", "dedup", "summary")}
    profile = Path(options.briefing.topic_profile)
    if profile.suffix == ".toml" and profile.is_file():
        shaping["profile"] = hashlib.sha256(profile.read_bytes()).hexdigest()
    shaping["since_hours"] = since_hours
    shaping["outlets"] = [dataclasses.asdict(o) for o in options.outlets]  # the user's registry entries
    blob = json.dumps(shaping, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def briefing_date(options: Options, date: str | None, now: datetime | None = None) -> str:
    """The briefing's date: the one given, else today in the configured time zone."""
    now = now or now_utc()
    return date or now.astimezone(ZoneInfo(options.briefing.timezone)).strftime("%Y-%m-%d")


def current_briefing(options: Options, date: str | None = None,
                     since_hours: float | None = None) -> BuildResult | None:
    """The day's archived briefing when building again would make the same one, else None.

    That is when no article was stored after it was made and the options that shape a
    briefing are unchanged: a second ``run`` on a day when every feed answers "not
    modified" keeps the briefing instead of spending half a minute remaking it.
    """
    from archive.briefings import load_briefing

    date = briefing_date(options, date)
    store = open_store(options)
    try:
        row = store.conn.execute("SELECT generated, made_with FROM briefings WHERE date = ?", (date,)).fetchone()
        if row is None or row["made_with"] != made_with(options, since_hours):
            return None
        if store.articles_added_after(datetime.fromisoformat(row["generated"])):
            return None
    finally:
        store.close()
    briefing = load_briefing(options.archive_dir, date)
    if briefing is None:
        return None
    return BuildResult(briefing, options.archive_dir / date, kept=True)


def _timed(stage: str, began: float) -> float:
    """Log at INFO how long a stage took since ``began`` (``bench/day.py`` reads these); return now."""
    now = time.perf_counter()
    log.info("stage %s: %.2f s", stage, now - began)
    return now


def build(options: Options, date: str | None = None, since_hours: float | None = None,
          out: Path | None = None, now: datetime | None = None) -> BuildResult:
    """Build the briefing of ``date`` (default: today in the configured time zone), archive it.

    Without ``since_hours`` the briefing covers the articles stored since the previous
    briefing was made; with it, those published in the last ``since_hours`` hours.
    """
    from archive.briefings import (load_briefing, previous_briefing, save_briefing, story_dates,
                                   write_briefing_files)
    from archive.search import index_briefing
    from feeds.outlets import name_articles, registry_with
    from summarize.group import group_articles
    from summarize.stories import make_story, members_by_story, rank_stories
    from summarize.topic import combine_scores, is_relevant, load_profile, score_article
    from templates.render import render_email

    general = options.briefing
    tz = ZoneInfo(general.timezone)
    now = now or now_utc()
    date = briefing_date(options, date, now)
    end = _window_end(date, tz, now)
    profile = load_profile(general.topic_profile)

    store = open_store(options)
    began = time.perf_counter()
    try:
        if since_hours is not None:
            window = store.articles(published_after=end - timedelta(hours=since_hours), published_until=end)
            window_start = end - timedelta(hours=since_hours)
        else:
            prev = previous_briefing(store.conn, date)
            added_after = datetime.fromisoformat(prev["generated"]) if prev else None
            window = store.articles(added_after=added_after, published_until=end)
            window_start = added_after
        registry = registry_with(options.outlets)
        began = _timed("load", began)
        # Each article is scored once; stories combine their members' scores.
        topic_of = {a.id: score_article(a, profile) for a in window}
        relevant = [a for a in window if is_relevant(topic_of[a.id], profile)]
        off_topic = len(window) - len(relevant)
        began = _timed("topic", began)

        # Stories already known (from earlier days) are the context new articles may continue.
        # Only articles already in a story can be context (the others were off topic), so only
        # those are loaded: a week of 30,000-article days is 200,000 articles otherwise.
        context_start = end - timedelta(hours=general.context_hours)
        context, previous = store.grouped_articles(published_after=context_start, published_until=end)
        # One name per outlet across the briefing and the stories it continues.
        named = name_articles(relevant + context, registry)
        relevant, context = named[:len(relevant)], named[len(relevant):]
        previous.update(store.story_assignments([a.id for a in relevant]))
        known = {a.id: a for a in context}
        pool = list(known.values()) + [a for a in relevant if a.id not in known]
        story_of = group_articles(pool, previous=previous, options=options.grouping)
        store.assign_stories({k: v for k, v in story_of.items() if k not in previous})
        began = _timed("group", began)

        groups = members_by_story(relevant, story_of)
        earlier = story_dates(store.conn, list(groups), date)
        window_ids = {a.id for a in window}
        sent_before = _sent_sentences(options.archive_dir, earlier, load_briefing)
        # Stories with members published before this window continue from earlier days.
        continuing = {story_of[a.id] for a in pool if a.id not in window_ids and a.id in story_of}
        stories = []
        for outline in shown_stories(groups, general.min_sources, general.max_stories, now,
                                     lambda members: combine_scores([topic_of[a.id] for a in members])):
            story_id, members = outline.id, groups[outline.id]
            stories.append(make_story(story_id, members, outline.topic_score, options.summary,
                                      developing=story_id in continuing or bool(earlier.get(story_id)),
                                      previous_dates=earlier.get(story_id, ()), dedup=options.dedup,
                                      seen=sent_before.get(story_id, ()), outlets=registry))
        ranked = tuple(rank_stories(stories, now)[: general.max_stories])
        began = _timed("stories", began)
        last = previous_briefing(store.conn, date)
        notes = feed_notes(store, options.feeds, datetime.fromisoformat(last["generated"]) if last else None)
        briefing = Briefing(date=date, stories=ranked, generated=now, title=general.title, feed_notes=notes)
        email = render_email(briefing, general.timezone)
        began = _timed("render", began)
        folder = save_briefing(options.archive_dir, briefing, email, store.conn, window_start,
                               made_with=made_with(options, since_hours))
        index_briefing(store.conn, briefing)
        if out is not None:
            write_briefing_files(Path(out), briefing, email)
        began = _timed("archive", began)
        problems = update_site(options)
        _timed("site", began)
        return BuildResult(briefing, folder, Path(out) if out else None, len(window), off_topic,
                           problems=problems)
    finally:
        store.close()


def feed_notes(store: Store, feeds: Sequence, since: datetime | None) -> tuple[FeedNote, ...]:
    """The feeds the briefing's reader should know about, in feed-list order: those whose
    last fetch failed (still failing, so their articles are missing), those paused (410
    Gone, until resumed) and those that moved permanently since ``since`` (the previous
    briefing; every recorded move when there is none)."""
    from urllib.parse import urlsplit

    from feeds.guard import redact_url

    rows = store.feed_states()

    def name(spec_or_url) -> str:
        url = getattr(spec_or_url, "url", spec_or_url)
        return getattr(spec_or_url, "name", None) or urlsplit(url).hostname or redact_url(url)

    notes: list[FeedNote] = []
    for spec in feeds:
        row = rows.get(spec.url)
        if row is None:
            continue
        if row["paused"]:
            notes.append(FeedNote(name(spec), redact_url(spec.url), "paused", row["paused"]))
        elif row["failures"]:
            reason = row["last_error"] or row["last_status"] or "failed"
            if row["failures"] > 1:
                reason += f"; {row['failures']} failed fetches in a row"
            notes.append(FeedNote(name(spec), redact_url(spec.url), "failed", reason))
    by_url = {spec.url: spec for spec in feeds}
    for url, row in rows.items():
        if not row["moved_to"] or url in by_url:
            continue
        # A move at or before the previous briefing was reported in it (times are kept to the second).
        if since is not None and (not row["last_fetched"] or datetime.fromisoformat(row["last_fetched"]) <= since):
            continue
        moved_to = row["moved_to"]
        notes.append(FeedNote(name(by_url.get(moved_to, url)), redact_url(url), "moved", redact_url(moved_to)))
    return tuple(notes)


def shown_stories(groups: dict[str, list[Article]], min_sources: int, max_stories: int, now: datetime,
                  topic_score: Callable[[list[Article]], float]) -> list[Story]:
    """The stories the briefing can show, best first, as outlines (sources, update time and
    topic score; no headline or summary yet): ranked before anything is summarised.

    The rank needs only a story's outlets, last update and topic score, not its summary or
    headline; a 30,000-article day has thousands of stories, and summarising all of them
    took minutes for the twenty shown. Topic scores are computed only for stories that
    can still enter: stories are taken by their best possible rank (topic score at its
    cap) until that falls below the last place already filled. Stories tied with the last
    one shown are kept too, since the final rank breaks such ties by headline.
    """
    import heapq
    import math
    from dataclasses import replace

    from core.models import Source
    from summarize.stories import rank_score, rank_stories

    outlines = []
    for story_id, members in groups.items():
        if len({a.outlet for a in members}) < min_sources:
            continue
        outlines.append(Story(id=story_id, headline="", summary=(),
                              sources=tuple(Source(a.id, a.outlet, a.title, a.url, a.published,
                                                   published_from=a.published_from) for a in members),
                              updated=max(a.published for a in members), topic_score=math.inf))
    outlines.sort(key=lambda s: -rank_score(s, now))  # best possible rank first
    scored: list[Story] = []
    places: list[float] = []  # min-heap of the best max_stories exact scores so far
    for outline in outlines:
        if max_stories > 0 and len(places) >= max_stories and rank_score(outline, now) < places[0]:
            break
        story = replace(outline, topic_score=topic_score(groups[outline.id]))
        scored.append(story)
        heapq.heappush(places, rank_score(story, now))
        if max_stories > 0 and len(places) > max_stories:
            heapq.heappop(places)
    ranked = rank_stories(scored, now)
    if len(ranked) > max_stories > 0:
        last = ranked[max_stories - 1]
        tie = (rank_score(last, now), last.updated)
        ranked = ranked[:max_stories] + [s for s in ranked[max_stories:]
                                         if (rank_score(s, now), s.updated) == tie]
    return ranked


def _sent_sentences(archive_dir: Path, earlier: dict[str, tuple[str, ...]], load) -> dict[str, tuple[str, ...]]:
    """For each continuing story, its summary sentences in the last briefing that carried it."""
    briefings: dict[str, Briefing | None] = {}
    sent: dict[str, tuple[str, ...]] = {}
    for story_id, dates in earlier.items():
        if not dates:
            continue
        last = dates[-1]
        if last not in briefings:
            briefings[last] = load(archive_dir, last)
        found = briefings[last]
        for story in found.stories if found else ():
            if story.id == story_id:
                sent[story_id] = tuple(x.text for x in story.summary)
    return sent


def update_site(options: Options) -> tuple[str, ...]:
    """Regenerate the archive site; a failure is reported, the briefing stays built and archived."""
    from archive.site import build_site

    general = options.briefing
    try:
        build_site(options.archive_dir, options.site_dir, general.timezone, general.base_url, general.title)
    except OSError as exc:
        log.warning("site %s not updated: %s", options.site_dir, exc)
        return (f"the archive site in {options.site_dir} was not updated: {exc}",)
    return ()


def articles_of(options: Options) -> list[Article]:
    """Every stored article (for tests and tools)."""
    store = open_store(options)
    try:
        return store.articles()
    finally:
        store.close()
