"""Average-link agglomeration of articles over their candidate pairs (see ``summarize.group``).

The link between two groups is the sum of their candidate-pair similarities divided by the
number of their article pairs within the time window. A heap holds one entry per group, its
best neighbour; the best pair overall is the best neighbour of both its groups, so it is
always in the heap, and an entry whose neighbour has merged since is looked at again when it
comes up. A group keeps its links as arrays (one member article of each neighbouring group,
read through the article -> group map since neighbours merge later on, and the summed
similarity), and a look sums them per current neighbour group and takes the best average.

Cost: 20,000 articles make some 19,000 merges and 22,000 second looks, each over a hundred
or two links. An array operation costs one to three microseconds however short the array,
so the count of operations per look is what matters: the previous version made about fifty
(8 s in all), this one about fifteen (about 2 s, setup and first round included):

- link sums by one sort and one bincount (``_summed``);
- the best neighbour by the argmax of the plain averages; whether the two groups may merge
  (the cohesion bar, earlier stories) is asked of that pair only, and further down the
  list only if it may not;
- pairs within the window are counted one by one only where some pair may span more than
  the window: groups at either end of the time range, or next to a group spanning it;
- the first round takes each article's best neighbour over all links at once, by a maximum
  per row rather than a sort of millions of links.

Summing only the links that changed since a group's last look, with dicts or in place,
was tried: a Python step per link costs more than the array operations it saves.

The result is exactly that of the previous version (``tests/test_agglomerate.py``): each sum
adds the same numbers in the same order (a group's links stay sorted by neighbour id, as a
stable sort of the concatenated arrays left them), each average is the same division, and
ties go to the same (smallest) group id.
"""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from core.models import Article


class LinkRules(Protocol):
    """What the agglomeration needs of the grouping options (``summarize.group.GroupingOptions``
    has them all; this module does not import it, so the two do not import each other)."""

    threshold: float
    window_days: float
    relative_link: float
    continuation_link: float
    continuation_days: float


def _pairs_in_window(a: np.ndarray, b: np.ndarray, window: float) -> int:
    """How many pairs (x in a, y in b) lie within ``window`` days; both arrays sorted."""
    if max(a[-1], b[-1]) - min(a[0], b[0]) <= window:
        return len(a) * len(b)  # the common case, without a search: every pair is in the window
    lo = np.searchsorted(b, a - window, side="left")
    hi = np.searchsorted(b, a + window, side="right")
    return int((hi - lo).sum())


def _continues(lo_x, hi_x, lo_y, hi_y, gap: float):
    """Whether one group follows the other: all its articles come after all of the other's,
    within ``gap`` days, and it begins on a later (UTC) day than the other began: the next
    day's reports of an event (times in days; numbers or arrays alike)."""
    floor = np.floor if isinstance(lo_x, np.ndarray) else math.floor
    x_first = (lo_y > hi_x) & (lo_y - hi_x <= gap) & (floor(lo_y) > floor(lo_x))
    y_first = (lo_x > hi_y) & (lo_x - hi_y <= gap) & (floor(lo_x) > floor(lo_y))
    return x_first | y_first


def _summed(groups: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``groups`` ascending, and the ``values`` of each summed in their order from 0.0."""
    if len(groups) == 0:
        return groups, values[:0]
    ordered = groups.copy()
    ordered.sort()
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    distinct = ordered[first]
    # bincount adds in the order of the entries: a group's values are summed left to right
    return distinct, np.bincount(distinct.searchsorted(groups), values, len(distinct))


def _agglomerate(ordered: Sequence[Article], times: np.ndarray, previous: Mapping[str, str],
                 left: np.ndarray, right: np.ndarray, sims: np.ndarray,
                 options: LinkRules,
                 cohesion_of: Callable[[list[list[int]]], np.ndarray] | None = None,
                 apart: Apart | None = None) -> list[tuple[list[int], str | None]]:
    """Average-link agglomeration over the candidate graph, with earlier stories as fixed seeds.

    The link between two groups is the sum of their candidate-pair similarities divided
    by the number of their article pairs within the time window (pairs that are not
    candidates count as zero). Two groups that both hold an earlier story never merge.

    Scale: the first round (every article's best neighbour among millions of candidate
    links) is done with array operations over all links at once; the merges after it as
    the module docstring says.

    ``apart`` (``summarize.protagonists.LeadNames.apart``), if given, is asked of two groups
    about to merge whether they report two events however high their link. The first round
    needs no such question: its groups are single articles and earlier stories, and two
    earlier stories never merge anyway.
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
    with_itself = bool((left == right).any())  # (candidate pairs never are; other callers may)
    # (coo_matrix(...).tocsr() is the same matrix as csr_matrix(...), made in a third of the time)
    adjacency = sparse.coo_matrix(
        (np.concatenate([sims, sims]), (np.concatenate([left, right]), np.concatenate([right, left]))),
        shape=(n, n)).tocsr()
    indptr, indices, data = adjacency.indptr.tolist(), adjacency.indices.astype(np.int64), adjacency.data

    members: dict[int, list[int] | np.ndarray] = defaultdict(list)
    for index, root in enumerate(owner.tolist()):
        members[root].append(index)
    members = dict(members)
    threshold, window, relative = options.threshold, options.window_days, options.relative_link
    follow_share, follow_gap = options.continuation_link, options.continuation_days

    # Per group id (2n of them: n articles, fewer than n merges), as Python lists for the
    # loop's single reads: alive (not merged into another group), size, first and last
    # publication time, its earlier story, the summed similarity of its own candidate pairs
    # and their average over all its article pairs (its cohesion; 0 for a single article or
    # an earlier story: no bar).
    alive = [False] * (2 * n)
    size = [0] * (2 * n)
    lo, hi = [0.0] * (2 * n), [0.0] * (2 * n)
    anchor: list[str | None] = [None] * (2 * n)
    inner_sum, cohesion = [0.0] * (2 * n), [0.0] * (2 * n)
    # The same as arrays, read for all of a group's neighbours at once; and one member
    # article of each group (what a link array keeps of a neighbour).
    size_array, lo_array, hi_array = np.zeros(2 * n), np.zeros(2 * n), np.zeros(2 * n)
    first_array = np.arange(2 * n)
    sorted_times: dict[int, np.ndarray] = {}  # filled when a pair of groups spans more than the window

    # A group's links: (one member article of each neighbouring group, summed similarity),
    # sorted by group id; None for a single article not looked at yet (its adjacency row).
    links: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    def pairs_between(x: int, y: int) -> int:
        """Article pairs of groups ``x`` and ``y`` within the window."""
        if (hi[x] if hi[x] > hi[y] else hi[y]) - (lo[x] if lo[x] < lo[y] else lo[y]) <= window:
            return size[x] * size[y]
        for group in (x, y):
            if group not in sorted_times:
                sorted_times[group] = np.sort(times[members[group]])
        return _pairs_in_window(sorted_times[x], sorted_times[y], window)

    def parts(x: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Group ``x``'s links as (articles, sums)."""
        state = links.pop(x)
        if state is None:
            start, stop = indptr[x], indptr[x + 1]
            return [indices[start:stop]], [data[start:stop]]
        return [state[0]], [state[1]]

    def fold(x: int, articles: list[np.ndarray], sums: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Sum link pieces (in their order) per current neighbour group: x's links, as (group ids, sums)."""
        if len(articles) > 1:
            articles, sums = np.concatenate(articles), np.concatenate(sums)
        else:
            articles, sums = articles[0], sums[0]
        groups, totals = _summed(owner[articles], sums)
        # Links within x: after a merge (x is then the highest id), or an earlier story's
        # (or an article's with itself). A merged group looked at again has none.
        if len(groups) and groups[-1] == x:
            groups, totals = groups[:-1], totals[:-1]
        elif x < n and (size[x] > 1 or with_itself):
            at = int(groups.searchsorted(x))
            if at < len(groups) and groups[at] == x:
                groups = np.concatenate((groups[:at], groups[at + 1:]))
                totals = np.concatenate((totals[:at], totals[at + 1:]))
        links[x] = (first_array[groups], totals)
        return groups, totals

    def blocked(x: int, y: int, average: float) -> bool:
        """Whether groups ``x`` and ``y`` may not merge however high their average link.

        Both hold an earlier story; or they hold together much better than they hold to
        each other (two events of one topic, such as two rounds of talks): their link must
        reach ``relative`` times the weaker group's cohesion; or ``apart`` says their leads
        name different people.
        """
        if anchor[x] is not None and anchor[y] is not None:
            return True
        weaker = cohesion[x] if cohesion[x] < cohesion[y] else cohesion[y]
        if average < relative * weaker:
            # The next day's reports of the same process hold to the first day's less well
            # than each day's hold together (they tell what is new); their bar is lower.
            if not (follow_share < relative and _continues(lo[x], hi[x], lo[y], hi[y], follow_gap)):
                return True
            if average < follow_share * weaker:
                return True
        # Asked last, of a pair that would merge otherwise: reading the leads' names of two
        # groups costs more than everything above.
        return apart is not None and apart(x, y, members[x], members[y])

    # Which pairs of groups may span more than the window (and need their pairs counted):
    # a pair spans at most from its earliest article to the last one of all, so one of the
    # two must begin within the window of the end ("early"), and one must end within the
    # window of the start ("late"). ``margin`` covers the rounding of these bounds and of
    # the differences (a few units in the last place of the times). ``wide`` holds the
    # groups that are both.
    margin = 1e-9 * (1.0 + float(np.abs(times).max())) if n else 0.0
    early_before = float(times.max()) - window + margin if n else 0.0
    late_after = float(times.min()) + window - margin if n else 0.0
    wide: set[int] = set()

    def may_span(x: int, groups: np.ndarray) -> bool:
        """Whether some pair of group ``x`` and one of ``groups`` may span more than the window."""
        if lo[x] < early_before or hi[x] > late_after:
            return True  # a few groups at either end of the time range: look at each pair
        for y in wide:
            at = int(groups.searchsorted(y))
            if at < len(groups) and groups[at] == y:
                return True
        return False

    def note_span(x: int) -> None:
        """Keep ``wide`` up to date with a new group ``x``."""
        if lo[x] < early_before and hi[x] > late_after:
            wide.add(x)

    heap: list[tuple[float, int, int]] = []

    def push_best(x: int, groups: np.ndarray, totals: np.ndarray) -> None:
        """Push x's neighbour of the highest average link (ties: the smallest id), if it reaches the threshold."""
        if len(groups) == 0:
            return
        pairs = size_array[groups]
        if size[x] != 1:
            pairs *= size[x]
        lx, hx = lo[x], hi[x]
        if may_span(x, groups):
            far = (np.maximum(hi_array[groups], hx) - np.minimum(lo_array[groups], lx) > window).nonzero()[0]
            for k in far.tolist():
                pairs[k] = pairs_between(x, int(groups[k]))
            average = np.divide(totals, pairs, out=np.zeros(len(totals)), where=pairs > 0)
        else:
            average = np.divide(totals, pairs, out=pairs)
        if threshold <= 0.0:
            # A pair that may not merge counts with an average of 0, which reaches such a
            # threshold (as it did in the previous version).
            for k, y in enumerate(groups.tolist()):
                if blocked(x, y, average.item(k)):
                    average[k] = 0.0
        k = int(average.argmax())  # the first of the highest: the smallest group id
        top = average.item(k)
        if top < threshold:
            return
        if threshold > 0.0 and blocked(x, groups.item(k), top):
            # Down the averages, highest first and by id, to the first pair allowed to merge.
            order = np.lexsort((groups, -average))
            for k in order.tolist():
                top = average.item(k)
                if top < threshold:
                    return
                if not blocked(x, groups.item(k), top):
                    break
            else:
                return
        heapq.heappush(heap, (-top, x, groups.item(k)))

    time_of = times.tolist()
    for root, group in members.items():
        alive[root] = True
        size[root] = len(group)
        if len(group) == 1:
            lo[root] = hi[root] = time_of[root]
        else:
            lo[root], hi[root] = min(time_of[i] for i in group), max(time_of[i] for i in group)
        anchor[root] = previous.get(ordered[root].id)
        links[root] = None
        if len(group) > 1:
            # An earlier story: its links are its articles' rows summed per group.
            fold(root, [indices[indptr[i]:indptr[i + 1]] for i in group],
                 [data[indptr[i]:indptr[i + 1]] for i in group])
        note_span(root)
    size_array[:n], lo_array[:n], hi_array[:n] = size[:n], lo[:n], hi[:n]
    # Earlier stories bring their own cohesion, so that today's coverage of another event
    # of the topic, once grouped, does not slip into yesterday's story.
    stories = [root for root, group in members.items() if len(group) > 1]
    known = cohesion_of([members[root] for root in stories]) if cohesion_of else np.zeros(len(stories))
    for root, value in zip(stories, known):
        size_ = size[root]
        cohesion[root] = max(float(value), 0.0)
        inner_sum[root] = cohesion[root] * size_ * (size_ - 1) / 2

    heap = _first_round(owner, left, right, sims, adjacency, threshold, window, relative,
                        (follow_share, follow_gap),
                        size_array[:n], lo_array[:n], hi_array[:n],
                        np.array([a is not None for a in anchor[:n]]), np.array(cohesion[:n]),
                        pairs_between, early_before, late_after)
    heapq.heapify(heap)

    next_id = n
    while heap:
        negative, a, b = heapq.heappop(heap)
        if not alive[a]:
            continue  # the group has merged since
        if not alive[b]:
            push_best(a, *fold(a, *parts(a)))  # its best neighbour has merged since: look again
            continue
        new = next_id
        next_id += 1
        joined = np.concatenate((members.pop(a), members.pop(b)))
        owner[joined] = new
        members[new] = joined
        alive[a] = alive[b] = False
        alive[new] = True
        first_array[new] = joined[0]
        size[new] = len(joined)
        lo[new] = lo[a] if lo[a] < lo[b] else lo[b]
        hi[new] = hi[a] if hi[a] > hi[b] else hi[b]
        anchor[new] = anchor[a] or anchor[b]
        inner_sum[new] = inner_sum[a] + inner_sum[b] + (-negative) * pairs_between(a, b)
        cohesion[new] = inner_sum[new] / (len(joined) * (len(joined) - 1) / 2)
        size_array[new], lo_array[new], hi_array[new] = size[new], lo[new], hi[new]
        note_span(new)
        articles_a, sums_a = parts(a)
        articles_b, sums_b = parts(b)
        for group in (a, b):
            wide.discard(group)
            sorted_times.pop(group, None)
        push_best(new, *fold(new, articles_a + articles_b, sums_a + sums_b))

    result = [(sorted(np.asarray(group).tolist()), anchor[root]) for root, group in members.items()]
    result.sort(key=lambda item: item[0][0])
    return result


class Apart(Protocol):
    """Whether two groups (ids and member articles) report two events (see ``_agglomerate``);
    a group's members never change (a merge makes a new id), so answers may be kept by id."""

    def __call__(self, x: int, y: int, members_x: Sequence[int], members_y: Sequence[int]) -> bool: ...


def _first_round(owner: np.ndarray, left: np.ndarray, right: np.ndarray, sims: np.ndarray,
                 adjacency: sparse.csr_matrix, threshold: float, window: float, relative: float,
                 follow: tuple[float, float],
                 size: np.ndarray, lo: np.ndarray, hi: np.ndarray, anchored: np.ndarray,
                 cohesion: np.ndarray, pairs_between: Callable[[int, int], int],
                 early_before: float, late_after: float) -> list[tuple[float, int, int]]:
    """Every initial group's best neighbour as heap entries (-average, group, neighbour), with arrays.

    The summed links between the initial groups, both ways; with no earlier stories each
    group is one article and these are the adjacency matrix itself. The averages are the
    ones ``push_best`` computes group by group; ties go to the smallest neighbour id.
    """
    a_of, b_of = owner[left], owner[right]
    between = a_of != b_of
    if between.all() and np.array_equal(owner, np.arange(len(owner))):
        links = adjacency.tocoo()
    else:
        links = sparse.coo_matrix((np.concatenate([sims[between], sims[between]]),
                                   (np.concatenate([a_of[between], b_of[between]]),
                                    np.concatenate([b_of[between], a_of[between]]))),
                                  shape=adjacency.shape).tocsr().tocoo()
    strong = links.data >= threshold
    x, ids, totals = links.row[strong], links.col[strong], links.data[strong]
    # (with single articles only, most of this is x / 1 and no bar: skipped)
    # (in double precision, as a division by integer pair counts made it, whatever the similarities' precision)
    average = totals / (size[x] * size[ids]) if (size != 1).any() else totals.astype(np.float64)
    # Only a pair with a group at either end of the time range, or with a group spanning
    # it, may span more than the window (see ``may_span``): the others are not looked at.
    early, late = lo < early_before, hi > late_after
    maybe = np.flatnonzero((early | late)[x] | (early & late)[ids])
    far = maybe[np.maximum(hi[x[maybe]], hi[ids[maybe]]) - np.minimum(lo[x[maybe]], lo[ids[maybe]]) > window]
    for k in far.tolist():
        pairs = pairs_between(int(x[k]), int(ids[k]))
        average[k] = totals.item(k) / pairs if pairs > 0 else 0.0
    if anchored.any():
        average[anchored[x] & anchored[ids]] = 0.0
    if cohesion.any():  # else the bar is 0
        share = np.full(len(x), relative)
        if follow[0] < relative:
            share[_continues(lo[x], hi[x], lo[ids], hi[ids], follow[1])] = follow[0]
        average[average < share * np.minimum(cohesion[x], cohesion[ids])] = 0.0
    keep = average >= threshold
    x, ids, average = x[keep], ids[keep], average[keep]
    if len(x) == 0:
        return []
    # Per group (rows come sorted): the highest average, then the smallest id reaching it.
    starts = np.flatnonzero(np.concatenate([[True], x[1:] != x[:-1]]))
    top = np.maximum.reduceat(average, starts)
    counts = np.diff(np.append(starts, len(x)))
    candidates = np.where(average == np.repeat(top, counts), ids, np.iinfo(ids.dtype).max)
    chosen = np.minimum.reduceat(candidates, starts)
    return list(zip((-top).tolist(), x[starts].tolist(), chosen.tolist()))
