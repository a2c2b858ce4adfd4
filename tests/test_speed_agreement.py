"""The fast paths give the answers of the plain definitions they replace.

Grouping's agglomeration (array link sums, one heap entry per group) is checked against a
direct average-link merge that recomputes every group pair each step; the briefing's
"rank before summarising" shortcut against ranking every story. Inputs are small and
random (fixed seeds), so each check runs in well under a second.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import numpy as np
import pytest

from jobs import shown_stories
from core.models import Article, Source, Story
from summarize.group import GroupingOptions, _agglomerate
from summarize.standing import is_shown, rank_stories


def direct_average_link(times, anchors, links, threshold, window):
    """Merge the two groups with the highest average link until none reaches ``threshold``."""
    groups = {}
    for index, anchor in enumerate(anchors):
        key = anchor if anchor is not None else f"#{index}"
        groups.setdefault(key, []).append(index)
    clusters = [(members, anchors[members[0]]) for members in groups.values()]
    while True:
        best = None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                (a, anchor_a), (b, anchor_b) = clusters[x], clusters[y]
                if anchor_a is not None and anchor_b is not None:
                    continue
                total = sum(links.get((min(i, j), max(i, j)), 0.0) for i in a for j in b)
                pairs = sum(1 for i in a for j in b if abs(times[i] - times[j]) <= window)
                if pairs and total / pairs >= threshold and (best is None or total / pairs > best[0]):
                    best = (total / pairs, x, y)
        if best is None:
            return {frozenset(members) for members, _ in clusters}
        _, x, y = best
        (a, anchor_a), (b, anchor_b) = clusters[x], clusters[y]
        clusters = [c for k, c in enumerate(clusters) if k not in (x, y)] + [(a + b, anchor_a or anchor_b)]


@pytest.mark.parametrize("seed", range(6))
def test_agglomeration_matches_direct_average_link(seed):
    rng = random.Random(seed)
    n = 40
    times = np.sort(np.array([rng.uniform(0, 12) for _ in range(n)]))
    anchors = [rng.choice(["story-a", "story-b"]) if rng.random() < 0.15 else None for _ in range(n)]
    links = {}
    for i in range(n):
        for j in range(i + 1, n):
            if abs(times[i] - times[j]) <= 7 and rng.random() < 0.3:
                links[(i, j)] = rng.uniform(-0.05, 0.5)
    left = np.array([i for i, _ in links], dtype=np.int64)
    right = np.array([j for _, j in links], dtype=np.int64)
    sims = np.array(list(links.values()))
    ordered = [SimpleNamespace(id=f"a{i}") for i in range(n)]
    previous = {f"a{i}": anchor for i, anchor in enumerate(anchors) if anchor is not None}
    options = GroupingOptions(threshold=0.15, window_days=7.0, relative_link=0.0)  # plain average link

    fast = {frozenset(members) for members, _ in _agglomerate(ordered, times, previous, left, right, sims, options)}
    positive = {pair: s for pair, s in links.items() if s > 0}
    assert fast == direct_average_link(times, anchors, positive, options.threshold, options.window_days)
    assert len(fast) < n  # the random links did merge something: the check is not vacuous


def test_briefing_ranks_the_same_stories_without_scoring_them_all():
    rng = random.Random(3)
    now = datetime(2025, 5, 16, 12, tzinfo=timezone.utc)
    groups = {}
    for s in range(60):
        groups[f"s{s}"] = [Article(id=f"s{s}-{k}", title="t", text="x", outlet=f"o{rng.randrange(8)}",
                                   published=now - timedelta(hours=rng.uniform(0, 48)), url=None)
                           for k in range(rng.randint(1, 6))]
    topic = {story: rng.uniform(0, 1) for story in groups}
    scored = []

    def topic_score(members):
        scored.append(members[0].id)
        return topic[members[0].id.split("-")[0]]

    shown = [s.id for s in shown_stories(groups, 1, 5, now, topic_score)]
    everything = rank_stories([Story(id=s, headline="", summary=(), topic_score=topic[s],
                                     sources=tuple(Source(a.id, a.outlet, a.title, a.url, a.published) for a in m),
                                     updated=max(a.published for a in m)) for s, m in groups.items()
                                if is_shown(Story(id=s, headline="", summary=(), sources=(), updated=now,
                                                  topic_score=topic[s]))], now)
    assert shown[:5] == [s.id for s in everything[:5]]
    assert len(scored) < len(groups)  # the shortcut skipped stories that could not enter
