"""Grouping articles into stories: one story is one news event, not a topic.

Articles are compared by the cosine of their TF-IDF vectors (headline and lead weighted,
the collection's shared background taken out), words and event particulars (who, where,
when, figures: ``summarize.particulars``) weighted apart, and joined by average-link
agglomeration above one similarity threshold. Two signals keep look-alike events of one
topic apart: leads that name different days lower a pair's similarity, and two groups that
each hold together much better than they hold to each other do not merge. Time is a gate: only articles published within ``window_days`` of
each other are compared, because one event is reported within days while different
events with the same actors (two summits of the same leaders) are months or years apart.

The grouping is incremental: articles grouped in an earlier run keep their story id, new
articles may join such a story, and two earlier stories are never merged.

Scale: pairs are never enumerated over all articles. Candidates are the pairs that share
one of their heaviest terms (an inverted index over each article's top terms, with terms
common to very many articles left out) and lie within the time window; only those pairs
get a similarity.
"""
from __future__ import annotations

import functools
import hashlib
import heapq
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sparse_dot_topn import sp_matmul_topn

from core.models import Article
from summarize import textvec
from summarize.parallel import map_chunks
from summarize.particulars import read_particulars, split_words

log = logging.getLogger(__name__)

_SECONDS_PER_DAY = 86400.0
# Entries a row's product keeps beyond its ``candidates`` (see ``_candidate_pairs``).
_SPARE = 8
# Articles per block of the candidate product (see ``_candidate_pairs``).
_BLOCK = 2048


@dataclass(frozen=True)
class GroupingOptions:
    """How articles are grouped into stories; one configuration serves all data."""

    # Average similarity (centred cosine of words and particulars, negatives as zero, over
    # the article pairs within the time window) from which two groups are the same story.
    # With the particulars and the cohesion bar below, ECB+, basil and newswcl50 stay within
    # 0.01 of their figures from 0.12 to 0.14; 0.13 is the middle. The seed pages' preview
    # of the 2025 Istanbul talks (bulleted, other spellings of the leaders' names) still
    # joins the reports of the talks there, and the 2022 talks stay apart.
    threshold: float = 0.13
    # Articles further apart than this are never compared: an event's coverage spans a
    # few days, a follow-up the next day still joins through its recent members.
    window_days: float = 7.0
    # Candidate pairs must share one of each article's ``top_terms`` heaviest terms. A pair
    # outside the candidates counts as zero in the average link, so too few terms split a
    # story: with 30, a preview page and a live blog of the same talks shared none.
    top_terms: int = 60
    # Terms found in more articles than this are left out of the candidate index (they
    # would make it quadratic and say little about which event an article reports).
    max_index_df: int = 2000
    # How many most similar articles (within the window) each article is compared with:
    # the bound that keeps pairs linear in the number of articles. A pair outside counts
    # as zero in the average link, so a story larger than this is held together by the
    # overlap of its members' neighbours; wire copies fill the nearest places first.
    candidates: int = 100
    # How many articles the collection needs before its mean (the shared background of
    # the subject) is half taken out of every article before comparing; see
    # textvec.centred_similarities.
    background_shrink: float = 30.0
    # Share of the similarity that comes from the event particulars (names, places, dates,
    # figures; see summarize.particulars) rather than all the words. ECB+ (two events per
    # topic) is best from 0.3 to 0.4 with basil and newswcl50 unchanged; 0.4 is used.
    particulars_weight: float = 0.4
    # A group joins another group only if their average link reaches this share of the
    # weaker one's own average link (its cohesion), besides the threshold: two reports of
    # one event hold to each other about as well as to themselves, two events of one topic
    # do not. Single articles and earlier stories have no cohesion bar. Measured: 0.6
    # keeps ECB+ and the held-out half of its topics within 0.02 of each other.
    relative_link: float = 0.6
    # Two articles whose headline and first two sentences both say on which day things
    # happened, and name no day in common, report different events more often than not
    # (two calls between the same leaders on Monday and on Friday): their similarity is
    # multiplied by this. A softer factor, because a follow-up's lead names its own day
    # ("a day after the summit, ... on Wednesday"): 0.5 cost basil 0.03 of recall.
    day_conflict: float = 0.7
    weighting: textvec.Weighting = field(default_factory=textvec.Weighting)


def group_articles(articles: Sequence[Article], previous: Mapping[str, str] = {},
                   options: GroupingOptions = GroupingOptions()) -> dict[str, str]:
    """Map every article id to a story id.

    ``previous`` maps article ids grouped in an earlier run to their story id: those keep
    it, and a new article joins such a story when it continues it (average similarity to
    the story's members published within the time window above the threshold). Earlier
    stories are never merged with each other. A new story's id is derived from the id of
    its earliest article, so rerunning on the same input gives the same ids.
    """
    unique: dict[str, Article] = {}
    for article in articles:
        unique.setdefault(article.id, article)
    ordered = sorted(unique.values(), key=lambda a: (a.published.timestamp(), a.id))
    if not ordered:
        return {}
    times = np.array([a.published.timestamp() / _SECONDS_PER_DAY for a in ordered])
    known = np.array([a.id in previous for a in ordered])
    matrix, days = article_vectors(ordered, options)
    left, right = _candidate_pairs(matrix, times, known, options)
    sims = textvec.centred_similarities(matrix, left, right, options.background_shrink)
    sims *= np.where(_days_disagree(days, left, right), options.day_conflict, 1.0)
    log.debug("grouping %d articles (%d new): %d candidate pairs",
              len(ordered), int((~known).sum()), len(left))

    clusters = _agglomerate(ordered, times, previous, left, right, sims, options,
                            lambda groups: textvec.centred_cohesion(matrix, groups, options.background_shrink))

    result: dict[str, str] = {}
    taken = set(previous.values())
    for members, anchor in clusters:
        story = anchor
        if story is None:
            story = _new_story_id(ordered[members[0]].id, taken)
            taken.add(story)
        for index in members:
            article_id = ordered[index].id
            # An article grouped before keeps its story even if it was put among others.
            result[article_id] = previous.get(article_id, story)
    return result


def article_vectors(articles: Sequence[Article], options: GroupingOptions = GroupingOptions()
                    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """One row per article: its words and, weighted apart, its event particulars; and its days.

    The first matrix's row is two unit TF-IDF vectors side by side, scaled so that the dot
    product of two rows is ``(1 - w) * words cosine + w * particulars cosine`` with ``w``
    the ``particulars_weight``: two write-ups of one event agree on both, two events of
    one topic only on the words. The second matrix marks the days each article names
    (``d:`` particulars), one column per day.
    """
    chunks = map_chunks(read_articles, [(a.title, a.text, a.published, a.published_from, options.weighting)
                                         for a in articles])
    words = textvec.tfidf_rows([chunk.words for chunk in chunks])
    lead_days = [days for chunk in chunks for days in chunk.lead_days]
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, named in enumerate(lead_days):
        for term in named:
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
    days = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                             shape=(len(articles), max(len(vocabulary), 1)))
    # Single precision: the similarities differ from double's by less than 1e-6, and the
    # pair similarities, which copy millions of rows, take half the time.
    weight = options.particulars_weight
    if weight <= 0:
        return words.astype(np.float32), days
    facts = textvec.tfidf_rows([chunk.facts for chunk in chunks])
    return sparse.hstack([words * np.sqrt(1.0 - weight), facts * np.sqrt(weight)], format="csr", dtype=np.float32), days


@dataclass
class Reading:
    """What grouping reads in a run of articles: their weighted terms, their particulars
    (``summarize.particulars``) and the days named in each one's lead."""

    words: textvec.CountedTerms
    facts: textvec.CountedTerms
    lead_days: list[list[str]]


def read_articles(items: Sequence[tuple]) -> list[Reading]:
    """The ``Reading`` of (title, text, published, published_from, weighting) items, one per
    run of up to 250 articles: everything grouping reads in an article, in one function that
    worker processes can run on their chunk of the articles (see ``summarize.parallel``).

    Why runs: a Counter per article kept until the end made the garbage collector walk
    tens of thousands of them again and again (reading 20,000 articles took half as long
    again)."""
    out = []
    for start in range(0, len(items), 250):
        terms, found, lead_days = [], [], []
        for title, text, published, published_from, weighting in items[start:start + 250]:
            # One split of the article serves the words and the particulars.
            head = split_words(title).lower if title else []
            whole = split_words(f"{title}\n{text}" if title else text)
            facts, days = read_particulars(whole, len(head), published, published_from)
            terms.append(textvec.weighted_terms(head, whole.lower[len(head):], weighting))
            found.append(facts)
            lead_days.append(list(days))
        out.append(Reading(textvec.CountedTerms.of(terms), textvec.CountedTerms.of(found), lead_days))
    return out


def _days_disagree(days: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Whether both articles of each pair name days and none of them the same one."""
    named = np.diff(days.indptr) > 0
    both = named[left] & named[right]
    out = np.zeros(len(left), dtype=bool)
    if both.any():
        shared = textvec.row_dots(days, left[both], right[both])
        out[np.flatnonzero(both)] = shared == 0
    return out


def _new_story_id(first_article_id: str, taken: set[str]) -> str:
    """A stable story id derived from its first article's id, unique among ``taken``."""
    digest = hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()
    story, n = f"story-{digest[:12]}", 1
    while story in taken:
        n += 1
        story = f"story-{digest[:12]}-{n}"
    return story


def _candidate_pairs(matrix: sparse.csr_matrix, times: np.ndarray, known: np.ndarray,
                     options: GroupingOptions) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) worth comparing: within the window, not both known, among each other's nearest.

    Each article keeps its ``candidates`` most similar articles within the time window, by
    a sparse product over its ``top_terms`` heaviest terms (terms in more than
    ``max_index_df`` articles left out). Why bounded: on real news a name or term of middle
    frequency is shared by hundreds of articles of other events, and keeping every pair that
    shares a term made 43 million pairs for 20,000 articles. Articles are sorted by time, so
    a block's window is a contiguous range; blocks keep the product's memory bounded.
    """
    n = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    index = textvec.top_term_matrix(matrix, options.top_terms, df <= options.max_index_df)
    index_t = index.T.tocsr()
    # Blocks of articles, shared among the cores (``summarize.parallel``): each is one product
    # against its window. The product's own threads (OpenMP) are not used: a process that
    # has started them and then forks (our readers, or any caller) can hang in the child.
    starts = np.arange(0, n, _BLOCK)
    keys = map_chunks(functools.partial(_block_candidates, index, index_t, times, known, options),
                      starts, chunk=1, min_items=4)
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # Sorted, then equal neighbours dropped: np.unique (numpy 2.4) took 2.5 s here on
    # 4 million keys against 0.1 s for the sort.
    keys = np.sort(keys)
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    pairs = keys[keep]
    return pairs // n, pairs % n


def _block_candidates(index: sparse.csr_matrix, index_t: sparse.csr_matrix, times: np.ndarray,
                      known: np.ndarray, options: GroupingOptions, starts: np.ndarray) -> np.ndarray:
    """The candidate pairs of the blocks of articles beginning at ``starts``, as keys ``i * n + j`` (i < j)."""
    n = index.shape[0]
    k = options.candidates
    # A few more than k per row come out of the product, because the article itself and
    # (at a block's edges) articles outside its own window are among them and dropped.
    wanted = k + 1 + _SPARE
    keys = [np.zeros(0, dtype=np.int64)]
    for start in starts.tolist():
        stop = min(start + _BLOCK, n)
        lo = int(np.searchsorted(times, times[start] - options.window_days, side="left"))
        hi = int(np.searchsorted(times, times[stop - 1] + options.window_days, side="right"))
        columns = index_t[:, lo:hi]
        rows = np.arange(start, stop)
        for mine, others in ((~known[start:stop], columns),
                             # Articles grouped in an earlier run are compared with new ones only.
                             (known[start:stop], columns @ sparse.diags((~known[lo:hi]).astype(np.float32)))):
            if not mine.any():
                continue
            # The product keeps each row's best entries as it goes (sparse_dot_topn, in C++):
            # on real text every block against the whole window has tens of millions of
            # entries, which a plain product would materialise and sort.
            shared = sp_matmul_topn(index[rows[mine]], sparse.csr_matrix(others), top_n=wanted).tocoo()
            i = rows[mine][shared.row].astype(np.int64)
            j = shared.col.astype(np.int64) + lo
            keep = (i != j) & (np.abs(times[j] - times[i]) <= options.window_days)
            i, j, value = i[keep], j[keep], shared.data[keep]
            # The k best per row: sorted by row, then by descending value (ties by column).
            order = np.lexsort((j, -value, i))
            i, j = i[order], j[order]
            first = np.searchsorted(i, i, side="left")
            best = (np.arange(len(i)) - first) < k
            keys.append(np.minimum(i[best], j[best]) * n + np.maximum(i[best], j[best]))
    return np.concatenate(keys)


class _Cluster:
    """A growing group of articles during agglomeration, with its links to other groups.

    ``reps``/``totals`` hold, per neighbouring group, one member article of that group and
    the summed similarity of the candidate pairs between the two groups. Neighbours merge
    later on, so a rep is read through the article -> group map, and entries that now point
    to one group are summed when this group next merges (see ``_merged_links``).
    """

    __slots__ = ("members", "times", "anchor", "reps", "totals")

    def __init__(self, members: list[int], times: np.ndarray, anchor: str | None,
                 reps: np.ndarray, totals: np.ndarray):
        self.members = members
        self.times = np.sort(times)
        self.anchor = anchor
        self.reps = reps
        self.totals = totals


def _pairs_in_window(a: np.ndarray, b: np.ndarray, window: float) -> int:
    """How many pairs (x in a, y in b) lie within ``window`` days; both arrays sorted."""
    if max(a[-1], b[-1]) - min(a[0], b[0]) <= window:
        return len(a) * len(b)  # the common case, without a search: every pair is in the window
    lo = np.searchsorted(b, a - window, side="left")
    hi = np.searchsorted(b, a + window, side="right")
    return int((hi - lo).sum())


def _merged_links(reps: np.ndarray, totals: np.ndarray, owner: np.ndarray,
                  itself: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum link totals per current neighbour group: (group ids, one rep article each, totals)."""
    groups = owner[reps]
    keep = groups != itself
    groups, reps, totals = groups[keep], reps[keep], totals[keep]
    if len(groups) == 0:
        return groups, reps, totals
    # np.unique by hand: called some 40,000 times on arrays of a hundred or two, where its
    # own checks cost more than the sort. A stable sort keeps the first rep of each group.
    order = np.argsort(groups, kind="stable")
    groups = groups[order]
    head = np.empty(len(groups), dtype=bool)
    head[0] = True
    np.not_equal(groups[1:], groups[:-1], out=head[1:])
    run = np.cumsum(head) - 1
    return groups[head], reps[order][head], np.bincount(run, weights=totals[order], minlength=int(run[-1]) + 1)


def _agglomerate(ordered: Sequence[Article], times: np.ndarray, previous: Mapping[str, str],
                 left: np.ndarray, right: np.ndarray, sims: np.ndarray,
                 options: GroupingOptions,
                 cohesion_of: Callable[[list[list[int]]], np.ndarray] | None = None
                 ) -> list[tuple[list[int], str | None]]:
    """Average-link agglomeration over the candidate graph, with earlier stories as fixed seeds.

    The link between two groups is the sum of their candidate-pair similarities divided
    by the number of their article pairs within the time window (pairs that are not
    candidates count as zero). Two groups that both hold an earlier story never merge.

    Scale: with tens of thousands of articles there are millions of candidate links, so
    the first round of links is summed and averaged with array operations, and a merge
    only sums the two merged groups' own link arrays (a Python dict per group took 90 s
    for 50,000 articles). The result is the same as merging by dicts.
    """
    n = len(ordered)
    # owner: article -> id of its current group; group ids are article indices at first,
    # then n, n+1, ... for merged groups (the heap breaks ties by these ids).
    owner = np.arange(n)
    anchors: dict[str, int] = {}
    for index, article in enumerate(ordered):
        story = previous.get(article.id)
        if story is not None and story in anchors:
            owner[index] = anchors[story]
            continue
        if story is not None:
            anchors[story] = index

    positive = sims > 0
    left, right, sims = left[positive], right[positive], sims[positive]
    adjacency = sparse.csr_matrix(
        (np.concatenate([sims, sims]), (np.concatenate([left, right]), np.concatenate([right, left]))),
        shape=(n, n))

    members: dict[int, list[int]] = defaultdict(list)
    for index, root in enumerate(owner.tolist()):
        members[root].append(index)
    clusters: dict[int, _Cluster] = {}
    for root, group in members.items():
        if len(group) == 1:
            # a plain slice: entries pointing into one group are summed at its first merge
            span = slice(adjacency.indptr[root], adjacency.indptr[root + 1])
            reps, totals = adjacency.indices[span], adjacency.data[span]
        else:
            rows = adjacency[group]
            _, reps, totals = _merged_links(rows.indices, rows.data, owner, root)
        clusters[root] = _Cluster(group, times[group], previous.get(ordered[root].id), reps, totals)

    threshold, window = options.threshold, options.window_days
    # Per group id: size, first and last publication time, whether it holds an earlier story.
    size = np.zeros(2 * n, dtype=np.int64)
    lo, hi = np.zeros(2 * n), np.zeros(2 * n)
    anchored = np.zeros(2 * n, dtype=bool)
    # Per group id: the summed similarity of its own candidate pairs, and their average
    # over all its article pairs (0 for a single article or an earlier story: no bar).
    inner_sum, cohesion = np.zeros(2 * n), np.zeros(2 * n)
    relative = options.relative_link

    def describe(key: int, cluster: _Cluster) -> None:
        size[key], lo[key], hi[key] = len(cluster.members), cluster.times[0], cluster.times[-1]
        anchored[key] = cluster.anchor is not None

    for root, cluster in clusters.items():
        describe(root, cluster)
    # Earlier stories bring their own cohesion, so that today's coverage of another event
    # of the topic, once grouped, does not slip into yesterday's story.
    stories = [root for root, cluster in clusters.items() if len(cluster.members) > 1]
    known = cohesion_of([clusters[root].members for root in stories]) if cohesion_of else np.zeros(len(stories))
    for root, value in zip(stories, known):
        size_ = len(clusters[root].members)
        cohesion[root] = max(float(value), 0.0)
        inner_sum[root] = cohesion[root] * size_ * (size_ - 1) / 2

    def averages(x: np.ndarray | int, ids: np.ndarray, totals: np.ndarray) -> np.ndarray:
        """Average links of groups ``x[k]`` (or the one group ``x``) and ``ids[k]`` (0 where they may not merge)."""
        pairs = size[x] * size[ids]
        far = np.flatnonzero(np.maximum(hi[x], hi[ids]) - np.minimum(lo[x], lo[ids]) > window)
        for k in far.tolist():
            one = int(x) if np.ndim(x) == 0 else int(x[k])
            pairs[k] = _pairs_in_window(clusters[one].times, clusters[int(ids[k])].times, window)
        out = np.divide(totals, pairs, out=np.zeros(len(totals)), where=pairs > 0)
        out[anchored[x] & anchored[ids]] = 0.0
        # Two groups that each hold together much better than they hold to each other are
        # two events of one topic (two rounds of talks): their link must reach a share of
        # the weaker group's own cohesion, not only the threshold.
        out[out < relative * np.minimum(cohesion[x], cohesion[ids])] = 0.0
        return out

    # The heap holds one entry per group: its best neighbour. The best pair overall is the
    # best neighbour of both its groups, so it is always in the heap; an entry whose
    # neighbour has merged since is recomputed when it comes up (see ``best``).
    heap: list[tuple[float, int, int]] = []

    def best(x: int) -> None:
        cluster = clusters[x]
        ids, cluster.reps, cluster.totals = _merged_links(cluster.reps, cluster.totals, owner, x)
        strong = cluster.totals >= threshold
        if not strong.any():
            return
        ids, totals = ids[strong], cluster.totals[strong]
        average = averages(x, ids, totals)
        k = int(np.argmax(average))  # ties: the smallest group id (ids are sorted)
        if average[k] >= threshold:
            heapq.heappush(heap, (-float(average[k]), x, int(ids[k])))

    # First round over arrays: the summed links between the initial groups, both ways.
    a_of, b_of = owner[left], owner[right]
    between = a_of != b_of
    first = sparse.coo_matrix((np.concatenate([sims[between], sims[between]]),
                               (np.concatenate([a_of[between], b_of[between]]),
                                np.concatenate([b_of[between], a_of[between]]))),
                              shape=(n, n)).tocsr().tocoo()
    strong = first.data >= threshold
    x, ids, totals = first.row[strong].astype(np.int64), first.col[strong].astype(np.int64), first.data[strong]
    average = averages(x, ids, totals)
    order = np.lexsort((ids, -average, x))
    x, ids, average = x[order], ids[order], average[order]
    head = np.ones(len(x), dtype=bool)
    head[1:] = x[1:] != x[:-1]
    head &= average >= threshold
    heap = list(zip((-average[head]).tolist(), x[head].tolist(), ids[head].tolist()))
    heapq.heapify(heap)

    next_id = n
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in clusters:
            continue  # the group has merged since
        if b not in clusters:
            best(a)  # its best neighbour has merged since: look again
            continue
        ca, cb = clusters.pop(a), clusters.pop(b)
        new = next_id
        next_id += 1
        joined = ca.members + cb.members
        owner[joined] = new
        clusters[new] = _Cluster(joined, np.concatenate([ca.times, cb.times]), ca.anchor or cb.anchor,
                                 np.concatenate([ca.reps, cb.reps]), np.concatenate([ca.totals, cb.totals]))
        describe(new, clusters[new])
        pairs = _pairs_in_window(ca.times, cb.times, window)
        inner_sum[new] = inner_sum[a] + inner_sum[b] + (-negative) * pairs
        cohesion[new] = inner_sum[new] / (len(joined) * (len(joined) - 1) / 2)
        best(new)

    result = []
    for cluster in clusters.values():
        result.append((sorted(cluster.members), cluster.anchor))
    result.sort(key=lambda item: item[0][0])
    return result
