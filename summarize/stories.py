"""From grouped articles to stories: duplicates folded, summarised, headlined (the order is summarize.standing).

Pure functions: the caller passes the articles, which story each belongs to, and the
options; nothing here reads the store or the clock.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from collections.abc import Collection, Mapping, Sequence

from core.models import Article, Source, Story
from feeds.invisible import visible
from feeds.outlets import WIRE_KINDS, Registry, bundled_registry
from summarize.dedup import DedupOptions, copy_groups, credited_wire, find_duplicates
from summarize.headline import choose_headline
from summarize.summary import SummaryOptions, summarize_story
from summarize.tokenised import is_tokenised, untokenised


# What opens a sentence but is not part of what it says: a wire dateline ("ISTANBUL
# (Reuters) -", "DUBAI, June 25 (AFP) —", "WASHINGTON —") or a list bullet. Shown inside a
# summary they read as noise; the rest of the sentence is still a verbatim slice of the article.
_LEAD_IN = re.compile(
    r"^(?:[-•*·]\s+"
    r"|[A-Z][A-Z .,'’/-]{1,40}(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*\([A-Z][\w&.' -]{1,30}\)\s*[-–—]+\s*"
    r"|[A-Z][A-Z .'’/-]{2,40}\s+[–—-]{1,2}\s+(?=[A-Z]))")


def strip_lead_in(sentence: str) -> str:
    """The sentence without a leading wire dateline or list bullet."""
    stripped = _LEAD_IN.sub("", sentence, count=1)
    return stripped if len(stripped.split()) >= 4 else sentence


# Where a publication time came from when it is a guess, not the page's statement: these
# are never shown as a date, and a story's "updated" time prefers the stated ones.
GUESSED_TIMES = frozenset({"file-mtime", "fetched"})


def _stated(articles: Sequence[Article]) -> list[Article]:
    return [a for a in articles if a.published_from not in GUESSED_TIMES]


def source_of(article: Article, registry: Registry) -> Source:
    """An article as a story's source, with its outlet's country and kind from the registry."""
    found = registry.find(article.outlet, article.url)
    return Source(article.id, article.outlet, article.title, article.url, article.published,
                  published_from=article.published_from,
                  country=found.country if found else "", kind=found.kind if found else "")


def report_source(copies: Sequence[Article], registry: Registry) -> Source:
    """One independent report: a text and the copies of it other outlets ran, as one source.

    ``copies[0]`` is the copy kept for summarising. The source is credited to the wire or
    agency when one of the outlets is one, or when the text credits one (its dateline,
    byline or sign-off; a single copy only by its dateline or byline); else to the
    earliest publisher. ``carried_by`` lists the other
    outlets that ran the text (for a wire found only in the text: every outlet that ran it).
    """
    if len(copies) == 1:
        own = source_of(copies[0], registry)
        # One outlet's copy of a wire story, signed by the wire in its dateline or byline
        # ("PORT ELLIS (AP) —"), is the wire's report, carried by that outlet.
        wire = None if own.kind in WIRE_KINDS else credited_wire(copies[0].text, registry, signed_only=True)
        entry = registry.by_name(wire) if wire else None
        if entry is None or entry.name == own.outlet:
            return own
        return replace(own, outlet=entry.name, carried_by=(own.outlet,), country=entry.country, kind=entry.kind)
    by_time = sorted(copies, key=lambda a: (a.published_from in GUESSED_TIMES, a.published, a.outlet, a.id))
    wire_member = next((a for a in by_time if (e := registry.find(a.outlet, a.url)) and e.is_wire), None)
    credited = None
    if wire_member is None:
        credited = next((w for a in copies if (w := credited_wire(a.text, registry))), None)
    if wire_member is not None:
        source = source_of(wire_member, registry)
    elif credited is not None:
        entry = registry.by_name(credited)
        kept = copies[0]
        source = Source(kept.id, credited, kept.title, kept.url, kept.published,
                        published_from=kept.published_from, country=entry.country if entry else "",
                        kind=entry.kind if entry else "")
    else:
        source = source_of(by_time[0], registry)
    stated = _stated(by_time)
    if source.published_from in GUESSED_TIMES and stated:
        source = replace(source, published=stated[0].published, published_from=stated[0].published_from)
    carriers = tuple(dict.fromkeys(a.outlet for a in by_time if a.outlet != source.outlet))
    return replace(source, carried_by=carriers)


def _visible(article: Article) -> Article:
    text, title = visible(article.text or ""), visible(article.title or "")
    return article if text == (article.text or "") and title == (article.title or "") else \
        replace(article, text=text, title=title)


def make_story(story_id: str, articles: Sequence[Article], topic_score: float = 0.0,
               summary: SummaryOptions = SummaryOptions(), developing: bool = False,
               previous_dates: tuple[str, ...] = (), dedup: DedupOptions = DedupOptions(),
               seen: Collection[str] = (), outlets: Registry | None = None) -> Story:
    """One story from its articles: copies of one text are one source, credited to the wire.

    Each source is one independent report (a text and the outlets that ran copies of it);
    each summary sentence names the source it comes from (``article_id`` and ``outlet``
    are that source's). ``seen`` are the story's summary sentences in the last briefing;
    the summary prefers what is new since then (see :func:`summarize.summary.summarize_story`).
    """
    registry = outlets or bundled_registry()
    # Text stored before import removed invisible characters still has them (feeds.clean.visible).
    ordered = sorted((_visible(a) for a in articles), key=lambda a: (a.published, a.outlet, a.id))
    copies = find_duplicates(ordered, dedup)
    originals = [a for a in ordered if a.id not in copies]
    reports = [(group[0].id, report_source(group, registry)) for group in copy_groups(ordered, copies)]
    credit = dict(reports)  # kept copy's id -> the source that stands for its group
    sources = tuple(sorted((s for _, s in reports), key=lambda s: (s.published_from in GUESSED_TIMES,
                                                                   s.published, s.outlet, s.article_id)))
    sentences = []
    tokenised = {a.id for a in originals if is_tokenised(a.text)}  # a corpus's "Israel 's" reads "Israel's"
    for x in summarize_story(originals, summary, seen=seen):
        if x.article_id in tokenised:
            x = replace(x, text=untokenised(x.text, tokenised=True))
        source = credit.get(x.article_id)
        if source is not None:
            x = replace(x, article_id=source.article_id, outlet=source.outlet)
        sentences.append(replace(x, text=strip_lead_in(x.text)))
    stated = _stated(ordered)
    return Story(
        id=story_id,
        headline=untokenised(choose_headline(originals, summary=[x.text for x in sentences]) or ordered[0].title,
                             tokenised=bool(tokenised)),
        summary=tuple(sentences),
        sources=sources,
        # A stated publication time over a file's time: a story of 2022 imported today
        # is not "updated today".
        updated=max(a.published for a in (stated or ordered)),
        topic_score=topic_score,
        developing=developing,
        previous_dates=previous_dates,
    )


def members_by_story(articles: Sequence[Article], story_of: Mapping[str, str]) -> dict[str, list[Article]]:
    """Group articles by the story each was assigned to."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if article.id in story_of:
            groups[story_of[article.id]].append(article)
    return dict(groups)
