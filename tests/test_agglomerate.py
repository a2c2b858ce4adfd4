"""The agglomeration gives exactly the result of the version before its speed-up.

``summarize.agglomerate`` sums links and compares averages by other means than the array
version it replaced (kept below as ``reference_agglomerate``, as it was at commit 83f99a8),
with the claim that every sum adds the same numbers in the same order and every tie goes
the same way. Random inputs with earlier stories, groups spanning more than the window,
tied similarities and a cohesion bar check that claim: same groups, same order.
"""
from __future__ import annotations

import heapq
import random
from collections import defaultdict
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import sparse

from summarize.agglomerate import _agglomerate, _summed
from summarize.group import GroupingOptions


def random_case(seed: int, n: int = 120):
    """Articles over 12 days, links mostly within the week (some beyond), earlier stories, ties."""
    rng = random.Random(seed)
    times = np.sort(np.array([rng.uniform(0, 12) for _ in range(n)]))
    stories = [f"story-{k}" for k in range(4)]
    previous = {f"a{i}": rng.choice(stories) for i in range(n) if rng.random() < 0.12}
    links = {}
    for i in range(n):
        for j in range(i + 1, n):
            near = abs(times[i] - times[j]) <= 7
            if rng.random() < (0.25 if near else 0.01):
                # with even seeds a few values only, so that sums and averages tie
                links[(i, j)] = (rng.choice([-0.1, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.45]) if seed % 2 == 0
                                 else rng.uniform(-0.1, 0.5))
    left = np.array([i for i, _ in links], dtype=np.int64)
    right = np.array([j for _, j in links], dtype=np.int64)
    sims = np.array(list(links.values()))
    ordered = [SimpleNamespace(id=f"a{i}") for i in range(n)]
    cohesion = {k: rng.uniform(0, 1) for k in range(n)}  # from no bar to one few links pass

    def cohesion_of(groups):
        return np.array([cohesion[group[0]] for group in groups])

    return ordered, times, previous, left, right, sims, cohesion_of


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("relative", [0.0, 0.6, 1.0])
def test_agglomeration_equals_the_previous_version(seed, relative):
    ordered, times, previous, left, right, sims, cohesion_of = random_case(seed)
    options = GroupingOptions(threshold=0.13, window_days=7.0, relative_link=relative)
    fast = _agglomerate(ordered, times, previous, left, right, sims, options, cohesion_of)
    slow = reference_agglomerate(ordered, times, previous, left, right, sims, options, cohesion_of)
    assert fast == slow
    assert len(fast) < len(ordered) - 10  # merges happened: the check is not vacuous


@pytest.mark.parametrize("seed", range(6))
def test_tight_groups_with_few_neighbours_equal_the_previous_version(seed):
    """Groups whose every neighbour is above the threshold but below their cohesion bar."""
    rng = random.Random(seed)
    n = 90
    times = np.sort(np.array([rng.uniform(0, 9) for _ in range(n)]))
    links = {}
    for start in range(0, n, 5):  # tight groups of five articles
        for i in range(start, start + 5):
            for j in range(i + 1, start + 5):
                links[(i, j)] = rng.uniform(0.4, 0.6)
    for _ in range(25):  # and a few links between them, above the threshold
        i, j = sorted(rng.sample(range(n), 2))
        links.setdefault((i, j), rng.uniform(0.5, 0.9))
    left = np.array([i for i, _ in links], dtype=np.int64)
    right = np.array([j for _, j in links], dtype=np.int64)
    sims = np.array(list(links.values()))
    ordered = [SimpleNamespace(id=f"a{i}") for i in range(n)]
    options = GroupingOptions(threshold=0.13, window_days=7.0, relative_link=1.0)
    assert (_agglomerate(ordered, times, {}, left, right, sims, options)
            == reference_agglomerate(ordered, times, {}, left, right, sims, options))


@pytest.mark.parametrize("threshold", [0.0, 0.3])
def test_other_thresholds_equal_the_previous_version(threshold):
    ordered, times, previous, left, right, sims, cohesion_of = random_case(7, n=60)
    options = GroupingOptions(threshold=threshold, window_days=7.0, relative_link=0.6)
    assert (_agglomerate(ordered, times, previous, left, right, sims, options, cohesion_of)
            == reference_agglomerate(ordered, times, previous, left, right, sims, options, cohesion_of))


@pytest.mark.parametrize("seed", range(3))
def test_single_precision_similarities_equal_the_previous_version(seed):
    """Sums and averages are in double precision either way; a float32 0.13 is below 0.13."""
    ordered, times, previous, left, right, sims, cohesion_of = random_case(seed, n=80)
    sims = np.where(np.arange(len(sims)) % 3 == 0, 0.13, sims).astype(np.float32)
    options = GroupingOptions(threshold=0.13, window_days=7.0, relative_link=0.6)
    for earlier in ({}, previous):
        assert (_agglomerate(ordered, times, earlier, left, right, sims, options, cohesion_of)
                == reference_agglomerate(ordered, times, earlier, left, right, sims, options, cohesion_of))
    two = [SimpleNamespace(id="a"), SimpleNamespace(id="b")]
    link = np.array([0.13], dtype=np.float32)
    apart = [([0], None), ([1], None)]
    pair = (two, np.zeros(2), {}, np.array([0]), np.array([1]), link, options)
    assert _agglomerate(*pair) == reference_agglomerate(*pair) == apart


def test_an_article_linked_to_itself():
    ordered = [SimpleNamespace(id=f"a{i}") for i in range(3)]
    times, left, right, sims = np.zeros(3), np.array([0, 0, 1]), np.array([0, 1, 2]), np.array([0.9, 0.5, 0.8])
    options = GroupingOptions()
    fast = _agglomerate(ordered, times, {}, left, right, sims, options)
    assert fast == reference_agglomerate(ordered, times, {}, left, right, sims, options)


def test_an_earlier_story_without_links():
    ordered = [SimpleNamespace(id=f"a{i}") for i in range(4)]
    times, previous = np.array([0.0, 1.0, 2.0, 3.0]), {"a0": "s", "a3": "s"}
    left, right, sims = np.array([1]), np.array([2]), np.array([0.5])
    options = GroupingOptions()
    fast = _agglomerate(ordered, times, previous, left, right, sims, options)
    assert fast == reference_agglomerate(ordered, times, previous, left, right, sims, options)
    assert fast == [([0, 3], "s"), ([1, 2], None)]


def test_links_are_summed_in_their_order():
    """Float sums depend on their order: each group's values are added left to right from 0.0."""
    rng = np.random.default_rng(5)
    groups = rng.integers(0, 40, 400)
    values = rng.uniform(0, 1, 400) * 10.0 ** rng.integers(-8, 2, 400)
    distinct, sums = _summed(groups, values)
    expected = defaultdict(float)
    for group, value in zip(groups.tolist(), values.tolist()):
        expected[group] = expected[group] + value
    assert distinct.tolist() == sorted(expected)
    assert sums.tolist() == [expected[group] for group in sorted(expected)]


def test_agglomeration_without_earlier_stories_equals_the_previous_version():
    ordered, times, _, left, right, sims, _ = random_case(99, n=300)
    options = GroupingOptions()
    assert (_agglomerate(ordered, times, {}, left, right, sims, options)
            == reference_agglomerate(ordered, times, {}, left, right, sims, options))


# The version before the speed-up, unchanged but for its name.

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


def _reference_pairs_in_window(a: np.ndarray, b: np.ndarray, window: float) -> int:
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


def reference_agglomerate(ordered: Sequence[Article], times: np.ndarray, previous: Mapping[str, str],
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
            pairs[k] = _reference_pairs_in_window(clusters[one].times, clusters[int(ids[k])].times, window)
        out = np.divide(totals, pairs, out=np.zeros(len(totals)), where=pairs > 0)
        out[anchored[x] & anchored[ids]] = 0.0
        # Two groups that each hold together much better than they hold to each other are
        # two events of one topic (two rounds of talks): their link must reach a share of
        # the weaker group's own cohesion, not only the threshold.
        # A group that follows the other (the next day's reports of one process) needs
        # only ``continuation_link`` of it.
        share = np.full(len(out), relative)
        if options.continuation_link < relative:
            gap = options.continuation_days
            x_first = (lo[ids] > hi[x]) & (lo[ids] - hi[x] <= gap) & (np.floor(lo[ids]) > np.floor(lo[x]))
            ids_first = (lo[x] > hi[ids]) & (lo[x] - hi[ids] <= gap) & (np.floor(lo[x]) > np.floor(lo[ids]))
            share[x_first | ids_first] = options.continuation_link
        out[out < share * np.minimum(cohesion[x], cohesion[ids])] = 0.0
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
        pairs = _reference_pairs_in_window(ca.times, cb.times, window)
        inner_sum[new] = inner_sum[a] + inner_sum[b] + (-negative) * pairs
        cohesion[new] = inner_sum[new] / (len(joined) * (len(joined) - 1) / 2)
        best(new)

    result = []
    for cluster in clusters.values():
        result.append((sorted(cluster.members), cluster.anchor))
    result.sort(key=lambda item: item[0][0])
    return result


@pytest.mark.parametrize("seed", range(4))
def test_a_following_group_meets_a_lower_bar_in_both_versions(seed):
    # The random days hold groups that follow one another within a day and a half: with
    # their lower bar they merge where the full bar kept them apart.
    ordered, times, previous, left, right, sims, cohesion_of = random_case(seed)
    full = GroupingOptions(threshold=0.13, relative_link=0.6, continuation_link=0.6)
    lower = GroupingOptions(threshold=0.13, relative_link=0.6, continuation_link=0.4)
    with_full = _agglomerate(ordered, times, previous, left, right, sims, full, cohesion_of)
    with_lower = _agglomerate(ordered, times, previous, left, right, sims, lower, cohesion_of)
    assert len(with_lower) < len(with_full)
    assert with_lower == reference_agglomerate(ordered, times, previous, left, right, sims, lower, cohesion_of)
