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
    whether two groups of articles report two events (``apart``).

    Lazy: an article's lead terms are looked at only when a group holding it is asked
    about (a group of ``MIN_SIZE`` reports or more that would merge otherwise), and each
    group's counts once. Reading all 20,000 leads of a day up front, and counting with
    array operations (a dozen calls of a few microseconds each, on groups of a few
    reports), cost 0.5 to 0.7 s of CPU on 20,000 articles; this, 0.2 to 0.4 s."""

    def __init__(self, lead_terms: Sequence[Sequence[str]]):
        self._terms = lead_terms
        # Per article looked at: (its lead's fingerprint, the numbers of the names it gives).
        self._leads: dict[int, tuple[object, tuple[int, ...]]] = {}
        self._number: dict[str, int] = {}
        self._counts: dict[int, tuple[dict[int, int], int]] = {}

    def _lead(self, article: int) -> tuple[object, tuple[int, ...]]:
        """Article ``article``'s lead fingerprint (``h:``; without one, a lead of its own)
        and the numbers of the names (``l:``) it gives, in order, repeats kept."""
        found = self._leads.get(article)
        if found is None:
            mark: object = -article - 1
            names = []
            number = self._number
            for term in self._terms[article]:
                kind = term[:2]
                if kind == "l:":
                    names.append(number.setdefault(term, len(number)))
                elif kind == "h:":
                    mark = term
            found = self._leads[article] = (mark, tuple(names))
        return found

    def counts(self, group: int, members: Sequence[int]) -> tuple[dict[int, int], int]:
        """How many of the group's distinct leads give each name (by number), and how many
        distinct leads it has (kept by group id: a group's members never change, a merge
        makes a new id).

        Distinct: wire copy repeats one report's lead word for word in many outlets, and
        thirty copies of one lead are one piece of evidence, not thirty (the first member
        with a fingerprint stands for it)."""
        found = self._counts.get(group)
        if found is None:
            if len(self._counts) >= _KEPT:
                self._counts.clear()  # most are of groups merged since: start again
            seen: set[object] = set()
            tally: dict[int, int] = {}
            lead = self._lead
            for article in members.tolist() if isinstance(members, np.ndarray) else members:
                mark, names = lead(article)
                if mark in seen:
                    continue
                seen.add(mark)
                for name in names:
                    tally[name] = tally.get(name, 0) + 1
            found = self._counts[group] = (tally, len(seen))
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
