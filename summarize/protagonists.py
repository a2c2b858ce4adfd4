"""Who a group of reports is about: two look-alike events told apart by the names their leads give.

Two events of one kind share most of their words and many of their names: two players of
one team put on injured reserve a season apart, two teams' offers to the same player, two
arrests of players of one club. Each report's lead (headline and first sentences) says
whom the news is about, and there the two events part: most leads of the one name Reggie
Bush and hardly any of the other's, most of the other's name Pierre Thomas and hardly any
of the first's. Reports of one event differ in their details further down, but their leads
name the same few people and places.

So two groups of reports are kept apart when each has a name in most of its leads that the
other's leads seldom give, and the split of that name between the two groups is too lopsided
to be chance (a hypergeometric tail: how likely so many of the name's leads would fall in
one group if the two groups were one event cut at random). Both ways, because a report on
the same event with an extra person in its leads (a second official speaking) is no other
event; and only for groups of a few reports, where a share means something.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

# Groups smaller than this are never told apart by their leads (a share of one or two
# leads says nothing); with the evidence below, groups of four or five are the smallest
# that can be.
MIN_SIZE = 3
# A name is a group's own when at least this share of its leads give it ...
CORE_SHARE = 0.5
# ... at most this share of the other group's leads give it ...
OTHER_SHARE = 0.2
# ... and the chance of so lopsided a split, were the two groups one event, is below
# 10 ** -EVIDENCE. Measured on ECB+: no random cut of one event's reports is told apart
# (2,460 cuts), the look-alike events that average link had merged reached 3.0 to 5.6;
# 2.5 gives the same grouping, 1.5 splits a few events.
EVIDENCE = 2.0
# Groups whose counts are kept at most (a group's best neighbour is looked at again and
# again, each time with the same few groups).
_KEPT = 256


class LeadNames:
    """The names in each article's lead (``l:`` terms of ``summarize.particulars``), and
    whether two groups of articles report two events (``apart``)."""

    def __init__(self, lead_terms: Sequence[Sequence[str]]):
        # As arrays (a number per distinct name, each article's numbers one after another)
        # rather than a tuple of strings per article: 20,000 small objects made while the
        # day's readings were still held kept some 20 MB of the process after grouping.
        number: dict[str, int] = {}
        flat: list[int] = []
        lengths: list[int] = []
        prints: list[int] = []
        for k, terms in enumerate(lead_terms):
            mark = -k - 1  # no fingerprint: a lead of its own
            size = 0
            for term in terms:
                kind = term[:2]
                if kind == "l:":
                    flat.append(number.setdefault(term, len(number)))
                    size += 1
                elif kind == "h:":
                    mark = int(term[2:], 16)
            lengths.append(size)
            prints.append(mark)
        self.names = np.array(flat, dtype=np.int32)
        self.starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.starts[1:])
        self.prints = np.array(prints, dtype=np.int64)  # each lead's fingerprint (``h:``)
        self._counts: dict[int, tuple[dict[int, int], int]] = {}

    def counts(self, group: int, members: Sequence[int]) -> tuple[dict[int, int], int]:
        """How many of the group's distinct leads give each name (by number), and how many
        distinct leads it has (kept by group id: a group's members never change, a merge
        makes a new id).

        Distinct: wire copy repeats one report's lead word for word in many outlets, and
        thirty copies of one lead are one piece of evidence, not thirty."""
        found = self._counts.get(group)
        if found is None:
            if len(self._counts) >= _KEPT:
                self._counts.clear()  # most are of groups merged since: start again
            members = np.asarray(members, dtype=np.int64)
            distinct = members[np.unique(self.prints[members], return_index=True)[1]]
            starts = self.starts
            names = np.concatenate([self.names[starts[i]:starts[i + 1]] for i in distinct.tolist()])
            values, tally = np.unique(names, return_counts=True)
            found = self._counts[group] = (dict(zip(values.tolist(), tally.tolist())), len(distinct))
        return found

    def apart(self, x: int, y: int, members_x: Sequence[int], members_y: Sequence[int]) -> bool:
        """Whether groups ``x`` and ``y`` each have a name of their own in their leads (see the
        module's text): two events, however alike their words."""
        if len(members_x) < MIN_SIZE or len(members_y) < MIN_SIZE:
            return False
        counts_x, size_x = self.counts(x, members_x)
        counts_y, size_y = self.counts(y, members_y)
        if size_x < MIN_SIZE or size_y < MIN_SIZE:
            return False
        return _own_name(counts_x, size_x, counts_y, size_y) and _own_name(counts_y, size_y, counts_x, size_x)


def _own_name(mine: Mapping[int, int], size: int, theirs: Mapping[int, int], their_size: int) -> bool:
    """Whether a name in at least ``CORE_SHARE`` of ``size`` leads is in at most ``OTHER_SHARE``
    of the other group's leads, split too lopsidedly to be chance."""
    core, other = CORE_SHARE * size, OTHER_SHARE * their_size
    for name, count in mine.items():
        if count < core:
            continue
        elsewhere = theirs.get(name, 0)
        if elsewhere > other:
            continue
        if _log10_tail(count, count + elsewhere, size, size + their_size) <= -EVIDENCE:
            return True
    return False


def _log_choose(n: int, k: int) -> float:
    """The natural logarithm of n choose k."""
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _log10_tail(k: int, named: int, drawn: int, total: int) -> float:
    """log10 of the chance that ``drawn`` of ``total`` leads, taken at random, hold ``k`` or more
    of the ``named`` leads that give a name (the upper tail of the hypergeometric law)."""
    whole = _log_choose(total, drawn)
    terms = [_log_choose(named, x) + _log_choose(total - named, drawn - x) - whole
             for x in range(k, min(named, drawn) + 1)]
    if not terms:
        return 0.0
    top = max(terms)
    return (top + math.log(sum(math.exp(t - top) for t in terms))) / math.log(10)
