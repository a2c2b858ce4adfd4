"""Small text-vectorising helpers shared by the summarising stages.

Tokenising, term weighting for news articles (headline and lead count more than the
rest of the body) and TF-IDF vectors as l2-normalised scipy sparse rows, so that a dot
product is a cosine similarity.
"""
from __future__ import annotations

import logging
import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
try:  # scipy's compiled CSR-times-vector; a private module, so a release that moves it falls back
    from scipy.sparse._sparsetools import csr_matvec as _csr_matvec
except ImportError:  # pragma: no cover - depends on the installed scipy
    _csr_matvec = None

from summarize.parallel import map_chunks
from summarize.stopwords import english_stop_words

if TYPE_CHECKING:
    from summarize.wordsplit import Words

log = logging.getLogger(__name__)

STOP_WORDS = english_stop_words() | frozenset({
    # Reporting verbs and time words appear in every news article whatever the event.
    "said", "says", "say", "told", "according", "reported", "report", "reports",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "today", "yesterday", "week", "year", "years", "mr", "mrs", "ms", "dr",
})

# Letters and digits, keeping inner apostrophes and hyphens out: "Kim Jong-un" and the
# pre-tokenised "Kim Jong - un" must give the same tokens.
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """Split ``text`` into its word tokens, in order, as written (case kept)."""
    return WORD.findall(text)


@dataclass(frozen=True)
class Weighting:
    """How much each part of an article counts towards its term vector."""

    title: float = 2.0   # a headline word counts as much as two body words
    lead: float = 1.0    # extra weight for words of the first ``lead_words`` words
    lead_words: int = 60


def weighted_terms(title: list[str], text: list[str], weighting: Weighting = Weighting()) -> Counter[str]:
    """Weighted term counts for one article from the lower-cased word tokens (``words``) of
    its headline and its text: body words, with extra weight for headline and lead words;
    stop words and single letters left out."""
    # Counted first (in C), then filtered once per distinct word: most words recur. A
    # Counter keeps first occurrences in order, so the terms come in the same order as
    # counting the filtered list would give (the TF-IDF columns follow that order).
    stop = STOP_WORDS
    counts = Counter(text)
    pop = counts.pop  # dict's: Counter's own __delitem__ is Python
    for word in [w for w in counts if len(w) < 2] + list(stop.intersection(counts)):
        pop(word, None)
    lead, need = weighting.lead, weighting.lead_words
    if need > 0:
        # the first ``need`` words that are counted: neither stop words nor single letters
        for token in itertools.islice(filter(counts.__contains__, text), need):
            counts[token] += lead
    for token in title:
        if len(token) > 1 and token not in stop:
            counts[token] += weighting.title
    return counts


def weighted_split(articles: Sequence[tuple[Words, int]], weightings: Sequence[Weighting]) -> "CountedTerms":
    """``CountedTerms.of`` the ``weighted_terms`` of each (words, headline's word count) of
    ``articles`` (``wordsplit.split_articles``: one ``Split`` for all), in order.

    The same terms in the same order with the same counts as the per-article Counters (with
    integral weights, as the defaults: other weights are summed in another order, which may
    move a count's last bit). Why: a Counter per article, a string per word and a dict slot
    per term were a third of reading; here the words are numbers (``Split.ids``), stop words
    and single letters are found once per distinct word, and the counting is numpy over
    the whole run."""
    if not articles:
        return CountedTerms([], np.zeros(0, dtype=np.int32), np.zeros(0), np.zeros(0, dtype=np.int64))
    split = articles[0][0].split
    numbers, firsts = split.ids()
    counted = (split.lower_lengths() > 1) & ~split.among(STOP_WORDS)
    lengths = np.array([whole.count for whole, _ in articles], dtype=np.int64)
    begins = np.array([whole.first for whole, _ in articles], dtype=np.int64)
    if len(numbers) != int(lengths.sum()) or (lengths.sum() and (begins[0] != 0 or (np.diff(begins) != lengths[:-1]).any())):
        numbers = numbers[np.concatenate([np.arange(b, b + n) for b, n in zip(begins.tolist(), lengths.tolist())])]
    return _weighted(numbers, counted, lambda chosen: split.lower_words(firsts[chosen].tolist()), lengths,
                     [offset for _, offset in articles], weightings)


def _weighted(ids: np.ndarray, counted: np.ndarray, words: Callable[[list[int]], list[str]], lengths: np.ndarray,
              offsets: Sequence[int], weightings: Sequence[Weighting]) -> "CountedTerms":
    """The weighted terms of documents of ``lengths`` words one after another, ``ids`` each
    word's number (0 to V - 1, equal for equal words), ``counted`` whether a number's word is
    a term, ``words(numbers)`` those numbers' words: ``weighted_terms`` per document, as ``CountedTerms``."""
    documents = len(lengths)
    total = int(lengths.sum())
    if total == 0:
        return CountedTerms([], np.zeros(0, dtype=np.int32), np.zeros(0), np.zeros(documents, dtype=np.int64))
    width = max(len(counted), 1)
    kept = counted[ids]
    doc = np.repeat(np.arange(documents), lengths)
    starts = np.zeros(documents, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    position = np.arange(total) - starts[doc]
    heads = np.minimum(np.asarray(offsets, dtype=np.int64), lengths)
    heading = position < heads[doc]
    title_weight = np.array([w.title for w in weightings], dtype=np.float64)
    weight = np.where(heading, title_weight[doc], 1.0)
    # The lead: each document's first ``lead_words`` counted words after its headline.
    body = np.flatnonzero(kept & ~heading)
    rank = np.arange(len(body)) - np.searchsorted(doc[body], doc[body], side="left")
    need = np.array([w.lead_words for w in weightings], dtype=np.int64)
    lead = body[rank < need[doc[body]]]
    weight[lead] += np.array([w.lead for w in weightings], dtype=np.float64)[doc[lead]]
    # Each document's body words first, then its headline's (a Counter of the body with the
    # headline's words added orders them so), each term where it first comes.
    # Where each word goes in that order: its headline's words after its body's.
    moved = np.where(heading, position + (lengths - heads)[doc], position - heads[doc]) + starts[doc]
    chosen = np.empty(total, dtype=np.int64)
    chosen[moved] = np.arange(total)
    chosen = chosen[kept[chosen]]
    keys = doc[chosen] * width + ids[chosen]
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=weight[chosen], minlength=len(unique))
    order = np.argsort(first, kind="stable")
    unique, sums = unique[order], sums[order]
    positive = sums > 0  # terms counted zero or less are left out (``CountedTerms.of``)
    unique, sums = unique[positive], sums[positive]
    term = unique % width
    # The run's vocabulary in the order of first use by the documents' terms.
    numbers, used = np.unique(term, return_index=True, return_inverse=True)[1:]
    rank_of = np.empty(len(numbers), dtype=np.int32)
    rank_of[np.argsort(numbers, kind="stable")] = np.arange(len(numbers), dtype=np.int32)
    vocabulary = words(term[np.sort(numbers)].tolist())
    return CountedTerms(vocabulary, rank_of[used.ravel()], sums,
                        np.bincount(unique // width, minlength=documents).astype(np.int64))


@dataclass
class CountedTerms:
    """The weighted term counts of a run of documents in a compact form: the run's own
    vocabulary (in order of first occurrence), and per count its term's index in it.

    Why: a day of 50,000 articles kept as Counters took gigabytes (each term a string and a
    dict slot per article). Worker processes count their chunk of articles into one of
    these, and ``tfidf_rows`` joins the chunks' vocabularies: the main process maps each
    distinct term of a chunk once, not every term of every article.
    """

    vocabulary: list[str]
    ids: np.ndarray      # int32: the index in ``vocabulary`` of each count
    counts: np.ndarray   # float64, all positive
    lengths: np.ndarray  # int64: how many counts each document has

    @classmethod
    def of(cls, documents: Iterable[Mapping[str, float]]) -> "CountedTerms":
        """The documents' counts; terms counted zero or less are left out."""
        terms: list[str] = []
        counted: list[float] = []
        lengths: list[int] = []
        for counts in documents:
            if min(counts.values(), default=1) <= 0:
                counts = {t: c for t, c in counts.items() if c > 0}
            terms.extend(counts)
            counted.extend(counts.values())
            lengths.append(len(counts))
        # Mapped through dicts in C rather than a Python loop per term (millions a day).
        vocabulary = list(dict.fromkeys(terms))
        index = dict(zip(vocabulary, range(len(vocabulary))))
        return cls(vocabulary, np.fromiter(map(index.__getitem__, terms), dtype=np.int32, count=len(terms)),
                   np.array(counted, dtype=np.float64), np.array(lengths, dtype=np.int64))

    def __reduce__(self):
        """Pickled with the vocabulary as one string, one term a line (reading's worker
        processes send their runs back so): a string per term cost a tenth of reading."""
        joined = "\n".join(self.vocabulary)
        if joined.count("\n") != max(len(self.vocabulary) - 1, 0):  # a term with a line break: as it is
            return (CountedTerms, (self.vocabulary, self.ids, self.counts, self.lengths))
        return (_unpack_terms, (joined, len(self.vocabulary), self.ids, self.counts, self.lengths))

    def documents(self) -> list[dict[str, float]]:
        """The counts of each document as a dict (for tests and inspection)."""
        out, start = [], 0
        for length in self.lengths.tolist():
            out.append({self.vocabulary[i]: c for i, c in zip(self.ids[start:start + length].tolist(),
                                                             self.counts[start:start + length].tolist())})
            start += length
        return out


def _unpack_terms(joined: str, size: int, ids: np.ndarray, counts: np.ndarray, lengths: np.ndarray) -> CountedTerms:
    """``CountedTerms`` from its pickled form (``CountedTerms.__reduce__``)."""
    return CountedTerms(joined.split("\n") if size else [], ids, counts, lengths)


def tfidf_matrix(documents: Sequence[Mapping[str, float]]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf) for weighted term counts.

    The idf is fitted on exactly these documents, so callers pass the new articles
    together with the ones they are compared against.
    """
    # Chunks bound the lists' memory while counting.
    return tfidf_rows([CountedTerms.of(documents[start:start + 2000]) for start in range(0, len(documents), 2000)])


@dataclass
class TermRows:
    """Weighted term counts of documents, one after another, each count with its column:
    what ``tfidf_of`` weighs. Columns are numbered from 0 to ``width`` - 1."""

    columns: np.ndarray  # int32: the column of each count
    counts: np.ndarray   # float64, all positive
    lengths: np.ndarray  # int64: how many counts each document has
    width: int


def term_rows(parts: Sequence[CountedTerms]) -> TermRows:
    """The documents of ``parts``, one after another, with columns numbered by the terms'
    first occurrence, as a loop over the terms would."""
    # Columns by each term's first occurrence, found by sorting the terms' hashes (numpy in
    # place of a dict lookup per term: half a second less for a day of 20,000 articles). Two
    # terms of one 64-bit hash would share a column: about one chance in a billion a day.
    sizes = [len(part.vocabulary) for part in parts]
    hashes = np.fromiter(itertools.chain.from_iterable(map(hash, part.vocabulary) for part in parts),
                         dtype=np.int64, count=sum(sizes))
    order = np.argsort(hashes, kind="stable")
    head = np.ones(len(order), dtype=bool)
    np.not_equal(hashes[order][1:], hashes[order][:-1], out=head[1:])
    first = order[head]  # where each distinct term first occurs
    rank = np.empty(len(first), dtype=np.int32)
    rank[np.argsort(first)] = np.arange(len(first), dtype=np.int32)
    column = np.empty(len(order), dtype=np.int32)
    column[order] = rank[np.cumsum(head) - 1]
    starts = np.cumsum([0] + sizes)
    columns = [column[starts[k]:starts[k + 1]][part.ids] for k, part in enumerate(parts)]
    return TermRows(np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32),
                    np.concatenate([part.counts for part in parts]) if parts else np.zeros(0),
                    np.concatenate([part.lengths for part in parts]) if parts else np.zeros(0, dtype=np.int64),
                    len(first))


def tfidf_rows(parts: Sequence[CountedTerms]) -> sparse.csr_matrix:
    """``tfidf_matrix`` of the documents of ``parts``, one after another. Columns are
    numbered by the terms' first occurrence, as a loop over the terms would."""
    return tfidf_of(term_rows(parts))


def tfidf_of(rows: TermRows) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf) of ``rows``, the idf fitted on them."""
    lengths, counts, indices, width = rows.lengths, rows.counts, rows.columns, rows.width
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    df = np.bincount(indices, minlength=width)
    idf = np.log((1.0 + len(lengths)) / (1.0 + df)) + 1.0
    # Weights and unit rows on the arrays themselves (sparse products made copies).
    data = (1.0 + np.log(counts)) * idf[indices]
    row_of = np.repeat(np.arange(len(lengths)), lengths)
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=len(lengths)))
    norms[norms == 0] = 1.0
    data /= norms[row_of]
    return sparse.csr_matrix((data, indices, indptr), shape=(len(lengths), max(width, 1)))


def side_by_side(left: sparse.csr_matrix, right: sparse.csr_matrix, left_weight: float, right_weight: float,
                 dtype=np.float32) -> sparse.csr_matrix:
    """The rows of ``left`` and ``right`` side by side (``right``'s columns after ``left``'s),
    each scaled by its weight, columns sorted in each row: ``sparse.hstack`` of the two
    scaled matrices, written into place directly (hstack with its scaled copies took 0.6 s
    for 50,000 articles)."""
    rows = left.shape[0]
    on_left = np.diff(left.indptr)
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(on_left + np.diff(right.indptr), out=indptr[1:])
    data = np.empty(indptr[-1], dtype=dtype)
    indices = np.empty(indptr[-1], dtype=np.int32)
    # Each entry's place: its row's start, plus its place in its own row, plus (for the
    # right part) the left part's entries of that row.
    for part, weight, shift, after in ((left, left_weight, 0, 0), (right, right_weight, left.shape[1], on_left)):
        row = np.repeat(np.arange(rows), np.diff(part.indptr))
        place = indptr[row] + np.arange(part.nnz) - part.indptr[row]
        if shift:
            place += after[row]
        data[place] = part.data * weight
        indices[place] = part.indices + shift
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(rows, left.shape[1] + right.shape[1]))
    # Sorted columns in each row, as hstack gives them: products of rows take the fast path.
    matrix.sort_indices()
    return matrix


def normalise_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Scale every non-empty row of ``matrix`` to unit l2 length."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


def top_terms(matrix: sparse.csr_matrix, k: int) -> list[np.ndarray]:
    """Column indices of the ``k`` heaviest terms of each row (all of them when fewer)."""
    out = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        cols, vals = matrix.indices[start:end], matrix.data[start:end]
        if len(cols) > k:
            keep = np.argpartition(-vals, k - 1)[:k]
            cols = cols[keep]
        out.append(cols)
    return out


def top_term_matrix(matrix: sparse.csr_matrix, k: int, allowed: np.ndarray) -> sparse.csr_matrix:
    """``matrix`` with only each row's ``k`` heaviest allowed terms kept (float32, int32 indices).

    Rows longer than ``k`` are taken in bands of similar length, each band as one padded
    table with a selection per row in one call: a call per row (17,000 on a window of
    20,000 articles) cost twice as much, on every day's build."""
    data = np.where(allowed[matrix.indices], matrix.data, 0.0).astype(np.float32)
    indptr = matrix.indptr
    lengths = np.diff(indptr)
    keep = np.repeat(lengths <= k, lengths)
    long_rows = np.flatnonzero(lengths > k)
    if len(long_rows):
        band = np.ceil(np.log2(lengths[long_rows]) * 2).astype(np.int64)  # lengths within a factor of 1.4
        for level in np.unique(band).tolist():
            chosen = long_rows[band == level]
            steps = np.arange(int(lengths[chosen].max()))
            place = np.minimum(indptr[chosen][:, None] + steps[None, :], indptr[chosen + 1][:, None] - 1)
            values = data[place]
            values[steps[None, :] >= lengths[chosen][:, None]] = -1.0  # padding: below every weight
            np.negative(values, out=values)
            top = np.argpartition(values, k - 1, axis=1)[:, :k]
            keep[np.take_along_axis(place, top, axis=1).ravel()] = True
    keep &= data > 0
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    kept = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=matrix.shape[0]), out=kept[1:])
    return sparse.csr_matrix((data[keep], matrix.indices[keep].astype(np.int32), kept), shape=matrix.shape)


# Rows with fewer entries than this on average are multiplied element-wise (``row_dots``).
_SHORT_ROWS = 16


def row_dots(matrix: sparse.csr_matrix, left: Iterable[int], right: Iterable[int],
             chunk: int = 20000) -> np.ndarray:
    """Dot products of row pairs ``(left[i], right[i])`` in double precision, in chunks to
    bound memory; fastest with ``left`` sorted (pairs of one left row one after another).

    Millions of pairs on a big day: the chunks are shared among the cores
    (``summarize.parallel``).
    """
    left = np.asarray(list(left) if not isinstance(left, np.ndarray) else left, dtype=np.int64)
    right = np.asarray(list(right) if not isinstance(right, np.ndarray) else right, dtype=np.int64)
    if len(left) == 0:
        return np.zeros(0, dtype=np.float64)
    if matrix.nnz < _SHORT_ROWS * matrix.shape[0]:
        # Rows of a few entries (the days a lead names): a run per left row costs more than
        # its rows, and the whole is too little work to share among processes.
        wide = matrix.astype(np.float64)
        return np.asarray(wide[left].multiply(wide[right]).sum(axis=1)).ravel()
    # In double precision once (the products are summed in it): converting the rows of every
    # chunk, copied out of a single-precision matrix, took a third of the time.
    wide = matrix.astype(np.float64, copy=False)
    return map_chunks(functools.partial(_row_dots, wide, left, right), np.arange(len(left)),
                      chunk=chunk, min_items=20 * chunk)


def _row_dots(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``row_dots`` of the pairs at ``positions`` (consecutive), chunk by chunk.

    Each run of pairs with one left row is one sparse product: the right rows (copied out
    of ``matrix`` for the chunk, one after another) times the left row spread out dense.
    The earlier way copied both rows of every pair and multiplied them element-wise, which
    merged the two rows' columns pair by pair and copied each left row once per pair (some
    seventy times on a big day): about twice the CPU for 1.4 million pairs. The product is
    scipy's own compiled one (``csr_matvec``, reached through ``scipy.sparse._sparsetools``
    because a matrix object per run would cost more than the run; without that private
    module, the public product per run)."""
    first, last = int(positions[0]), int(positions[-1]) + 1
    out = np.zeros(last - first, dtype=np.float64)
    if not matrix.has_canonical_format:  # a column twice in a row would be spread once
        matrix = matrix.copy()
        matrix.sum_duplicates()
    width = matrix.shape[1]
    dense = np.zeros(width, dtype=np.float64)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    step = 20000
    for start in range(first, last, step):
        stop = min(start + step, last)
        lefts = left[start:stop]
        rights = matrix[right[start:stop]]
        row_at, columns, values = rights.indptr, rights.indices, rights.data.astype(np.float64, copy=False)
        runs = np.flatnonzero(np.concatenate(([True], lefts[1:] != lefts[:-1])))
        ends = np.append(runs[1:], len(lefts))
        result = out[start - first:stop - first]
        for row, a, b in zip(lefts[runs].tolist(), runs.tolist(), ends.tolist()):
            lo, hi = indptr[row], indptr[row + 1]
            spread = indices[lo:hi]
            dense[spread] = data[lo:hi]
            s, e = row_at[a], row_at[b]
            if _csr_matvec is not None:
                _csr_matvec(b - a, width, row_at[a:b + 1] - s, columns[s:e], values[s:e], dense, result[a:b])
            else:  # the public product: a matrix object per run, the same sums
                result[a:b] += rights[a:b] @ dense
            dense[spread] = 0.0
    return out


def centred_similarities(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray,
                         shrink: float) -> np.ndarray:
    """Cosine similarities of row pairs after subtracting the collection's mean row.

    Why: articles on one broad subject (a week of US politics) all share its vocabulary,
    which lifts every pair's plain cosine alike; taking the shared background out leaves
    what is particular to each event and widens the gap between "same event" and "same
    subject". The mean is weighted by ``n / (n + shrink)`` because with a handful of
    articles it is mostly the articles themselves: two reports of one event would
    otherwise point away from each other once their own average is removed.
    The sparse rows are never densified: ``(x-m).(y-m) = x.y - x.m - y.m + m.m``.
    """
    n = matrix.shape[0]
    if n == 0 or len(left) == 0:
        return np.zeros(len(left), dtype=np.float64)
    mean = np.asarray(matrix.mean(axis=0)).ravel() * (n / (n + shrink))
    along = matrix @ mean
    mm = float(mean @ mean)
    norms = np.sqrt(np.maximum(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
                               - 2 * along + mm, 1e-12))
    dots = row_dots(matrix, left, right) - along[left] - along[right] + mm
    return dots / (norms[left] * norms[right])


def centred_cohesion(matrix: sparse.csr_matrix, groups: Sequence[Sequence[int]], shrink: float) -> np.ndarray:
    """For each group of rows, the average centred cosine of its pairs (see ``centred_similarities``).

    Summed without enumerating pairs: with ``y`` the centred unit rows, the pairs of a
    group sum to ``(|sum y|^2 - k) / 2``, and ``sum y = s - c * mean`` with ``s`` the sum of
    the sparse rows divided by their centred norms and ``c`` the sum of those divisors.
    Negative pairs are not floored at zero here, so this is a slight underestimate.
    """
    n = matrix.shape[0]
    out = np.zeros(len(groups))
    if n == 0 or not groups:
        return out
    mean = np.asarray(matrix.mean(axis=0)).ravel() * (n / (n + shrink))
    along = matrix @ mean
    mm = float(mean @ mean)
    norms = np.sqrt(np.maximum(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel() - 2 * along + mm, 1e-12))
    # All groups at once: one sparse product of a group-by-row matrix of the divisors.
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    chosen = np.flatnonzero(sizes >= 2)
    if len(chosen) == 0:
        return out
    members = np.concatenate([np.asarray(groups[g], dtype=np.int64) for g in chosen.tolist()])
    group_of = np.repeat(np.arange(len(chosen)), sizes[chosen])
    inverse = 1.0 / norms[members]
    weights = sparse.csr_matrix((inverse, (group_of, members)), shape=(len(chosen), n))
    summed = (weights @ matrix).tocsr()
    c = np.bincount(group_of, weights=inverse, minlength=len(chosen))
    squares = np.asarray(summed.multiply(summed).sum(axis=1)).ravel()
    square = squares - 2 * c * (summed @ mean) + c * c * mm
    k = sizes[chosen]
    out[chosen] = (square - k) / (k * (k - 1))
    return out
