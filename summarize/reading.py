"""An article's reading for grouping: its weighted terms, its particulars and its lead's days.

Reading an article (splitting it into words, finding names, figures and days) is the
largest part of grouping a big day, and it depends on nothing but the article itself and
the term weighting. So it is done once and kept in the store beside the article
(``feeds.store.Store.readings``): a day's build reads only the articles new since the last
build and takes the others' readings as stored. A stored reading carries a key made of
everything it depends on (headline, text, publication time and its source, the weighting
and ``VERSION``); an article whose text changes, or a store made by code that read
differently, is read again.

A stored reading is arrays, not text: its terms as numbers (``Store.term_numbers``; a term
keeps its number in a store for ever) and their counts as 8-byte floats, so that a day's
window of 20,000 stored readings is taken in a fraction of a second (parsing them as JSON
took five seconds). The TF-IDF columns of stored readings follow the terms' numbers (the
order the store first saw them in), those of readings from text the terms' first
occurrence: the same vectors with their columns in another order.

``read_text`` reads text (on every core, ``summarize.parallel``); ``stored_reading``
gives ``summarize.group.group_articles`` a reader that goes through the store.
"""
from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from core.models import Article
from summarize import textvec
from summarize.parallel import map_chunks
from summarize.particulars import read_particulars
from summarize.wordsplit import Words, split_article, split_articles

log = logging.getLogger(__name__)

# Raise when what reading gives changes (another pattern, another particular): stored
# readings of an older version are then read again.
VERSION = 3
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
    return _read(*split_article(title, text), published, published_from, weighting)


def _read(whole: Words, offset: int, published: datetime, published_from: str,
          weighting: textvec.Weighting) -> tuple[Counter[str], Counter[str], list[str]]:
    """``read_one`` of an article split (``split_articles``): one split serves the words
    and the particulars."""
    facts, days = read_particulars(whole, offset, published, published_from)
    return textvec.weighted_terms(whole.lower[:offset], whole.lower[offset:], weighting), facts, list(days)


def read_articles(items: Sequence[tuple]) -> list[Reading]:
    """The ``Reading`` of (title, text, published, published_from, weighting) items, one per
    run of up to 250 articles: everything grouping reads in an article, in one function that
    worker processes can run on their chunk of the articles (see ``summarize.parallel``).
    The articles of a run are split into words together (``split_articles``).

    Why runs: a Counter per article kept until the end made the garbage collector walk
    tens of thousands of them again and again (reading 20,000 articles took half as long
    again)."""
    out = []
    # Reading makes no reference cycles: the garbage collector is paused meanwhile (its
    # walks over the many young Counters and tuples took a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for start in range(0, len(items), RUN):
            run = items[start:start + RUN]
            found, lead_days = [], []
            split = split_articles([item[:2] for item in run])
            for (whole, offset), item in zip(split, run):
                facts, days = read_particulars(whole, offset, item[2], item[3])
                found.append(facts)
                lead_days.append(list(days))
            # The words of the whole run counted at once (the same as ``_read``'s per article).
            out.append(Reading(textvec.weighted_split(split, [item[4] for item in run]),
                               textvec.CountedTerms.of(found), lead_days))
    finally:
        if collecting:
            gc.enable()
    return out


@dataclass
class Readings:
    """What grouping reads in a list of articles, in their order, with numbered columns."""

    words: textvec.TermRows
    facts: textvec.TermRows
    lead_days: list[list[str]]


def read_text(articles: Sequence[Article], weighting: textvec.Weighting) -> Readings:
    """The articles' ``Readings``, read from their text on every core."""
    runs = map_chunks(read_articles, [(a.title, a.text, a.published, a.published_from, weighting)
                                      for a in articles])
    return Readings(textvec.term_rows([run.words for run in runs]), textvec.term_rows([run.facts for run in runs]),
                    [days for run in runs for days in run.lead_days])


@functools.lru_cache(maxsize=8)
def _key_head(weighting: textvec.Weighting) -> str:
    return json.dumps([VERSION, astuple(weighting)])


def reading_key(article: Article, weighting: textvec.Weighting) -> str:
    """What a stored reading of ``article`` depends on, as a hash (see the module's text)."""
    # The time to the second, as the store keeps it: an article read before it was stored
    # (with microseconds) and the same article loaded from the store have one key.
    head = f"{_key_head(weighting)}{int(article.published.timestamp())} {article.published_from}\0{article.title}\0"
    digest = hashlib.sha1(head.encode("utf-8", "surrogatepass"))
    digest.update(article.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


# A stored reading: (words, word counts, facts, fact counts, lead days) as the store keeps
# them: term numbers as int32 bytes, counts as float64 bytes, days one a line.
StoredReading = tuple[bytes, bytes, bytes, bytes, str]


def to_store(runs: Sequence[Reading], numbers: dict[str, int]) -> list[StoredReading]:
    """The articles of ``runs`` (in order) as stored readings, their terms numbered by ``numbers``."""
    parts = []
    for field in ("words", "facts"):
        counted = [getattr(run, field) for run in runs]
        numbered = np.concatenate([np.zeros(0, dtype=np.int64)] + [
            np.fromiter(map(numbers.__getitem__, terms.vocabulary), dtype=np.int64, count=len(terms.vocabulary))[terms.ids]
            for terms in counted])
        counts = np.concatenate([np.zeros(0)] + [terms.counts for terms in counted])
        lengths = np.concatenate([np.zeros(0, dtype=np.int64)] + [terms.lengths for terms in counted])
        # Each article's terms in the order of their numbers: the rows of stored readings then
        # come with sorted columns, which products of rows need (no sort per build). One sort
        # of (article, number) packed in 64 bits for all the runs' articles.
        order = np.argsort((np.repeat(np.arange(len(lengths), dtype=np.int64), lengths) << 32) | numbered)
        words, weights = numbered[order].astype(np.int32).tobytes(), counts[order].tobytes()
        ends = np.cumsum(lengths).tolist()
        parts.append([(words[4 * start:4 * end], weights[8 * start:8 * end]) for start, end in zip([0] + ends[:-1], ends)])
    days = [day for run in runs for day in run.lead_days]
    return [(words, word_counts, facts, fact_counts, "\n".join(named))
            for (words, word_counts), (facts, fact_counts), named in zip(*parts, days)]


def from_store(stored: Sequence[StoredReading]) -> Readings:
    """``Readings`` of stored readings, in their order; columns follow the terms' numbers."""
    def rows(ids: Sequence[bytes], counts: Sequence[bytes]) -> textvec.TermRows:
        numbers = np.frombuffer(b"".join(ids), dtype=np.int32)
        # Columns 0..width-1 for the numbers present, in the numbers' order.
        present = np.zeros(int(numbers.max()) + 1 if len(numbers) else 0, dtype=bool)
        present[numbers] = True
        column = np.cumsum(present, dtype=np.int64) - 1
        return textvec.TermRows(column[numbers].astype(np.int32), np.frombuffer(b"".join(counts), dtype=np.float64),
                                np.fromiter(map(len, ids), dtype=np.int64, count=len(ids)) // 4, int(present.sum()))

    if not stored:
        return Readings(rows([], []), rows([], []), [])
    words, word_counts, facts, fact_counts, days = zip(*stored)
    return Readings(rows(words, word_counts), rows(facts, fact_counts),
                    [named.split("\n") if named else [] for named in days])


class ReadingStore(Protocol):
    """Where readings are kept (``feeds.store.Store``)."""

    def readings(self, ids: Sequence[str]) -> dict[str, tuple]: ...

    def save_readings(self, rows: Sequence[tuple]) -> None: ...

    def term_numbers(self, terms: Sequence[str]) -> dict[str, int]: ...


def stored_reading(store: ReadingStore) -> Callable[[Sequence[Article], textvec.Weighting], Readings]:
    """A reader for ``group_articles`` that takes each article's reading from ``store`` when
    it holds a current one, reads the others from their text (on every core) and keeps
    their readings in ``store``."""

    def read(articles: Sequence[Article], weighting: textvec.Weighting) -> Readings:
        keys = [reading_key(a, weighting) for a in articles]
        held = store.readings([a.id for a in articles])
        stored: list[StoredReading | None] = [None] * len(articles)
        missing: list[int] = []
        for index, (article, key) in enumerate(zip(articles, keys)):
            row = held.get(article.id)
            if row is not None and row[0] == key:
                stored[index] = row[1:]
            else:
                missing.append(index)
        del held
        if missing:
            runs = map_chunks(read_articles, [(articles[i].title, articles[i].text, articles[i].published,
                                                articles[i].published_from, weighting) for i in missing])
            terms = list(dict.fromkeys(itertools.chain.from_iterable(
                itertools.chain(run.words.vocabulary, run.facts.vocabulary) for run in runs)))
            fresh = to_store(runs, store.term_numbers(terms))
            for index, row in zip(missing, fresh):
                stored[index] = row
            store.save_readings([(articles[i].id, keys[i], *row) for i, row in zip(missing, fresh)])
        log.debug("readings: %d stored, %d read now", len(articles) - len(missing), len(missing))
        return from_store(stored)

    return read
