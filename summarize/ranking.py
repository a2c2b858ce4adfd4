"""Sentence ranking with sumy's summarizers, vectorised where sumy loops in Python.

sumy's stock LexRank and TextRank compare every pair of sentences in Python loops
(1,000 sentences take seconds, 2,000 half a minute); :data:`METHODS` holds subclasses that
compute the same matrices with sparse numpy/scipy algebra and leave the rest of sumy's
algorithm as it is. Every entry is called the same way, ``summarizer(document, count)``,
on sumy's own document model.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Sequence

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
from summarize.sentences import SentenceSplitter, split_words, stemmer, stop_words


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


def build_document(candidates: Sequence, tokenizer: SentenceSplitter) -> ObjectDocumentModel:
    """sumy's document model of sentences with ``text``, ``article`` and ``paragraph``, one Paragraph per source paragraph."""
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
