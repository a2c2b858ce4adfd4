"""What a reader sees of a story, shared by the email and the archive pages.

Pure functions from a ``Story`` to plain view data for the templates:

- each summary sentence followed by its outlet (linked to the article) in HTML and by a
  numbered marker ``[n]`` in plain text, the numbers matching the story's sources list;
- the sources list in the order the summary cites them, wire copies named under the
  wire ("also carried by ...");
- the diversity line: how many outlets and countries reported the story, and whether
  it rests on one wire report;
- the update time, from real publication dates only (never a file's modification time
  or the moment of fetching), and a date without a time when only the day is known.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from core.models import FeedNote, Source, Story
from feeds.outlets import UNKNOWN

log = logging.getLogger(__name__)

# Where a time came from when it is only a guess: shown as a publication time it would
# be false (a folder of files imported on 2 December read "Updated 2 Dec" for 2022 events).
GUESSED_DATES = frozenset({"file-mtime", "fetched"})
WIRE_KINDS = frozenset({"wire", "agency"})
# A cite label longer than this may wrap; shorter ones never break inside the name.
NOWRAP_LABEL = 28
CARRIERS_NAMED = 3
FEED_NOTES_SHOWN = 4
REASON_CHARS = 90


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link, else None (no javascript:, data:, relative)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch in url for ch in "\"'<> \n\r\t"):
        return None
    return url


def format_time(moment: datetime, zone: str) -> str:
    """A moment as readers see it: '24 Jun 2025, 15:12 UTC'."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def date_only(moment: datetime) -> bool:
    """True when a time is exactly midnight UTC: a date found in text ("on 16 May") carries
    no time of day, and showing it as "00:00 UTC" (or 20:00 the day before in New York)
    would state a time nobody published."""
    return _utc(moment).time() == datetime.min.time()


def format_when(moment: datetime, zone: str) -> str:
    """A publication time, or only its date when no time of day is known ('24 Jun 2025')."""
    if date_only(moment):
        day = _utc(moment)
        return f"{day.day} {day:%b %Y}"
    return format_time(moment, zone)


def real_date(source: Source) -> datetime | None:
    """The source's publication time when it is known, None when it was guessed."""
    return None if source.published_from in GUESSED_DATES else source.published


def updated_line(story: Story, zone: str) -> str:
    """'Updated 24 Jun 2025, 15:12 UTC' from the latest real publication time, or ''."""
    if story.sources:
        known = [d for d in (real_date(s) for s in story.sources) if d is not None]
        if not known:
            return ""
        return f"Updated {format_when(max(known, key=_utc), zone)}"
    return f"Updated {format_when(story.updated, zone)}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _named(names: Sequence[str], limit: int = CARRIERS_NAMED) -> str:
    """'A', 'A and B', 'A, B and C', 'A, B, C and 2 more'."""
    names = list(names)
    if len(names) > limit:
        return f"{', '.join(names[:limit])} and {len(names) - limit} more"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else ""


def diversity_line(story: Story) -> str:
    """How widely the story was reported: outlets, countries, independent reports.

    '5 outlets in 4 countries'; '6 outlets, 4 independent reports'; 'One wire report:
    Reuters, also carried by 3 outlets'; 'One outlet only'. Countries are counted only
    from the outlet registry, and said as "at least" when some outlets' country is unknown.
    """
    sources = story.sources
    if not sources:
        return ""
    if len(sources) == 1:
        only = sources[0]
        carriers = [c for c in only.carried_by if c != only.outlet]
        if carriers:
            label = "One wire report" if only.kind in WIRE_KINDS else "One report"
            return f"{label}: {only.outlet}, also carried by {_plural(len(carriers), 'outlet', 'outlets')}"
        return "One outlet only"
    # A source whose outlet could not be told is no outlet: "2 outlets and 1 source of unknown
    # outlet", never "3 outlets" (a reader would look for a third name in the list).
    outlets = sum(1 for name in story.outlets if name != UNKNOWN)
    unnamed = sum(1 for s in sources if s.outlet == UNKNOWN)
    line = _plural(outlets, "outlet", "outlets") if outlets else ""
    if unnamed:
        line += (" and " if line else "") + _plural(unnamed, "source of unknown outlet", "sources of unknown outlet")
    countries = len(story.countries)
    if countries and all(s.country for s in sources):
        line += " in one country" if countries == 1 else f" in {countries} countries"
    elif countries > 1:
        line += f" in at least {countries} countries"
    if story.independent_reports < outlets:
        line += f", {_plural(story.independent_reports, 'independent report', 'independent reports')}"
    return line


def _source_index(sources: Sequence[Source]) -> dict[str, int]:
    return {s.article_id: i for i, s in enumerate(sources)}


def attributed(story: Story) -> tuple[list[dict], list[dict]]:
    """The summary sentences, each with its source, and the numbered sources list.

    Sources are numbered in the order the summary first cites them, then the uncited
    ones in story order. A sentence whose article is not among the sources is matched
    by outlet name (a carrier of wire copy goes to the wire), else shown with its outlet
    unnumbered and unlinked.
    """
    by_id = _source_index(story.sources)
    by_outlet: dict[str, int] = {}
    for i, s in enumerate(story.sources):
        by_outlet.setdefault(s.outlet, i)
    for i, s in enumerate(story.sources):
        # A sentence taken from a copy of wire text is credited to the wire it copies.
        for carrier in s.carried_by:
            by_outlet.setdefault(carrier, i)
    found = [by_id.get(x.article_id, by_outlet.get(x.outlet)) for x in story.summary]
    cited = list(dict.fromkeys(i for i in found if i is not None))
    order = cited + [i for i in range(len(story.sources)) if i not in cited]
    number = {index: n for n, index in enumerate(order, start=1)}
    # Each source's date only when they differ: on a one-day story the update line says it.
    days = {_utc(d).date() for d in (real_date(s) for s in story.sources) if d is not None}
    sources = []
    for index in order:
        s = story.sources[index]
        when = real_date(s)
        carriers = [c for c in s.carried_by if c != s.outlet]
        sources.append({
            "n": number[index],
            "outlet": s.outlet,
            "title": " ".join((s.title or "").split()) or "untitled article",
            "url": safe_url(s.url),
            # Non-breaking spaces: a date split over two lines of a phone screen reads badly.
            "date": f"{_utc(when).day}\u00a0{_utc(when):%b}\u00a0{_utc(when):%Y}" if when is not None and len(days) > 1 else "",
            "carried_by": f"also carried by {_named(carriers)}" if carriers else "",
            "wire": s.kind in WIRE_KINDS,
        })
    sentences = []
    for sentence, index in zip(story.summary, found):
        outlet = story.sources[index].outlet if index is not None else sentence.outlet
        short = len(outlet) <= NOWRAP_LABEL
        sentences.append({
            "text": sentence.text,
            "outlet": outlet,
            "n": number.get(index) if index is not None else None,
            "url": safe_url(story.sources[index].url) if index is not None else None,
            "source_title": " ".join((story.sources[index].title or "").split()) if index is not None else "",
            "nowrap": short,
            # The outlet's name with non-breaking spaces when short: it never breaks over two lines.
            "label": outlet.replace(" ", "\u00a0") if short else outlet,
        })
    return sentences, sources


def cited_text(sentences: Sequence[dict]) -> str:
    """The summary as plain text with a marker after each sentence: 'One. [1] Two. [2]'."""
    parts = []
    for sentence in sentences:
        marker = f"[{sentence['n']}]" if sentence["n"] is not None else f"[{sentence['outlet']}]"
        # A non-breaking space keeps the marker on the line of the sentence it closes.
        parts.append(f"{sentence['text']}\u00a0{marker}")
    return " ".join(parts)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


_URL_PREFIX = re.compile(r"^\s*https?://\S+?:\s+")


def _reason(reason: str) -> str:
    """A fetch error made short for a footer: without the feed's URL in front (the feed is
    named already) and, when too long, without its parenthesised explanation."""
    reason = _URL_PREFIX.sub("", " ".join((reason or "").split()))
    if len(reason) > REASON_CHARS and " (" in reason:
        reason = reason[:reason.index(" (")]
    return _clip(reason, REASON_CHARS)


def feed_health(notes: Sequence[FeedNote]) -> str:
    """The footer's line on feeds that failed, were paused or moved, '' when all is well.

    'Missing feeds: Baltic Dispatch failed (HTTP 503); Old Wire paused (410 Gone);
    Harbour Ledger moved to https://...'; beyond a few, 'and 3 more'.
    """
    if not notes:
        return ""
    parts = []
    for note in notes[:FEED_NOTES_SHOWN]:
        name = _clip(note.feed or note.url, 60)
        reason = _reason(note.reason)
        if note.state == "moved":
            parts.append(f"{name} moved{' to ' + reason if reason else ''}")
        else:
            parts.append(f"{name} {note.state}{f' ({reason})' if reason else ''}")
    more = len(notes) - FEED_NOTES_SHOWN
    line = "; ".join(parts) + (f"; and {_plural(more, 'more feed', 'more feeds')}" if more > 0 else "")
    label = "Feed trouble since the last briefing" if any(n.state != "moved" for n in notes) else "Feed changes"
    return f"{label}: {line}."


def story_view(story: Story, zone: str) -> dict:
    """The parts of a story every rendering shows: cited sentences, sources, diversity, update time."""
    sentences, sources = attributed(story)
    diversity = diversity_line(story)
    updated = updated_line(story, zone)
    # "Updated 24 Jun 2025, 15:12 UTC" kept on one line of a phone screen.
    meta = [m for m in (diversity, updated.replace(" ", "\u00a0")) if m]
    return {
        "headline": story.headline,
        "developing": story.developing,
        "sentences": sentences,
        "sources": sources,
        "diversity": diversity,
        "updated": updated,
        "meta_line": " · ".join(meta),
        "summary_text": cited_text(sentences),
    }
