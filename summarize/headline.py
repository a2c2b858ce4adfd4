"""Choosing a story's headline from its sources' own titles.

The briefing never writes headlines: it shows the title of one source, the one that
best names what the whole story is about.
"""
from __future__ import annotations

import logging
from datetime import timezone
from typing import Sequence

import numpy as np

from core.models import Article
from summarize.sentences import split_sentences
from summarize.summary import content_terms, tfidf_vectors

log = logging.getLogger(__name__)


def choose_headline(articles: Sequence[Article], language: str = "english") -> str:
    """Return the most representative of the articles' own titles.

    Each non-empty title is compared (TF-IDF cosine over stemmed content words) with
    the text of the *other* articles, so an outlet's title is not favoured just for
    matching its own article; with a single titled article its own text is used.
    Ties go to the earliest article, then the shorter title. When no article has a
    title, the first sentence of the earliest article stands in (``""`` when even that
    is missing).
    """
    titled = [(i, a) for i, a in enumerate(articles) if a.title and a.title.strip()]
    if not titled:
        return _fallback(articles)
    if len(titled) == 1:
        return titled[0][1].title.strip()

    title_terms = [content_terms(a.title, language) for _, a in titled]
    text_terms = [content_terms(f"{a.title}\n{a.text}", language) for a in articles]
    vectors = tfidf_vectors(title_terms + text_terms)
    titles, texts = vectors[:len(titled)], vectors[len(titled):]
    similarity = (titles @ texts.T).toarray()  # title x article

    scores = []
    for row, (index, _) in enumerate(titled):
        others = [j for j in range(len(articles)) if j != index]
        scores.append(float(np.mean(similarity[row, others])) if others else float(similarity[row, index]))

    def order(row: int):
        index, article = titled[row]
        return (-round(scores[row], 9), _timestamp(article), len(article.title.strip()), index)

    best = min(range(len(titled)), key=order)
    log.debug("headline scores %s", [round(s, 3) for s in scores])
    return titled[best][1].title.strip()


def _timestamp(article: Article) -> float:
    """Publication time in seconds, naive datetimes read as UTC."""
    when = article.published
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def _fallback(articles: Sequence[Article]) -> str:
    """First sentence of the earliest article with text, for stories without titles."""
    for article in sorted(articles, key=_timestamp):
        sentences = split_sentences(article.text or "")
        if sentences:
            return sentences[0]
    return ""
