"""Grouping articles into stories: one story is one news event, not a topic.

Articles are compared by the cosine of their TF-IDF vectors (headline and lead weighted,
the collection's shared background taken out), words and event particulars (who, where,
when, figures: ``summarize.particulars``) weighted apart, and joined by average-link
agglomeration above one similarity threshold. Two signals keep look-alike events of one
topic apart: leads that name days two or more days apart lower a pair's similarity, and two
groups that each hold together much better than they hold to each other do not merge, unless
one follows the other from the next day on (a continuation: the same process's next day,
which tells what is new and so holds to the first day less than each day holds together).
Time is a gate: only articles published within ``window_days`` of each other are compared,
because one event is reported within days while different events with the same actors (two
summits of the same leaders) are months or years apart.

The grouping is incremental: articles grouped in an earlier run keep their story id, new
articles may join such a story, and two earlier stories are never merged. A day's build
costs what is new: an earlier article is compared with the new ones only, against the
floor it kept (``_candidate_pairs``), and the agglomeration runs on the new articles and
the earlier stories they link to; the window's IDF and background are still the window's.

Scale: pairs are never enumerated over all articles. Candidates are the pairs that share
one of their heaviest terms (an inverted index over each article's top terms, with terms
common to very many articles left out) and lie within the time window; only those pairs
get a similarity.
"""
from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from datetime import date, timedelta

import numpy as np
from scipy import sparse
from sparse_dot_topn import sp_matmul_topn

from core.models import Article
from summarize import textvec
from summarize.agglomerate import _agglomerate
from summarize.parallel import map_chunks
from summarize.protagonists import LeadNames
from summarize.reading import Readings, read_articles, read_text  # noqa: F401 (read_articles: tests)

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
    # A continuation: a group whose reports all come after another's, within
    # ``continuation_days`` and from the next day on (the truce holding for a second day,
    # the summit's communique the morning after). Such reports tell what is new, so they
    # hold to the first day's less than each day holds together: their link needs only
    # ``continuation_link`` of the weaker cohesion instead of ``relative_link``. Another
    # event of the same kind comes days or weeks later, or has no stated time at all
    # (ECB+), and keeps the full bar.
    continuation_days: float = 1.5
    continuation_link: float = 0.4
    weighting: textvec.Weighting = field(default_factory=textvec.Weighting)


Reader = Callable[[Sequence[Article], textvec.Weighting], Readings]


class Floors(Protocol):
    """Where each article's floor (``_candidate_pairs``) is kept between runs (``feeds.store.Store``)."""

    def floors(self, ids: Sequence[str], key: str) -> dict[str, tuple[float, float]]: ...

    def save_floors(self, rows: Sequence[tuple[str, str, float, float]]) -> None: ...


def floors_key(options: GroupingOptions) -> str:
    """What a kept floor depends on: every grouping option and the reading code's version."""
    from summarize.reading import VERSION

    return hashlib.sha1(f"{VERSION} {options!r}".encode()).hexdigest()[:16]


def group_articles(articles: Sequence[Article], previous: Mapping[str, str] = {},
                   options: GroupingOptions = GroupingOptions(), read: Reader = read_text,
                   kept: Floors | None = None) -> dict[str, str]:
    """Map every article id to a story id.

    ``previous`` maps article ids grouped in an earlier run to their story id: those keep
    it, and a new article joins such a story when it continues it (average similarity to
    the story's members published within the time window above the threshold). Earlier
    stories are never merged with each other. A new story's id is derived from the id of
    its earliest article, so rerunning on the same input gives the same ids.

    ``read`` gives the articles' readings (``summarize.reading``): from their text by
    default, or through the store (``summarize.reading.stored_reading``), which gives the
    same readings without reading again what it holds.

    ``kept`` keeps each article's floor from run to run (see ``_candidate_pairs``): an
    earlier run's articles are then compared with the new ones only. A floor is taken only
    when it was found with the same options and with no article later than this run's last
    (a rebuild of an earlier day compares those articles with their whole window again).
    """
    unique: dict[str, Article] = {}
    for article in articles:
        unique.setdefault(article.id, article)
    ordered = sorted(unique.values(), key=lambda a: (a.published.timestamp(), a.id))
    if not ordered:
        return {}
    times = np.array([a.published.timestamp() / _SECONDS_PER_DAY for a in ordered])
    known = np.array([a.id in previous for a in ordered])
    matrix, lead_days = article_vectors(ordered, options, read)
    floors = np.full(len(ordered), np.nan, dtype=np.float32)
    until = float(times.max())
    key = floors_key(options)
    if kept is not None and known.any():
        held = kept.floors([ordered[i].id for i in np.flatnonzero(known).tolist()], key)
        for i in np.flatnonzero(known).tolist():
            row = held.get(ordered[i].id)
            if row is not None and row[1] <= until:
                floors[i] = row[0]
    left, right, found = _candidate_pairs(matrix, times, known, options, floors)
    if kept is not None:
        kept.save_floors([(ordered[i].id, key, float(found[i]), until)
                          for i in np.flatnonzero(~np.isnan(found)).tolist()])
    sims = textvec.centred_similarities(matrix, left, right, options.background_shrink)
    sims *= np.where(_days_disagree(lead_days, left, right), options.day_conflict, 1.0)
    log.debug("grouping %d articles (%d new): %d candidate pairs",
              len(ordered), int((~known).sum()), len(left))

    # Only the new articles and the earlier stories they link to can change: the rest are
    # earlier stories with no link to anything new, which stay as they are (two earlier
    # stories never merge). The agglomeration runs on that part alone, so a day with few
    # new articles costs little however large the window (the same result as over all).
    linked = sims > 0
    left, right, sims = left[linked], right[linked], sims[linked]
    part = _touched(ordered, previous, known, left, right)
    place = np.full(len(ordered), -1, dtype=np.int64)
    place[part] = np.arange(len(part))
    clusters = _agglomerate([ordered[i] for i in part.tolist()], times[part], previous, place[left], place[right],
                            sims, options,
                            lambda groups: textvec.centred_cohesion(matrix, [part[g] for g in groups],
                                                                    options.background_shrink),
                            LeadNames([lead_days[i] for i in part.tolist()]).apart)

    result: dict[str, str] = {ordered[i].id: previous[ordered[i].id]
                              for i in np.flatnonzero(place < 0).tolist()}
    taken = set(previous.values())
    for members, anchor in clusters:
        story = anchor
        if story is None:
            story = _new_story_id(ordered[part[members[0]]].id, taken)
            taken.add(story)
        for index in part[members].tolist():
            article_id = ordered[index].id
            # An article grouped before keeps its story even if it was put among others.
            result[article_id] = previous.get(article_id, story)
    return result


def _touched(ordered: Sequence[Article], previous: Mapping[str, str], known: np.ndarray,
             left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the new articles and of every member of an earlier story that
    one of them has a link with (the pairs ``left``, ``right``)."""
    linked = np.concatenate((left, right))
    stories = {previous[ordered[i].id] for i in np.unique(linked[known[linked]]).tolist()}
    if not stories:
        return np.flatnonzero(~known)
    return np.flatnonzero(~known | np.array([a.id in previous and previous[a.id] in stories for a in ordered]))


def article_vectors(articles: Sequence[Article], options: GroupingOptions = GroupingOptions(),
                    read: Reader = read_text) -> tuple[sparse.csr_matrix, list[list[str]]]:
    """One row per article: its words and, weighted apart, its event particulars; and the
    days each article's lead names.

    The matrix's row is two unit TF-IDF vectors side by side, scaled so that the dot
    product of two rows is ``(1 - w) * words cosine + w * particulars cosine`` with ``w``
    the ``particulars_weight``: two write-ups of one event agree on both, two events of
    one topic only on the words.
    """
    readings = read(articles, options.weighting)
    words = textvec.tfidf_of(readings.words)
    # Single precision: the similarities differ from double's by less than 1e-6, and the
    # pair similarities, which copy millions of rows, take half the time.
    weight = options.particulars_weight
    if weight <= 0:
        return words.astype(np.float32), readings.lead_days
    facts = textvec.tfidf_of(readings.facts)
    return textvec.side_by_side(words, facts, np.sqrt(1.0 - weight), np.sqrt(weight)), readings.lead_days


def _day_matrix(lead_days: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """The days each of n articles' leads names (``d:`` particulars), one column per day, in
    rows 0..n-1; in rows n..2n-1 the same with every calendar date widened to the day before
    and the day after. Why: a follow-up's lead names its own day ("held for a second day on
    Wednesday") next to the first report's ("on Tuesday"); that is no sign of another event,
    while two calls on Monday and on Friday are."""
    n = len(lead_days)
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, named in enumerate(lead_days):
        near = set()
        for term in named:
            if term[:2] != "d:":
                continue  # the lead's names (summarize.protagonists)
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            near.update(_widened(term))
        for term in near:
            rows.append(n + row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                             shape=(2 * n, max(len(vocabulary), 1)))


@functools.lru_cache(maxsize=4096)
def _widened(term: str) -> tuple[str, ...]:
    """A lead's day term, and for a calendar date (``d:YYYY-MM-DD``) the day before and after."""
    if len(term) != 12:
        return (term,)
    day = date.fromisoformat(term[2:])
    return (term,) + tuple("d:" + (day + timedelta(days=step)).isoformat() for step in (-1, 1))


def _days_disagree(lead_days: Sequence[Sequence[str]], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Whether both articles of each pair name days in their leads and none of them the same
    day or a day next to one the other names (see ``_day_matrix``)."""
    # A lead's terms also hold its names (``l:``, ``h:``: summarize.protagonists); only days count.
    # Looked at only for the articles of some pair (on a day with few new articles, a few
    # hundred of the window's 20,000).
    paired = np.zeros(len(lead_days), dtype=bool)
    paired[left] = paired[right] = True
    named = np.zeros(len(lead_days), dtype=bool)
    rows = np.flatnonzero(paired)
    named[rows] = np.fromiter((any(term[:2] == "d:" for term in lead_days[i]) for i in rows.tolist()), dtype=bool,
                              count=len(rows))
    both = named[left] & named[right]
    out = np.zeros(len(left), dtype=bool)
    if both.any():
        # Only the articles of such pairs (on a day with few new articles, a few of the window's),
        # found by a mask rather than a sort of the pairs.
        first, second = left[both], right[both]
        chosen = np.zeros(len(lead_days), dtype=bool)
        chosen[first] = chosen[second] = True
        rows = np.flatnonzero(chosen)
        place = np.cumsum(chosen) - 1
        days = _day_matrix([lead_days[i] for i in rows.tolist()])
        shared = textvec.row_dots(days, place[first], place[second] + len(rows))
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
                     options: GroupingOptions, floors: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index pairs (i < j) worth comparing: within the window, not both known, among each
    other's nearest; and each article's floor (see below).

    Each article keeps its ``candidates`` most similar articles within the time window, by
    a sparse product over its ``top_terms`` heaviest terms (terms in more than
    ``max_index_df`` articles left out). Why bounded: on real news a name or term of middle
    frequency is shared by hundreds of articles of other events, and keeping every pair that
    shares a term made 43 million pairs for 20,000 articles. Articles are sorted by time, so
    a block's window is a contiguous range; blocks keep the product's memory bounded.

    An article's floor is the product value of its ``candidates``-th nearest when it was
    compared with its whole window (0 with fewer). An article grouped in an earlier run
    whose floor is given (``floors``, NaN where not) is compared with the new articles only,
    and keeps those that reach its floor: the new articles that would be among its nearest
    had all been compared at once. So an earlier day's articles cost a day's build only
    what the new ones bring, not a search of the whole window each. Without a floor (a
    store of an older version, changed options, a rebuild of an earlier day) it is compared
    with its whole window again, and pairs with new articles among its nearest are kept.
    Returned: the floors found (NaN for rows whose floor did not change).
    """
    n = matrix.shape[0]
    if floors is None:
        floors = np.full(n, np.nan, dtype=np.float32)
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    index = textvec.top_term_matrix(matrix, options.top_terms, df <= options.max_index_df)
    index_t = index.T.tocsr()
    # Blocks of articles, shared among the cores (``summarize.parallel``): each is one product
    # against its window. The product's own threads (OpenMP) are not used: a process that
    # has started them and then forks (our readers, or any caller) can hang in the child.
    starts = np.arange(0, n, _BLOCK)
    new_t = index_t @ sparse.diags((~known).astype(np.float32)) if known.any() else index_t
    new_t.eliminate_zeros()
    whole = ~known | np.isnan(floors)
    work = int(whole.sum()) + int((~known).sum())
    found = map_chunks(functools.partial(_block_candidates, index, index_t, new_t, times, known, floors, options),
                       starts, chunk=1, min_items=4 if work > _BLOCK else len(starts) + 1)
    keys = np.concatenate([np.zeros(0, dtype=np.int64)] + [block[0] for block in found])
    floors_found = np.full(n, np.nan, dtype=np.float32)
    for _, rows, values in found:
        floors_found[rows] = values
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), floors_found
    # Sorted, then equal neighbours dropped: np.unique (numpy 2.4) took 2.5 s here on
    # 4 million keys against 0.1 s for the sort.
    keys = np.sort(keys)
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    pairs = keys[keep]
    return pairs // n, pairs % n, floors_found


def _block_candidates(index: sparse.csr_matrix, index_t: sparse.csr_matrix, new_t: sparse.csr_matrix,
                      times: np.ndarray, known: np.ndarray, floors: np.ndarray, options: GroupingOptions,
                      starts: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per block of articles beginning at ``starts``: its candidate pairs as keys ``i * n + j``
    (i < j), and the rows whose floor was found with those floors (``_candidate_pairs``);
    ``new_t`` is ``index_t`` with the columns of known articles emptied."""
    n = index.shape[0]
    k = options.candidates
    # A few more than k per row come out of the product, because the article itself and
    # (at a block's edges) articles outside its own window are among them and dropped.
    wanted = k + 1 + _SPARE
    out = []
    for start in starts.tolist():
        stop = min(start + _BLOCK, n)
        lo = int(np.searchsorted(times, times[start] - options.window_days, side="left"))
        hi = int(np.searchsorted(times, times[stop - 1] + options.window_days, side="right"))
        rows = np.arange(start, stop)
        keys, floor_rows, floor_values = [np.zeros(0, dtype=np.int64)], [], []
        whole = ~known[start:stop] | np.isnan(floors[start:stop])
        for mine, others, complete in ((whole, index_t[:, lo:hi], True),
                                       # An earlier article with a floor: the new articles only.
                                       (~whole if (~known[lo:hi]).any() else whole[:0], new_t[:, lo:hi], False)):
            if not mine.any():
                continue
            # The product keeps each row's best entries as it goes (sparse_dot_topn, in C++):
            # on real text every block against the whole window has tens of millions of
            # entries, which a plain product would materialise and sort.
            if complete:
                shared = sp_matmul_topn(index[rows[mine]], sparse.csr_matrix(others), top_n=wanted).tocoo()
                i, j, data = rows[mine][shared.row].astype(np.int64), shared.col.astype(np.int64) + lo, shared.data
            else:
                i, j, data = _above_floors(index, sparse.csr_matrix(others), rows[mine], floors, wanted)
                j += lo
            keep = (i != j) & (np.abs(times[j] - times[i]) <= options.window_days)
            if not complete:
                keep &= data >= floors[i]
            i, j, value = i[keep], j[keep], data[keep]
            # The k best per row: sorted by row, then by descending value (ties by column).
            i, j, value = _by_row_and_value(i, j, value, start)
            first = np.searchsorted(i, i, side="left")
            rank = np.arange(len(i)) - first
            best = rank < k
            # The floor: the k-th value of a row compared with its whole window (0 with
            # fewer); of a row with a floor, the k-th of its new ones when it has k of them
            # (the k-th of all its nearest can only be higher).
            kth = rank == k - 1
            if complete:
                floor = np.zeros(int(mine.sum()), dtype=np.float32)
                floor[np.searchsorted(rows[mine], i[kth])] = value[kth]
                floor_rows.append(rows[mine])
                floor_values.append(floor)
                # Two articles grouped before are never compared (their stories stay apart).
                best &= ~(known[i] & known[j])
            else:
                floor_rows.append(i[kth])
                floor_values.append(value[kth])
            keys.append(np.minimum(i[best], j[best]) * n + np.maximum(i[best], j[best]))
        out.append((np.concatenate(keys), np.concatenate(floor_rows) if floor_rows else np.zeros(0, dtype=np.int64),
                    np.concatenate(floor_values) if floor_values else np.zeros(0, dtype=np.float32)))
    return out


# Earlier articles per product of ``_above_floors``: rows of similar floors share a threshold.
_FLOOR_RUN = 128


def _above_floors(index: sparse.csr_matrix, others: sparse.csr_matrix, rows: np.ndarray, floors: np.ndarray,
                  wanted: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The product of ``index``'s ``rows`` (earlier articles with a floor) with ``others`` (the
    new articles), each row's ``wanted`` best entries: their rows, columns and values.

    Entries below a row's floor are dropped by the caller; the product drops them as it goes
    (its threshold) when the rows taken together, in runs of similar floors (highest first),
    all have one above the run's lowest: the same entries reach the caller, with less to rank."""
    order = rows[np.argsort(-floors[rows], kind="stable")]
    found_i, found_j, found_v = [], [], []
    for start in range(0, len(order), _FLOOR_RUN):
        run = order[start:start + _FLOOR_RUN]
        lowest = np.float32(floors[run].min())
        # "greater than the threshold": just below the lowest floor keeps the entries equal to it
        threshold = float(np.nextafter(lowest, np.float32(-np.inf))) if lowest > 0 else None
        shared = sp_matmul_topn(index[run], others, top_n=wanted, threshold=threshold).tocoo()
        found_i.append(run[shared.row].astype(np.int64))
        found_j.append(shared.col.astype(np.int64))
        found_v.append(shared.data)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_v)


# Bits of a packed sort key (``_by_row_and_value``): the row within its block, the value, the column.
_ROW_BITS, _VALUE_BITS, _COLUMN_BITS = 11, 31, 21


def _by_row_and_value(i: np.ndarray, j: np.ndarray, value: np.ndarray, start: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` with their float32 ``value`` (products of positive weights) sorted
    by ``i``, then by descending value, then by ``j``; ``i`` lies in a block of ``_BLOCK``
    rows from ``start``.

    One sort of 64-bit keys packing all three (a positive float's bits order as its value
    does), which takes a sixth of the time of ``np.lexsort`` on the three arrays; the
    lexsort when a column or a block would not fit in its bits, or a value is negative."""
    if (len(j) == 0 or int(j.max()) >= 1 << _COLUMN_BITS or _BLOCK > 1 << _ROW_BITS
            or np.signbit(value).any()):
        order = np.lexsort((j, -value, i))
        return i[order], j[order], value[order]
    inverse = np.int64((1 << _VALUE_BITS) - 1) - value.astype(np.float32, copy=False).view(np.int32)
    key = ((i - start) << (_VALUE_BITS + _COLUMN_BITS)) | (inverse << _COLUMN_BITS) | j
    key.sort()
    low = (1 << _COLUMN_BITS) - 1
    bits = ((1 << _VALUE_BITS) - 1 - ((key >> _COLUMN_BITS) & ((1 << _VALUE_BITS) - 1))).astype(np.int32)
    return (key >> (_VALUE_BITS + _COLUMN_BITS)) + start, key & low, bits.view(np.float32)
