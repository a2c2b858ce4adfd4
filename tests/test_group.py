"""Grouping articles into stories: one story per news event, stable across daily runs.

All fixtures are invented (fictional countries and people) for this project.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from core.models import Article
from summarize.group import GroupingOptions, _by_row_and_value, group_articles

DAY0 = datetime(2024, 3, 12, 9, 0, tzinfo=timezone.utc)


def make(id_: str, title: str, text: str, when: datetime, outlet: str = "Example News") -> Article:
    """An article with the fields grouping reads."""
    return Article(id=f"https://{outlet.lower().replace(' ', '')}.example/{id_}", title=title, text=text,
                   outlet=outlet, published=when, url=None)


SUMMIT = [
    make("summit-a", "Norvania and Estmark sign fisheries accord at Valbruck summit",
         "The leaders of Norvania and Estmark signed a fisheries and maritime border accord at a summit "
         "in Valbruck on Tuesday, ending a decade of disputes over cod quotas in the Grey Sea. "
         "Norvanian President Ilse Marank and Estmark Prime Minister Tomas Velder shook hands after "
         "six hours of talks. The Valbruck accord splits the disputed fishing grounds and sets up a "
         "joint patrol of coast guard vessels. Fishing crews in both countries welcomed the deal.",
         DAY0, "Harbour Post"),
    make("summit-b", "Marank and Velder end Grey Sea cod dispute",
         "President Ilse Marank of Norvania and Prime Minister Tomas Velder of Estmark agreed in Valbruck "
         "to divide the contested cod grounds of the Grey Sea. The two leaders said the fisheries accord "
         "would be followed by joint coast guard patrols along the new maritime border. Talks at the "
         "Valbruck summit ran late into the evening before the signing ceremony.",
         DAY0 + timedelta(hours=3), "Daily Ledger"),
    make("summit-c", "Valbruck summit: what the Norvania-Estmark fisheries deal means",
         "Estmark and Norvania have settled their long quarrel over Grey Sea fishing. The accord signed "
         "at the Valbruck summit by Velder and Marank draws a maritime border through the cod grounds, "
         "sets quotas for each fleet and creates shared coast guard patrols. Fishing towns on both "
         "coasts had pressed for a deal for years.",
         DAY0 + timedelta(hours=6), "Morning Wire"),
]

SAME_DAY_OTHER_EVENTS = [
    make("quake", "Earthquake shakes mountain towns in Kesh province",
         "A strong earthquake struck the mountain towns of Kesh province early on Tuesday, damaging "
         "hundreds of homes and cutting roads to several villages. Rescue teams from the capital "
         "reached the worst-hit valley by helicopter. The regional governor said schools would stay "
         "closed while engineers inspect buildings for cracks.",
         DAY0 + timedelta(hours=1), "Harbour Post"),
    make("rates", "Central bank of Lumeria raises interest rates again",
         "The central bank of Lumeria raised its main interest rate by half a point on Tuesday, its "
         "third increase this year, saying inflation in food and energy prices had not eased. The "
         "bank governor warned that borrowing costs for households and companies would stay high "
         "until price growth slows. The currency rose against the euro after the decision.",
         DAY0 + timedelta(hours=2), "Daily Ledger"),
]

FOLLOW_UP = make(
    "ratified", "Estmark parliament ratifies Valbruck fisheries accord",
    "A day after the Valbruck summit, the Estmark parliament ratified the fisheries accord with "
    "Norvania by a wide margin. Prime Minister Tomas Velder told lawmakers the new maritime border "
    "in the Grey Sea and the joint coast guard patrols would protect the cod grounds. Norvania's "
    "parliament is expected to vote on the accord next week, President Ilse Marank's office said.",
    DAY0 + timedelta(days=1, hours=2), "Morning Wire")

# The same two leaders meet again a year later on the same subject: a different event.
NEXT_YEAR = [
    make("summit2-a", "Norvania and Estmark leaders meet again over Grey Sea fisheries",
         "President Ilse Marank of Norvania and Estmark Prime Minister Tomas Velder met in Valbruck on "
         "Wednesday to review the fisheries accord and cod quotas in the Grey Sea. The leaders agreed "
         "to extend the joint coast guard patrols along the maritime border and to raise quotas for "
         "small fishing crews.",
         DAY0 + timedelta(days=371), "Harbour Post"),
    make("summit2-b", "Marank and Velder extend Grey Sea patrols",
         "Meeting again in Valbruck, Norvania's Marank and Estmark's Velder extended the coast guard "
         "patrols set up under their fisheries accord and adjusted cod quotas for the Grey Sea fleets "
         "along the maritime border.",
         DAY0 + timedelta(days=371, hours=4), "Daily Ledger"),
]


def stories(mapping: dict[str, str], articles: list[Article]) -> set[frozenset[str]]:
    """The grouping as a set of groups of article ids, whatever the story ids are."""
    groups: dict[str, set[str]] = {}
    for article in articles:
        groups.setdefault(mapping[article.id], set()).add(article.id)
    return {frozenset(g) for g in groups.values()}


def ids(articles: list[Article]) -> frozenset[str]:
    """The ids of ``articles`` as one group."""
    return frozenset(a.id for a in articles)


def test_three_write_ups_of_one_summit_are_one_story_apart_from_other_news():
    articles = SUMMIT + SAME_DAY_OTHER_EVENTS
    mapping = group_articles(articles)
    assert set(mapping) == ids(articles)
    assert stories(mapping, articles) == {
        ids(SUMMIT), ids(SAME_DAY_OTHER_EVENTS[:1]), ids(SAME_DAY_OTHER_EVENTS[1:])}


def test_same_leaders_on_the_same_subject_a_year_apart_are_two_stories():
    articles = SUMMIT + NEXT_YEAR + SAME_DAY_OTHER_EVENTS
    mapping = group_articles(articles)
    assert ids(SUMMIT) in stories(mapping, articles)
    assert ids(NEXT_YEAR) in stories(mapping, articles)
    # Control: the texts alone are close enough to merge, so it is time that keeps them apart.
    no_time = group_articles(articles, options=GroupingOptions(window_days=10_000))
    assert no_time[NEXT_YEAR[0].id] == no_time[SUMMIT[0].id]


def test_next_day_follow_up_joins_yesterdays_story():
    day1 = SUMMIT + SAME_DAY_OTHER_EVENTS
    # Yesterday's stories as the store holds them, under ids a new run would not invent.
    yesterday = {k: "kept-" + v for k, v in group_articles(day1).items()}
    today = group_articles(day1 + [FOLLOW_UP], previous=yesterday)
    assert today[FOLLOW_UP.id] == yesterday[SUMMIT[0].id]
    assert {k: today[k] for k in yesterday} == yesterday


def test_previous_assignments_are_never_changed():
    # An earlier run split the summit coverage in two and misfiled the earthquake; a new
    # article that fits both summit stories joins one of them and nobody's story changes.
    previous = {SUMMIT[0].id: "story-one", SUMMIT[1].id: "story-two",
                SAME_DAY_OTHER_EVENTS[0].id: "story-one"}
    articles = SUMMIT + SAME_DAY_OTHER_EVENTS + [FOLLOW_UP]
    mapping = group_articles(articles, previous=previous)
    for article_id, story in previous.items():
        assert mapping[article_id] == story
    assert mapping[FOLLOW_UP.id] in {"story-one", "story-two"}
    assert mapping[SUMMIT[2].id] in {"story-one", "story-two"}


def test_story_ids_are_stable_and_do_not_depend_on_input_order():
    articles = SUMMIT + SAME_DAY_OTHER_EVENTS + NEXT_YEAR
    first = group_articles(articles)
    again = group_articles(list(reversed(articles)))
    assert first == again
    # A new story is named after its earliest article, never reusing an earlier story id.
    assert first[SUMMIT[1].id] == first[SUMMIT[0].id]
    assert len(set(first.values())) == 4
    taken = {"x": first[SUMMIT[0].id]}  # an unrelated article already owns that id
    renamed = group_articles(articles, previous=taken)
    assert renamed[SUMMIT[0].id] != first[SUMMIT[0].id]


def test_a_story_follows_its_latest_coverage_beyond_the_window():
    # Day by day follow-ups chain: each is within the window of the one before, although
    # the last is further than the window from the first report.
    window = GroupingOptions().window_days
    later = make("later", "Norvania parliament approves the Valbruck fisheries accord",
                 "Norvania's parliament approved the Valbruck fisheries accord with Estmark, completing "
                 "ratification. President Ilse Marank said the joint coast guard patrols on the Grey Sea "
                 "maritime border and the new cod quotas would begin next month, as Tomas Velder's "
                 "government had asked after Estmark's own vote.",
                 FOLLOW_UP.published + timedelta(days=window - 0.5), "Harbour Post")
    assert later.published - SUMMIT[0].published > timedelta(days=window)
    run1 = group_articles(SUMMIT + SAME_DAY_OTHER_EVENTS)
    run2 = group_articles(SUMMIT + SAME_DAY_OTHER_EVENTS + [FOLLOW_UP], run1)
    run3 = group_articles(SUMMIT + SAME_DAY_OTHER_EVENTS + [FOLLOW_UP, later], run2)
    assert run3[later.id] == run1[SUMMIT[0].id]


@pytest.mark.parametrize("articles", [[], [SUMMIT[0]]])
def test_trivial_inputs(articles):
    mapping = group_articles(articles)
    assert set(mapping) == ids(articles)


def test_candidates_are_ranked_by_row_then_value_then_column_as_a_lexsort_would():
    # The packed sort of a block's candidate pairs keeps each row's best in the same order
    # (ties of wire copies by article), and falls back where the packing cannot hold them.
    rng = np.random.default_rng(7)
    start = 4096
    rows = start + rng.integers(0, 2048, 5000)
    for columns, values in ((rng.integers(0, 30000, 5000), rng.choice(np.float32([0.5, 0.25, 0.125, 1e-30]), 5000)),
                            (rng.integers(0, 30000, 5000), rng.random(5000).astype(np.float32)),
                            (rng.integers(0, 5_000_000, 5000), rng.random(5000).astype(np.float32)),
                            (rng.integers(0, 30000, 5000), rng.random(5000).astype(np.float32) - np.float32(0.5))):
        order = np.lexsort((columns, -values, rows))
        got = _by_row_and_value(rows, columns, values, start)
        for mine, expected in zip(got, (rows[order], columns[order], values[order])):
            assert np.array_equal(mine, expected)
