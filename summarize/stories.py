"""From grouped articles to ranked stories: duplicates folded, summarised, headlined, ranked.

Pure functions: the caller passes the articles, which story each belongs to, and the
options; nothing here reads the store or the clock.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import replace
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.models import Article, Source, Story
from summarize.dedup import DedupOptions, find_duplicates
from summarize.headline import choose_headline
from summarize.summary import SummaryOptions, summarize_story


@dataclass(frozen=True)
class RankWeights:
    """How much coverage, recency and topic score count when stories are ranked."""

    coverage: float = 1.0
    recency: float = 0.6
    topic: float = 0.5
    half_life_hours: float = 24.0


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


def make_story(story_id: str, articles: Sequence[Article], topic_score: float = 0.0,
               summary: SummaryOptions = SummaryOptions(), developing: bool = False,
               previous_dates: tuple[str, ...] = (), dedup: DedupOptions = DedupOptions(),
               seen: Collection[str] = ()) -> Story:
    """One story from its articles: wire copies folded for the summary, every outlet a source.

    ``seen`` are the story's summary sentences in the last briefing; the summary
    prefers what is new since then (see :func:`summarize.summary.summarize_story`).
    """
    ordered = sorted(articles, key=lambda a: (a.published, a.outlet, a.id))
    copies = find_duplicates(ordered, dedup)
    originals = [a for a in ordered if a.id not in copies]
    sources = tuple(Source(a.id, a.outlet, a.title, a.url, a.published, a.published_from) for a in ordered)
    told = tuple(replace(x, text=strip_lead_in(x.text)) for x in summarize_story(originals, summary, seen=seen))
    return Story(
        id=story_id,
        headline=choose_headline(originals, summary=[x.text for x in told]) or ordered[0].title,
        summary=told,
        sources=sources,
        updated=max(a.published for a in ordered),
        topic_score=topic_score,
        developing=developing,
        previous_dates=previous_dates,
    )


def rank_score(story: Story, now: datetime, weights: RankWeights = RankWeights()) -> float:
    """Coverage (distinct outlets, with diminishing returns), recency and topic score together."""
    outlets = len(story.outlets)
    age_hours = max(0.0, (now - story.updated).total_seconds() / 3600)
    recency = 0.5 ** (age_hours / weights.half_life_hours)
    return (weights.coverage * math.log2(1 + outlets) + weights.recency * recency
            + weights.topic * min(story.topic_score, 3.0))


def rank_stories(stories: Sequence[Story], now: datetime, weights: RankWeights = RankWeights()) -> list[Story]:
    """Stories best first; ties go to the most recently updated, then the headline."""
    return sorted(stories, key=lambda s: (-rank_score(s, now, weights), -s.updated.timestamp(), s.headline))


def members_by_story(articles: Sequence[Article], story_of: Mapping[str, str]) -> dict[str, list[Article]]:
    """Group articles by the story each was assigned to."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if article.id in story_of:
            groups[story_of[article.id]].append(article)
    return dict(groups)
