"""A story's standing in the briefing: whether it goes in, and where, as an editor would decide.

* **How central to the beat** (``story_centrality``, 0 to 1): its articles' topic scores, an
  opinion piece's odds counting half. A diplomacy reader wants what happened before what someone
  thinks of it: a story told only by opinion pieces, columns or first-person essays stands
  below one told by reports of a development.
* **Whether it goes in** (``is_shown``): a story more likely off the beat than on it
  (centrality below one half) is left out, however many outlets ran it; a story resting on
  one short report (a blurb, a teaser, a fragment) goes in only when it is clearly on the
  beat (odds of 3 to 1). Articles need less to enter a story (the topic threshold), so that a story is
  grouped from all its reports.
* **Where it stands** (``rank_score``): centrality counts as evidence, in log-odds, so doubt
  weighs more than coverage: a story one is unsure about needs several times the reports of
  a surely diplomatic one to stand above it, while among the sure ones (above ``sure``) the
  number of independent reports and then recency decide.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from core.models import Article, Story
from summarize.topic import TopicProfile, combine_scores

# A section of a site that holds opinion, not reporting ("/opinion/", "/op-ed/", "/blogs/").
_OPINION_PATH = re.compile(r"/(?:opinions?|commentary|comment|editorials?|op-?eds?|columns?|columnists?"
                           r"|blogs?|letters|perspectives?|viewpoints?)(?:/|-|$)", re.IGNORECASE)
# A title labelled as opinion ("Opinion: ...", "Editorial | ...").
_OPINION_TITLE = re.compile(r"^\s*(?:opinion|op-?ed|editorial|commentary|column|letters?|perspective|viewpoint)"
                            r"\s*[:|\u2014\u2013-]", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself)\b")
# Quoted speech: a report quoting someone's "I" is still a report.
_QUOTED = re.compile(r"[\"\u201c][^\"\u201d]{0,600}[\"\u201d]")
# First-person words per word of the writer's own text above which it is an essay.
FIRST_PERSON_SHARE = 0.02
COMMENTARY_WEIGHT = 0.5


def is_commentary(article: Article) -> bool:
    """Whether an article is opinion rather than a report: an opinion section or label, or
    a text written in the first person (outside quotations) in its first 400 words."""
    if article.url and _OPINION_PATH.search(urlsplit(article.url).path):
        return True
    if _OPINION_TITLE.match(article.title or ""):
        return True
    own = _QUOTED.sub(" ", " ".join((article.text or "").split()[:400]))
    words = len(own.split())
    return words >= 80 and len(_FIRST_PERSON.findall(own)) / words >= FIRST_PERSON_SHARE


def centrality(score: float, profile: TopicProfile) -> float:
    """A topic score on a 0-to-1 scale: the model's probability as it is; a rule score
    ``s`` as ``s / (s + threshold)`` (one half at the threshold)."""
    if profile.model is not None:
        return min(max(score, 0.0), 1.0)
    score = max(score, 0.0)
    return score / (score + profile.threshold) if score + profile.threshold > 0 else 0.0


def discounted(value: float, weight: float = COMMENTARY_WEIGHT) -> float:
    """A centrality whose odds count ``weight`` times: an opinion piece's (0.9, odds 9 to 1,
    becomes odds 4.5 to 1, 0.82); a sure one stays sure, and none falls to nothing."""
    if value >= 1.0:
        return 1.0
    odds = max(value, 0.0) / (1.0 - value) * weight
    return odds / (1.0 + odds)


def story_centrality(articles: Sequence[Article], scores: Sequence[float], profile: TopicProfile) -> float:
    """How central a story is to the beat (0 to 1): its articles' centralities, an opinion
    piece's odds counting half, combined as the mean of the best and the average."""
    return combine_scores([discounted(centrality(score, profile)) if is_commentary(a) else centrality(score, profile)
                           for a, score in zip(articles, scores)])


@dataclass(frozen=True)
class Standing:
    """How the briefing decides what goes in and in what order (see the module's docstring)."""

    bar: float = 0.5              # centrality a story needs to be shown
    sure: float = 0.9             # centrality beyond which a story is surely on the beat
    thin_words: int = 150         # one report shorter than this is thin evidence: it needs ``thin_bar``
    thin_bar: float = 0.75        # odds of 3 to 1 that a story on thin evidence is on the beat
    coverage: float = 1.0         # weight of log2(1 + independent reporters)
    recency: float = 0.6          # weight of the halving-with-age bonus
    half_life_hours: float = 24.0


STANDING = Standing()


def is_shown(story: Story, articles: Sequence[Article] = (), standing: Standing = STANDING) -> bool:
    """Whether a story goes into the briefing: its centrality reaches ``standing.bar``, and a
    story resting on one short report (one outlet, no text of ``thin_words`` words among
    ``articles``: a blurb, a teaser, a fragment) only when it is clearly on the beat
    (``thin_bar``)."""
    if story.topic_score < standing.bar:
        return False
    thin = (bool(articles) and len({source.outlet for source in story.sources}) == 1
            and all(len((a.text or "").split()) < standing.thin_words for a in articles))
    return not thin or story.topic_score >= standing.thin_bar


def rank_score(story: Story, now: datetime, standing: Standing = STANDING) -> float:
    """Centrality as evidence (log-odds, capped at ``sure``), plus independent reporters, plus recency.

    Reporters are counted by the outlets that wrote a report: copies of a wire's text are one
    source credited to the wire and the outlets carrying them add nothing; one outlet's several
    reports count once. Coverage has diminishing returns (log2).
    """
    sure = standing.sure
    centrality = min(max(story.topic_score, 1.0 - sure), sure)
    evidence = math.log(centrality / (1.0 - centrality))
    reporters = len({source.outlet for source in story.sources})
    age_hours = max(0.0, (now - story.updated).total_seconds() / 3600)
    recency = 0.5 ** (age_hours / standing.half_life_hours)
    return evidence + standing.coverage * math.log2(1 + reporters) + standing.recency * recency


def rank_stories(stories: Sequence[Story], now: datetime, standing: Standing = STANDING) -> list[Story]:
    """Stories best first; ties go to the most recently updated, then the headline."""
    return sorted(stories, key=lambda s: (-rank_score(s, now, standing), -s.updated.timestamp(), s.headline))
