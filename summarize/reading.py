"""An article's reading for grouping: its weighted terms, its particulars and its lead's days.

Reading an article (splitting it into words, finding names, figures and days) is the
largest part of grouping a big day, and it depends on nothing but the article itself and
the term weighting. So it is done once and kept in the store beside the article
(``feeds.store.Store.readings``): a day's build reads only the articles new since the last
build and takes the others' readings as stored. A stored reading carries a key made of
everything it depends on (headline, text, publication time and its source, the weighting
and ``VERSION``); an article whose text changes, or a store made by code that read
differently, is read again.

``read_articles`` reads text (on every core, ``summarize.parallel``); ``stored_reading``
gives ``summarize.group.group_articles`` a reader that goes through the store.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Protocol

from core.models import Article
from summarize import textvec
from summarize.parallel import map_chunks
from summarize.particulars import read_particulars, split_article

log = logging.getLogger(__name__)

# Raise when what reading gives changes (another pattern, another particular): stored
# readings of an older version are then read again.
VERSION = 2
# Articles per run: see ``read_articles``.
RUN = 250


@dataclass
class Reading:
    """What grouping reads in a run of articles: their weighted terms, their particulars
    (``summarize.particulars``) and the days (``d:``) and names (``l:``) each one's lead gives."""

    words: textvec.CountedTerms
    facts: textvec.CountedTerms
    lead_days: list[list[str]]


def read_one(title: str, text: str, published: datetime, published_from: str,
             weighting: textvec.Weighting) -> tuple[Counter[str], Counter[str], list[str]]:
    """One article's weighted terms, particulars and lead days."""
    # One split of the article serves the words and the particulars.
    whole, offset = split_article(title, text)
    facts, days = read_particulars(whole, offset, published, published_from)
    return textvec.weighted_terms(whole.lower[:offset], whole.lower[offset:], weighting), facts, list(days)


def read_articles(items: Sequence[tuple]) -> list[Reading]:
    """The ``Reading`` of (title, text, published, published_from, weighting) items, one per
    run of up to 250 articles: everything grouping reads in an article, in one function that
    worker processes can run on their chunk of the articles (see ``summarize.parallel``).

    Why runs: a Counter per article kept until the end made the garbage collector walk
    tens of thousands of them again and again (reading 20,000 articles took half as long
    again)."""
    out = []
    for start in range(0, len(items), RUN):
        terms, found, lead_days = [], [], []
        for item in items[start:start + RUN]:
            words, facts, days = read_one(*item)
            terms.append(words)
            found.append(facts)
            lead_days.append(days)
        out.append(Reading(textvec.CountedTerms.of(terms), textvec.CountedTerms.of(found), lead_days))
    return out


def read_text(articles: Sequence[Article], weighting: textvec.Weighting) -> list[Reading]:
    """The articles' ``Reading`` runs, read from their text on every core."""
    return map_chunks(read_articles, [(a.title, a.text, a.published, a.published_from, weighting)
                                      for a in articles])


def reading_key(article: Article, weighting: textvec.Weighting) -> str:
    """What a stored reading of ``article`` depends on, as a hash (see the module's text)."""
    # The time to the second, as the store keeps it: an article read before it was stored
    # (with microseconds) and the same article loaded from the store have one key.
    head = json.dumps([VERSION, astuple(weighting), int(article.published.timestamp()), article.published_from])
    digest = hashlib.sha1(head.encode("utf-8"))
    digest.update(article.title.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(article.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def encode(items: Sequence[tuple]) -> list[str]:
    """The readings of (title, text, published, published_from, weighting) items as stored
    text: JSON ``[terms, counts, particulars, counts, lead days]``, orders kept (the TF-IDF
    columns follow the terms' first occurrence, so a stored reading gives the same matrix)."""
    out = []
    for item in items:
        words, facts, days = read_one(*item)
        out.append(json.dumps([list(words), list(words.values()), list(facts), list(facts.values()), days],
                              ensure_ascii=False, separators=(",", ":")))
    return out


def decode(texts: Sequence[str]) -> list[Reading]:
    """Stored readings (``encode``) as ``Reading`` runs of up to 250 articles."""
    out = []
    for start in range(0, len(texts), RUN):
        words, facts, lead_days = [], [], []
        for text in texts[start:start + RUN]:
            terms, counts, found, numbers, days = json.loads(text)
            words.append((terms, counts))
            facts.append((found, numbers))
            lead_days.append(days)
        out.append(Reading(textvec.CountedTerms.of_lists(words), textvec.CountedTerms.of_lists(facts), lead_days))
    return out


class ReadingStore(Protocol):
    """Where readings are kept (``feeds.store.Store``)."""

    def readings(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]: ...

    def save_readings(self, rows: Sequence[tuple[str, str, str]]) -> None: ...


def stored_reading(store: ReadingStore) -> Callable[[Sequence[Article], textvec.Weighting], list[Reading]]:
    """A reader for ``group_articles`` that takes each article's reading from ``store`` when
    it holds a current one, reads the others from their text (on every core) and keeps
    their readings in ``store``."""

    def read(articles: Sequence[Article], weighting: textvec.Weighting) -> list[Reading]:
        keys = [reading_key(a, weighting) for a in articles]
        held = store.readings([a.id for a in articles])
        texts: list[str | None] = []
        missing: list[int] = []
        for index, (article, key) in enumerate(zip(articles, keys)):
            row = held.get(article.id)
            if row is not None and row[0] == key:
                texts.append(row[1])
            else:
                texts.append(None)
                missing.append(index)
        del held
        fresh = map_chunks(encode, [(articles[i].title, articles[i].text, articles[i].published,
                                     articles[i].published_from, weighting) for i in missing])
        for index, text in zip(missing, fresh):
            texts[index] = text
        if missing:
            store.save_readings([(articles[i].id, keys[i], text) for i, text in zip(missing, fresh)])
        log.debug("readings: %d stored, %d read now", len(articles) - len(missing), len(missing))
        return decode(texts)

    return read
