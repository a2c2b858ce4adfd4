"""The browsable archive: a static site of every past briefing, its stories and their threads.

Layout of the site folder (all links relative, so it works opened from disk and on any
static host; the email's "view in browser" link is ``{base_url}/briefings/{date}.html``)::

    index.html                         every briefing, newest first, grouped by month
    briefings/YYYY-MM-DD.html          one briefing, the web version of the email
    stories/<story-id>/YYYY-MM-DD.html one story as it stood on one day (its permalink)
    feed.atom                          Atom feed of the briefings, full content
    search.html                        the search form (results come from ``briefing.py serve``)
    style.css

A story that continues over several days keeps its id, so the same id across dates is
one thread: each story page links the thread's earlier and later days.

Rendering is pure (briefings in, ``{path: text}`` out); :func:`write_site` is the only
I/O, writing each changed file through a temporary file and ``os.replace`` so a reader
of a served site never sees half a page.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import re
import secrets
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from archive.search import SearchResult
from core.models import Briefing, Story
from templates.render import count_line, format_time, long_date as _long_date
from templates.storyview import feed_health, story_view

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"
ATOM = "http://www.w3.org/2005/Atom"
MANIFEST = ".site-files.json"  # the files the last generation wrote, so stale ones can go


@dataclass(frozen=True)
class ThreadDay:
    """One day of a story thread: the date it appeared and its headline that day."""

    date: str
    headline: str


# A year of briefings names each date on hundreds of pages (thread lists, pagers).
long_date = functools.lru_cache(maxsize=8192)(_long_date)


# ---- paths -----------------------------------------------------------------------------

_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def story_slug(story_id: str) -> str:
    """A story id made safe as one path segment (ids come from stored data, not trusted)."""
    slug = _SLUG_UNSAFE.sub("_", story_id).strip("_")[:80]
    return slug or "story"


def briefing_path(date: str) -> str:
    """Path of a briefing's page, relative to the site root."""
    return f"briefings/{date}.html"


def story_path(story_id: str, date: str) -> str:
    """Path of a story's permalink page for one day, relative to the site root."""
    return f"stories/{story_slug(story_id)}/{date}.html"


def story_url(base_url: str, story_id: str, date: str) -> str:
    """The public permalink of a story on a date under ``base_url`` ('' without a base URL)."""
    base = (base_url or "").strip().rstrip("/")
    return f"{base}/{story_path(story_id, date)}" if base else ""


# ---- threads ---------------------------------------------------------------------------

def story_threads(briefings: Iterable[Briefing]) -> dict[str, tuple[ThreadDay, ...]]:
    """For each story id, the days it appeared on (oldest first): the story's thread."""
    days: dict[str, dict[str, str]] = defaultdict(dict)
    for briefing in briefings:
        for story in briefing.stories:
            days[story.id][briefing.date] = story.headline
    return {sid: tuple(ThreadDay(d, h) for d, h in sorted(by_date.items())) for sid, by_date in days.items()}


def thread_neighbours(thread: Sequence[ThreadDay], date: str) -> tuple[ThreadDay | None, ThreadDay | None]:
    """The thread's day just before and just after ``date`` (None at either end)."""
    earlier = [d for d in thread if d.date < date]
    later = [d for d in thread if d.date > date]
    return (earlier[-1] if earlier else None, later[0] if later else None)


# ---- rendering -------------------------------------------------------------------------

def _environment() -> jinja2.Environment:
    # Autoescape on every template, whatever its name: all text here came from feeds.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


_ENV = _environment()


def _story_view(story: Story, date: str, zone: str, thread: Sequence[ThreadDay], root: str) -> dict:
    before, after = thread_neighbours(thread, date)
    view = story_view(story, zone)
    view.update({
        "id": story.id,
        "anchor": story_slug(story.id),
        "developing": story.developing or before is not None,
        "href": root + story_path(story.id, date),
        "briefing_href": root + briefing_path(date),
        "date": date,
        "long_date": long_date(date),
        "before": _day_link(before, story.id, root),
        "after": _day_link(after, story.id, root),
        "thread": [dict(_day_link(d, story.id, root), current=d.date == date) for d in thread]
        if len(thread) > 1 else [],
    })
    return view


def _day_link(day: ThreadDay | None, story_id: str, root: str) -> dict | None:
    if day is None:
        return None
    return {"date": day.date, "long_date": long_date(day.date), "headline": day.headline,
            "href": root + story_path(story_id, day.date)}


def _briefing_view(briefing: Briefing, zone: str, threads: Mapping[str, Sequence[ThreadDay]], root: str) -> dict:
    return {
        "date": briefing.date,
        "title": briefing.title,
        "long_date": long_date(briefing.date),
        "count_line": count_line(len(briefing.stories)),
        "generated": format_time(briefing.generated, zone),
        "stories": [_story_view(s, briefing.date, zone, threads.get(s.id, ()), root) for s in briefing.stories],
        "href": root + briefing_path(briefing.date),
        "feed_health": feed_health(briefing.feed_notes),
    }


def render_briefing_page(briefing: Briefing, threads: Mapping[str, Sequence[ThreadDay]],
                         zone: str = "UTC", neighbours: tuple[str | None, str | None] = (None, None)) -> str:
    """The web page of one briefing (the email's content, for phone and desktop)."""
    root = "../"
    older, newer = neighbours
    return _ENV.get_template("briefing.html.j2").render(
        root=root, page_title=f"{briefing.title} · {long_date(briefing.date)}",
        briefing=_briefing_view(briefing, zone, threads, root),
        older={"href": root + briefing_path(older), "long_date": long_date(older)} if older else None,
        newer={"href": root + briefing_path(newer), "long_date": long_date(newer)} if newer else None)


def render_story_page(briefing: Briefing, story: Story, threads: Mapping[str, Sequence[ThreadDay]],
                      zone: str = "UTC") -> str:
    """The permalink page of one story on the date of ``briefing``, with its thread's days."""
    root = "../../"
    view = _story_view(story, briefing.date, zone, threads.get(story.id, ()), root)
    return _ENV.get_template("story.html.j2").render(
        root=root, page_title=f"{story.headline} · {long_date(briefing.date)}", story=view,
        briefing_title=briefing.title)


def render_index(briefings: Sequence[Briefing], title: str = "Diplomacy briefing") -> str:
    """The index of every briefing, newest first, grouped by month."""
    months: dict[str, list[dict]] = {}
    for b in sorted(briefings, key=lambda b: b.date, reverse=True):
        month = datetime.strptime(b.date, "%Y-%m-%d").strftime("%B %Y")
        months.setdefault(month, []).append({
            "href": briefing_path(b.date), "long_date": long_date(b.date), "count_line": count_line(len(b.stories)),
            "headlines": [s.headline for s in b.stories[:3]],
        })
    return _ENV.get_template("index.html.j2").render(root="", page_title=f"{title} · archive", title=title,
                                                      months=list(months.items()))


def render_search_page(query: str = "", since: str = "", until: str = "",
                       results: Sequence[SearchResult] | None = None, title: str = "Diplomacy briefing",
                       error: str = "") -> str:
    """The search page: the form, and the results when a search was made (``results`` not None)."""
    hits = [{"href": story_path(r.story_id, r.date), "headline": r.headline, "long_date": long_date(r.date),
             "outlets": r.outlets, "snippet": list(r.snippet)} for r in results or ()]
    return _ENV.get_template("search.html.j2").render(
        root="", page_title=f"Search · {title}", title=title, query=query, since=since, until=until,
        searched=results is not None, results=hits, error=error)


def _content_html(briefing: Briefing, zone: str, threads: Mapping[str, Sequence[ThreadDay]], root: str) -> str:
    """The briefing's stories as an HTML fragment (the Atom entry's content)."""
    return _ENV.get_template("feed_content.html.j2").render(
        briefing=_briefing_view(briefing, zone, threads, root))


def _atom_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


FEED_ID_FILE = "feed-id"


def feed_key(home: Path, base_url: str = "") -> str:
    """What makes this install's feed and entry ids its own (RFC 4287 4.2.6: universally unique).

    The site's base URL when one is set; else an id made once per install and kept in the
    home (``feed-id``), so that two installs with the default title never publish the same
    ids, and one install's ids stay the same from one build to the next.
    """
    base = (base_url or "").strip().rstrip("/")
    if base:
        return base
    path = Path(home) / FEED_ID_FILE
    try:
        kept = path.read_text(encoding="ascii").strip()
        return str(uuid.UUID(kept))
    except (OSError, ValueError):
        pass
    made = str(uuid.uuid4())
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temp.write_text(made + "\n", encoding="ascii")
    os.replace(temp, path)
    return made


def _feed_id(key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"briefing-feed:{key}").urn


def _entry_id(key: str, date: str) -> str:
    # Stable across rebuilds: readers use the id to tell a new entry from an update.
    return uuid.uuid5(uuid.NAMESPACE_URL, f"briefing:{key}:{date}").urn


def render_feed(briefings: Sequence[Briefing], threads: Mapping[str, Sequence[ThreadDay]], zone: str = "UTC",
                base_url: str = "", title: str = "Diplomacy briefing", limit: int = 30, key: str = "") -> str:
    """An Atom feed of the newest briefings with their full content as escaped HTML.

    ``key`` makes the ids this install's own (``feed_key``); by default the base URL.

    Built with ElementTree, so every feed-supplied string is XML-escaped once more on
    top of the HTML escaping of the content. Links are absolute under ``base_url`` when
    one is set, else relative to the feed (which works from disk and any host).
    """
    base = (base_url or "").strip().rstrip("/")
    prefix = f"{base}/" if base else ""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    newest = sorted(briefings, key=lambda b: b.date, reverse=True)[:limit]
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    key = key or base or title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _feed_id(key)
    updated = max((b.generated for b in newest), default=datetime(1970, 1, 1, tzinfo=timezone.utc),
                  key=lambda m: _atom_time(m))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _atom_time(updated)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = title
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=f"{prefix}index.html")
    if base:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=f"{prefix}feed.atom")
    for b in newest:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        top = b.stories[0].headline if b.stories else "No major developments"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{long_date(b.date)}: {top}"
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _entry_id(key, b.date)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _atom_time(b.generated)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=prefix + briefing_path(b.date))
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = count_line(len(b.stories)) + (
            ": " + "; ".join(s.headline for s in b.stories[:5]) if b.stories else "")
        content = ET.SubElement(entry, f"{{{ATOM}}}content", type="html")
        content.text = _content_html(b, zone, threads, prefix)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def render_site(briefings: Sequence[Briefing], zone: str = "UTC", base_url: str = "",
                title: str = "Diplomacy briefing", key: str = "") -> dict[str, str]:
    """Every file of the site, as ``{relative path: text}``; ``key`` as for ``render_feed``."""
    ordered = sorted(briefings, key=lambda b: b.date)
    threads = story_threads(ordered)
    files: dict[str, str] = {
        "index.html": render_index(ordered, title),
        "search.html": render_search_page(title=title),
        "feed.atom": render_feed(ordered, threads, zone, base_url, title, key=key),
        "style.css": (TEMPLATES / "style.css").read_text(encoding="utf-8"),
    }
    for i, b in enumerate(ordered):
        older = ordered[i - 1].date if i > 0 else None
        newer = ordered[i + 1].date if i + 1 < len(ordered) else None
        files[briefing_path(b.date)] = render_briefing_page(b, threads, zone, (older, newer))
        for story in b.stories:
            files[story_path(story.id, b.date)] = render_story_page(b, story, threads, zone)
    return files


# ---- writing ---------------------------------------------------------------------------

def write_site(site_dir: Path, files: Mapping[str, str]) -> int:
    """Write the site's files into ``site_dir``; return how many changed.

    Each changed file goes through a temporary file and ``os.replace`` (a reader sees the
    old page or the new one); files an earlier generation wrote and this one does not
    are removed. Files someone else put in the folder are left alone.
    """
    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    changed = 0
    for rel, text in files.items():
        target = site_dir / rel
        data = text.encode("utf-8")
        try:
            if target.read_bytes() == data:
                continue
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        temp.write_bytes(data)
        os.replace(temp, target)
        changed += 1
    manifest = site_dir / MANIFEST
    try:
        previous = set(json.loads(manifest.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        previous = set()
    for rel in sorted(previous - set(files)):
        stale = site_dir / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            continue  # never follow a tampered manifest out of the folder
        try:
            stale.unlink()
            changed += 1
        except OSError:
            pass
        for parent in stale.parents:
            if parent == site_dir or site_dir not in parent.parents:
                break
            try:
                parent.rmdir()  # only succeeds when empty
            except OSError:
                break
    temp = site_dir / f".{MANIFEST}.{secrets.token_hex(4)}.tmp"
    temp.write_text(json.dumps(sorted(files)), encoding="utf-8")
    os.replace(temp, manifest)
    return changed


def load_archive(archive_dir: Path) -> list[Briefing]:
    """Every briefing in the archive folder, oldest first (unreadable ones are skipped, logged)."""
    from archive.briefings import briefing_from_json

    found = []
    archive_dir = Path(archive_dir)
    if not archive_dir.is_dir():
        return []
    for entry in sorted(archive_dir.iterdir()):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.name):
            continue
        try:
            found.append(briefing_from_json(json.loads((entry / "briefing.json").read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("archive %s: cannot read briefing.json (%s); left out of the site", entry.name, exc)
    return found


def build_site(archive_dir: Path, site_dir: Path, zone: str = "UTC", base_url: str = "",
               title: str = "Diplomacy briefing") -> int:
    """Regenerate the site folder from the archive; return how many files changed.

    The feed's ids come from ``feed_key``: the base URL, else the id kept beside the archive.
    """
    briefings = load_archive(archive_dir)
    key = feed_key(Path(archive_dir).parent, base_url)
    changed = write_site(site_dir, render_site(briefings, zone, base_url, title, key))
    log.info("site %s: %d briefings, %d files changed", site_dir, len(briefings), changed)
    return changed
