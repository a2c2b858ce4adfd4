"""Extractive multi-document summaries of one story, built on sumy's summarizers.

The pipeline for one story:

1. split every article into sentences (:mod:`summarize.sentences`, blingfire, offline);
2. keep the sentences shaped like news prose (drop headings, captions, bylines,
   share-button rows, links, broken fragments) and, per article, only the first
   ``lead_sentences`` of them: news puts the event in its first paragraphs, and the cap
   keeps a 9,000-sentence story fast;
3. rank the candidates with a sumy summarizer chosen by name from :data:`METHODS`,
   built on sumy's own document model (``ObjectDocumentModel``/``Paragraph``/``Sentence``);
4. mix the centrality with a lead prior, then pick greedily, skipping any sentence
   too close (TF-IDF cosine) to one already picked;
5. put the picked sentences in reading order: the best lead sentence first, then by
   article time, article and position in the article.

sumy's stock LexRank and TextRank compare every pair of sentences in Python loops
(1,000 sentences take seconds, 2,000 half a minute); the registry holds subclasses that
compute the same matrices with sparse numpy/scipy algebra and leave the rest of sumy's
algorithm as it is.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Collection, Iterable, Sequence

import numpy as np
from scipy import sparse
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from core.errors import ConfigError
from core.models import Article, SummarySentence
from summarize.sentences import SentenceSplitter, sentence_spans, split_words, stemmer, stop_words

log = logging.getLogger(__name__)


# ---- vectorised sumy summarizers ---------------------------------------------------------

def _sparse_rows(rows: Sequence[dict[str, float]]) -> sparse.csr_matrix:
    """Turn one ``{term: weight}`` dict per row into a CSR matrix over a shared vocabulary."""
    vocabulary: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for row in rows:
        for term, weight in row.items():
            indices.append(vocabulary.setdefault(term, len(vocabulary)))
            data.append(weight)
        indptr.append(len(indices))
    return sparse.csr_matrix((np.asarray(data, dtype=float), indices, indptr),
                             shape=(len(rows), max(len(vocabulary), 1)))


class _CachedTerms:
    """Mixin: sumy's ``_to_words_set`` with the per-word normalise/stop/stem step cached.

    sumy normalises and stems every word occurrence through several method calls; a
    big story repeats a few thousand distinct words hundreds of thousands of times.
    """

    def _to_words_set(self, sentence):
        """The sentence's stemmed non-stop words, as sumy computes them."""
        cache = self.__dict__.setdefault("_term_cache", {})
        terms = []
        for word in sentence.words:
            term = cache.get(word, "")
            if term == "":
                normal = self.normalize_word(word)
                term = cache[word] = None if normal in self._stop_words else self.stem_word(normal)
            if term is not None:
                terms.append(term)
        return terms


class FastLexRankSummarizer(_CachedTerms, LexRankSummarizer):
    """sumy's LexRank with its IDF, similarity matrix and power method vectorised.

    Same definitions as the stock class (IDF ``log(N / (1 + n_j))``, TF divided by the
    sentence's largest TF, idf-modified cosine, edges where the cosine exceeds
    ``threshold``, rows divided by their degree), computed as a sparse product instead
    of a double loop over sentence pairs.
    """

    def _compute_idf(self, sentences):
        """IDF of every term, with sumy's formula, from one pass of document frequencies."""
        counts = Counter(term for words in sentences for term in set(words))
        total = len(sentences)
        return {term: math.log(total / (1 + n)) for term, n in counts.items()}

    def _create_matrix(self, sentences, threshold, tf_metrics, idf_metrics):
        """Row-stochastic adjacency of the thresholded cosine graph, as a sparse matrix."""
        weights = _sparse_rows([{t: tf * idf_metrics[t] for t, tf in row.items()} for row in tf_metrics])
        norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
        inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        unit = sparse.diags(inverse) @ weights
        cosine = (unit @ unit.T).tocsr()
        cosine.data = (cosine.data > threshold).astype(float)
        cosine.eliminate_zeros()
        degrees = np.asarray(cosine.sum(axis=1)).ravel()
        degrees[degrees == 0] = 1
        return (sparse.diags(1.0 / degrees) @ cosine).tocsr()

    @staticmethod
    def power_method(matrix, epsilon):
        """sumy's power iteration (same start, normalisation and stop rule) on a sparse matrix."""
        transposed = matrix.T.tocsr()
        count = matrix.shape[0]
        vector = np.full(count, 1.0 / count)
        change = 1.0
        while change > epsilon:
            following = transposed @ vector
            norm = np.linalg.norm(following)
            if norm == 0:
                # No sentence links to any other (every similarity fell under the
                # threshold): all are equally central, as in sumy's uniform start.
                return np.full(count, 1.0 / count)
            following /= norm
            change = np.linalg.norm(following - vector)
            vector = following
        return vector


class FastTextRankSummarizer(_CachedTerms, TextRankSummarizer):
    """sumy's TextRank with the word-overlap matrix computed as one sparse product.

    The edge weight is sumy's: shared word occurrences divided by the sum of the logs of
    the two sentence lengths.
    """

    def _create_matrix(self, document):
        """The damped, row-normalised TextRank matrix of ``document``."""
        words = [self._to_words_set(s) for s in document.sentences]
        counts = _sparse_rows([Counter(w) for w in words])
        overlap = (counts @ counts.T).toarray()
        logs = np.log(np.maximum([len(w) for w in words], 1)).astype(float)
        norm = logs[:, None] + logs[None, :]
        weights = np.where(np.isclose(norm, 0.0), overlap,
                           np.divide(overlap, norm, out=np.zeros_like(overlap), where=~np.isclose(norm, 0.0)))
        weights /= weights.sum(axis=1)[:, None] + self._ZERO_DIVISION_PREVENTION
        count = len(words)
        return np.full((count, count), (1.0 - self.damping) / count) + self.damping * weights


# Summarizers by the name used in the config. Every entry is called the same way
# (``summarizer(document, count)`` with stop words set); Edmundson is left out because it
# needs bonus/stigma word lists that no general configuration can supply.
METHODS: dict[str, type] = {
    "lexrank": FastLexRankSummarizer,
    "textrank": FastTextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "sumbasic": SumBasicSummarizer,
    "kl": KLSummarizer,
    "reduction": ReductionSummarizer,
}


@dataclass(frozen=True)
class SummaryOptions:
    """How a story's summary is made.

    ``max_sentences`` and ``max_words`` both cap the summary (either may be ``None``);
    with ``max_words`` sentences are added while the summary is shorter than the budget,
    so the last one may cross it. ``min_sentences`` is reached whenever the story has
    that many usable, non-redundant sentences.
    """

    method: str = "lexrank"
    max_sentences: int | None = 5
    min_sentences: int = 3
    max_words: int | None = None
    language: str = "english"
    lead_sentences: int | None = 30    # candidates taken from the start of each article
    max_candidates: int = 1500         # whole-story cap, filled round-robin by lead position
    min_sentence_words: int = 6
    max_sentence_words: int = 60
    lead_weight: float = 0.5           # weight of the lead prior against centrality (0..1 scale each)
    lead_decay: float = 8.0            # the lead prior halves at this many usable sentences in
    article_weight: float = 0.3        # bonus for sentences of the articles closest to the whole story
    redundancy: float = 0.3            # TF-IDF cosine above which two sentences say the same thing
    repeat: float = 0.5                # TF-IDF cosine above which a sentence repeats one already sent


@dataclass(frozen=True)
class _Candidate:
    """A sentence that may enter the summary, with where it came from."""

    text: str
    article: int      # index of the article in the story
    position: int     # index of the sentence among all sentences of its article
    lead: int         # index among the article's usable sentences (0 = its lead)
    paragraph: int
    words: int
    usable: bool      # False when kept only as a fallback to reach min_sentences


# ---- sentence shape rules ----------------------------------------------------------------

# Links, e-mail addresses and @handles mark share rows and "follow us" lines.
_LINK = re.compile(r"https?://|www\.|\S+@\S+\.\w+|(?:^|\s)@\w+")
_MAY_LINK = re.compile(r"[@/]|www\.")  # cheap first test: the full pattern backtracks on every character
# News prose ends with a full stop, question or exclamation mark, perhaps inside quotes or
# brackets; headings ("Long Story Short"), captions and button rows do not.
_TERMINAL = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
# "Photo: ...", "RELATED: ...", "Image copyright ...:" — one to three capitalised words
# and a colon open a label, not a sentence of the story.
_LABEL = re.compile(r"^(?:[A-Z][\w'\u2019.&-]*\s+){0,2}[A-Z][\w'\u2019.&-]*\s*:\s")


def _is_prose(text: str, words: int, options: SummaryOptions) -> bool:
    """Whether a sentence looks like a complete sentence of news prose."""
    if not options.min_sentence_words <= words <= options.max_sentence_words:
        return False
    if not _TERMINAL.search(text) or _LABEL.match(text):
        return False
    first = text.lstrip("\"'\u201c\u2018([- ")[:1]
    if first.islower():
        # starts mid-sentence: a fragment left by a broken line or quote
        return False
    # SHOUTED teaser or heading. (Sentences of a quote that runs over several sentences
    # are kept: they read well enough and often carry the story.)
    return sum(map(str.isupper, text)) <= 0.5 * sum(map(str.isalpha, text))


def _candidates(articles: Sequence[Article], options: SummaryOptions) -> list[_Candidate]:
    """Split the articles and keep the sentences worth ranking, lead sentences first."""
    per_article: list[list[_Candidate]] = []
    for a, article in enumerate(articles):
        kept: list[_Candidate] = []
        paragraph, previous_end = 0, 0
        for position, (start, end) in enumerate(sentence_spans(article.text or "")):
            if "\n" in article.text[previous_end:start]:
                paragraph += 1
            previous_end = end
            text = article.text[start:end]
            words = len(text.split())  # whitespace tokens: cheap, and close enough for length rules
            if words < 3 or (_MAY_LINK.search(text) and _LINK.search(text)):
                continue
            usable = _is_prose(text, words, options)
            kept.append(_Candidate(text, a, position, 0, paragraph, words, usable))
        lead = 0
        ranked: list[_Candidate] = []
        for c in kept:
            ranked.append(_Candidate(c.text, c.article, c.position, lead, c.paragraph, c.words, c.usable))
            lead += c.usable
        per_article.append(ranked)

    usable = [[c for c in cands if c.usable] for cands in per_article]
    if sum(map(len, usable)) < options.min_sentences:
        usable = per_article  # short story: let the looser sentences compete too
    if options.lead_sentences is not None:
        usable = [cands[:options.lead_sentences] for cands in usable]
    # round-robin by lead position so a cap keeps every article's opening
    merged = sorted((c for cands in usable for c in cands), key=lambda c: (c.lead, c.article, c.position))
    merged = merged[:options.max_candidates]
    return sorted(merged, key=lambda c: (c.article, c.position))


# ---- ranking -----------------------------------------------------------------------------

class _RankRecorder:
    """A sumy ``sentences_count`` that records every sentence's rating and keeps them all.

    sumy's summarizers end in ``_get_best_sentences``, which sorts by rating and calls a
    callable count with the sorted list; recording it gives the full ranking from any
    summarizer without touching its internals.
    """

    def __init__(self) -> None:
        self.ratings: dict[int, float] = {}

    def __call__(self, infos):
        """Remember each sentence's rating by its order in the document."""
        infos = list(infos)
        self.ratings = {info.order: float(info.rating) for info in infos}
        return infos


def build_document(candidates: Sequence[_Candidate], tokenizer: SentenceSplitter) -> ObjectDocumentModel:
    """sumy's document model of the candidates, one Paragraph per source paragraph."""
    paragraphs: list[list[Sentence]] = []
    last = None
    for c in candidates:
        if (c.article, c.paragraph) != last:
            paragraphs.append([])
            last = (c.article, c.paragraph)
        paragraphs[-1].append(Sentence(c.text, tokenizer))
    return ObjectDocumentModel([Paragraph(p) for p in paragraphs])


def make_summarizer(method: str, language: str = "english"):
    """A sumy summarizer from :data:`METHODS`, with sumy's stemmer and stop words."""
    try:
        cls = METHODS[method]
    except KeyError:
        raise ConfigError(f"unknown summary method {method!r}; choose one of {', '.join(sorted(METHODS))}") from None
    summarizer = cls(stemmer(language))
    summarizer.stop_words = stop_words(language)
    return summarizer


def rate_sentences(document: ObjectDocumentModel, method: str, language: str = "english") -> np.ndarray:
    """Each sentence's rating by the named summarizer, in document order."""
    recorder = _RankRecorder()
    make_summarizer(method, language)(document, recorder)
    count = len(document.sentences)
    return np.array([recorder.ratings.get(i, 0.0) for i in range(count)], dtype=float)


def tfidf_vectors(token_lists: Sequence[Iterable[str]]) -> sparse.csr_matrix:
    """Unit-length TF-IDF rows (smoothed IDF) for lists of already normalised tokens."""
    counts = [Counter(tokens) for tokens in token_lists]
    df = Counter(term for c in counts for term in c)
    total = len(counts)
    rows = [{t: n * (1.0 + math.log((1 + total) / (1 + df[t]))) for t, n in c.items()} for c in counts]
    matrix = _sparse_rows(rows)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return (sparse.diags(inverse) @ matrix).tocsr()


def content_terms(text: str, language: str = "english") -> list[str]:
    """Stemmed, lower-cased words of ``text`` without stop words."""
    stop, stem = stop_words(language), stemmer(language)
    return [stem(w) for w in (w.lower() for w in split_words(text)) if w not in stop]


def _scale(values: np.ndarray) -> np.ndarray:
    """Min-max scale to 0..1 (all equal → all 1), so any summarizer's ratings mix the same way."""
    if len(values) == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return np.ones_like(values)
    return (values - low) / (high - low)


def _article_centrality(candidates: Sequence[_Candidate], vectors: sparse.csr_matrix,
                        article_count: int) -> np.ndarray:
    """Per candidate: how close its article is to the story as a whole (0..1).

    A story often has one full report and several short follow-ups or side pieces; the
    article that shares most with the others tells the main event, so its sentences get
    a bonus. Articles are compared through their candidate sentences only, which keeps
    this cheap on big stories.
    """
    membership = sparse.csr_matrix((np.ones(len(candidates)), ([c.article for c in candidates],
                                    np.arange(len(candidates)))), shape=(article_count, len(candidates)))
    profiles = np.asarray((membership @ vectors).todense())
    norms = np.linalg.norm(profiles, axis=1, keepdims=True)
    profiles = np.divide(profiles, norms, out=np.zeros_like(profiles), where=norms > 0)
    closeness = _scale(profiles @ profiles.mean(axis=0))
    return closeness[[c.article for c in candidates]]


def _select(candidates: Sequence[_Candidate], scores: np.ndarray, vectors: sparse.csr_matrix,
            options: SummaryOptions) -> list[int]:
    """Greedy pick by score, skipping sentences too similar to one already picked."""
    chosen: list[int] = []
    words = 0
    for i in np.argsort(-scores, kind="stable"):
        if options.max_sentences is not None and len(chosen) >= options.max_sentences:
            break
        if options.max_words is not None and words >= options.max_words and len(chosen) >= options.min_sentences:
            break
        if chosen:
            similarity = (vectors[chosen] @ vectors[int(i)].T).toarray().ravel()
            if similarity.max() > options.redundancy:
                continue
        chosen.append(int(i))
        words += candidates[i].words
    return chosen


def _reading_order(chosen: Sequence[int], candidates: Sequence[_Candidate],
                   articles: Sequence[Article]) -> list[int]:
    """Lead first, then by article time, article and position.

    A summary ordered by time alone opened with the fourth sentence of the earliest
    article ("Farmers had warned...") before any sentence said what happened; so the
    picked sentence that opens its article (the best-scored such one) goes first.
    """
    if not chosen:
        return []
    opening = min(chosen, key=lambda i: (candidates[i].lead, chosen.index(i)))
    rest = sorted((i for i in chosen if i != opening),
                  key=lambda i: (_timestamp(articles[candidates[i].article].published),
                                 candidates[i].article, candidates[i].position))
    return [opening, *rest]


def _timestamp(when: datetime) -> float:
    """Seconds since the epoch, reading a naive datetime as UTC (feeds mix both kinds)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def _repeats(candidates: Sequence[_Candidate], seen: Collection[str], options: SummaryOptions) -> np.ndarray:
    """Per candidate: whether it says again what a sentence already sent said.

    Same TF-IDF cosine as the redundancy check, fitted over the candidates and the sent
    sentences together, with its own threshold: a continuing story's new sentences share
    its names and topic words with yesterday's, so only a close match counts as a repeat.
    """
    seen = [text for text in seen if text and text.strip()]
    if not seen:
        return np.zeros(len(candidates), dtype=bool)
    vectors = tfidf_vectors([content_terms(t, options.language) for t in [c.text for c in candidates] + seen])
    count = len(candidates)
    similarity = (vectors[:count] @ vectors[count:].T).toarray()
    verbatim = {" ".join(t.split()) for t in seen}
    return (similarity.max(axis=1) > options.repeat) | np.array([" ".join(c.text.split()) in verbatim
                                                                  for c in candidates])


def _select_new(candidates: Sequence[_Candidate], scores: np.ndarray, vectors: sparse.csr_matrix,
                options: SummaryOptions, repeats: np.ndarray) -> list[int]:
    """``_select`` among the sentences not sent before; repeats only fill up to ``min_sentences``.

    A story that goes on for days is retold in every follow-up ("The talks began on
    Monday in ..."); the briefing says what is new since the last one.
    """
    fresh = np.flatnonzero(~repeats)
    picked = [int(fresh[i]) for i in _select([candidates[i] for i in fresh], scores[fresh], vectors[fresh], options)]
    if len(picked) >= options.min_sentences or not repeats.any():
        return picked
    # Too little new material for a readable summary: every new sentence still goes
    # first, and repeated ones make up the minimum.
    penalised = scores - repeats * (float(scores.max() - scores.min()) + 1.0)
    fill = dataclasses.replace(options, max_sentences=options.min_sentences, max_words=None)
    return _select(candidates, penalised, vectors, fill)


def summarize_story(articles: Sequence[Article], options: SummaryOptions = SummaryOptions(),
                    seen: Collection[str] = ()) -> tuple[SummarySentence, ...]:
    """Extractive summary across the articles of one story.

    Sentences are ranked by the configured sumy summarizer over the usable lead
    sentences of all articles, mixed with a lead prior, picked greedily without
    near-duplicates and returned in reading order (article time, article, position).
    Each :class:`SummarySentence` is a verbatim slice of its article's text.
    ``seen`` holds sentences sent before (the story in the last briefing): sentences
    that repeat them are left out while enough new ones exist.
    """
    if not articles:
        return ()
    candidates = _candidates(articles, options)
    if not candidates:
        return ()
    tokenizer = SentenceSplitter(options.language)
    document = build_document(candidates, tokenizer)
    centrality = _scale(rate_sentences(document, options.method, options.language))
    # news writing puts the event first: the lead prior falls with the usable sentences before it
    lead = np.array([1.0 / (1.0 + c.lead / options.lead_decay) for c in candidates])
    scores = (1.0 - options.lead_weight) * centrality + options.lead_weight * lead
    vectors = tfidf_vectors([content_terms(c.text, options.language) for c in candidates])
    scores = scores + options.article_weight * _article_centrality(candidates, vectors, len(articles))
    chosen = (_select_new(candidates, scores, vectors, options, _repeats(candidates, seen, options)) if seen
              else _select(candidates, scores, vectors, options))
    ordered = _reading_order(chosen, candidates, articles)
    log.debug("summarised %d articles: %d candidates, %d chosen", len(articles), len(candidates), len(ordered))
    return tuple(SummarySentence(text=candidates[i].text, article_id=articles[candidates[i].article].id,
                                 outlet=articles[candidates[i].article].outlet,
                                 position=candidates[i].position) for i in ordered)
