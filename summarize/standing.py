"""How central a story is to the beat: its articles' topic scores, with commentary counting half.

A diplomacy reader wants what happened before what someone thinks of it: a story told only
by opinion pieces, columns or first-person essays stands below one told by reports of a
development. ``story_centrality`` gives the number the ranking reads (0 to 1), whichever kind
of profile scored the articles.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from core.models import Article
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


def story_centrality(articles: Sequence[Article], scores: Sequence[float], profile: TopicProfile) -> float:
    """How central a story is to the beat (0 to 1): its articles' centralities, an opinion
    piece's at half weight, combined as the mean of the best and the average."""
    return combine_scores([centrality(score, profile) * (COMMENTARY_WEIGHT if is_commentary(a) else 1.0)
                           for a, score in zip(articles, scores)])
