"""The job that makes a briefing: stored articles through topic, grouping, summaries and
ranking, into the archive and the site.
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

from jobs.fetching import open_store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None] | None


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
    from summarize.reading import stored_reading
    from summarize.stories import make_story, members_by_story
    from summarize.standing import rank_stories, story_centrality
    from summarize.topic import is_relevant, load_profile, score_articles
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
        if not store.article_count():  # nothing ever imported or fetched: no "0 stories" briefing
            from core.errors import BriefingError
            raise BriefingError(f"the article store in {options.home} is empty: nothing was imported or fetched yet",
                             hint="import article files with `briefing.py import PATH`, or add a feed with "
                                  "`briefing.py feeds add URL` (or `briefing.py init`) and then `briefing.py fetch`")
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
        topic_of = dict(zip((a.id for a in window), score_articles(window, profile)))
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
        # Each article is read once: its reading is kept in the store (summarize.reading).
        story_of = group_articles(pool, previous=previous, options=options.grouping, read=stored_reading(store),
                                  kept=store)
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
                                     lambda members: story_centrality(members, [topic_of[a.id] for a in members],
                                                                      profile)):
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
    centrality; no headline or summary yet): ranked before anything is summarised. A story
    whose centrality falls below the bar (``summarize.standing.is_shown``) is left out.

    The rank needs only a story's outlets, last update and topic score, not its summary or
    headline; a 30,000-article day has thousands of stories, and summarising all of them
    took minutes for the twenty shown. Centralities are computed only for stories that
    can still enter: stories are taken by their best possible rank (centrality at its
    cap, every article its own report) until that falls below the last place already
    filled. Stories tied with the last one shown are kept too, since the final rank breaks
    such ties by headline.
    """
    import heapq
    from dataclasses import replace

    from core.models import Source
    from summarize.standing import is_shown, rank_score, rank_stories

    outlines = []
    for story_id, members in groups.items():
        if len({a.outlet for a in members}) < min_sources:
            continue
        outline = Story(id=story_id, headline="", summary=(),
                        sources=tuple(Source(a.id, a.outlet, a.title, a.url, a.published,
                                             published_from=a.published_from) for a in members),
                        updated=max(a.published for a in members), topic_score=1.0)
        # The best rank the story could reach: full centrality, and each article its own
        # report (once made, copies of a wire's text may be credited to the wire).
        apart = tuple(replace(source, outlet=source.article_id) for source in outline.sources)
        outlines.append((rank_score(replace(outline, sources=apart), now), outline))
    outlines.sort(key=lambda pair: -pair[0])  # best possible rank first
    scored: list[Story] = []
    places: list[float] = []  # min-heap of the best max_stories exact scores so far
    for best, outline in outlines:
        if max_stories > 0 and len(places) >= max_stories and best < places[0]:
            break
        story = replace(outline, topic_score=topic_score(groups[outline.id]))
        if not is_shown(story, groups[outline.id]):
            continue
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
