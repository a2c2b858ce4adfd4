"""Near-duplicate detection: syndicated wire copy and one article reached through two feeds.

All fixtures are invented for this project.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.models import Article
from summarize.dedup import find_duplicates

T0 = datetime(2024, 5, 2, 8, 0, tzinfo=timezone.utc)

WIRE_BODY = (
    "Foreign ministers of the six Tavor Basin states agreed on Thursday to share river gauge data "
    "every hour during the flood season, after spring floods last year caught downstream towns "
    "without warning. The agreement, reached at a two-day meeting in the river port of Ostrel, also "
    "sets up a joint fund for dredging the main channel and a hotline between the water agencies. "
    "Officials said the first data exchange would begin before the snow melt in the northern "
    "ranges. Two of the states had walked out of similar talks three years ago over the cost of "
    "new dams, and diplomats credited a mediator from the basin commission with bringing them back. "
    "The fund will be paid for in proportion to each country's length of river bank, a formula "
    "that the smaller states had long demanded."
)

OTHER_WRITE_UP = (
    "Downstream towns on the Tavor river will get hourly warnings of rising water under a deal struck "
    "in Ostrel by the foreign ministers of the basin's six countries. Last spring's floods, which "
    "arrived with no notice, pushed the governments back to the table after a failed round of talks "
    "over dams three years ago. Besides the data sharing, the ministers created a dredging fund, "
    "split according to how much river bank each country has, and a direct line between their "
    "water agencies. A basin commission mediator was widely praised for the breakthrough."
)


def make(id_: str, text: str, outlet: str, when: datetime = T0, url: str | None = None) -> Article:
    """An article with the fields duplicate detection reads."""
    return Article(id=id_, title="Tavor Basin states agree to share flood data", text=text,
                   outlet=outlet, published=when, url=url)


def test_wire_copy_with_own_outlet_line_and_boilerplate_is_a_duplicate():
    original = make("wire", "OSTREL (Continental Press) - " + WIRE_BODY, "Continental Press")
    reprint = make("paper", "OSTREL, May 2 (Valley Herald) " + WIRE_BODY
                   + " Copyright Valley Herald. All rights reserved. Sign up for our morning newsletter "
                     "to get the day's headlines, and follow us for local weather alerts. Readers can "
                     "send news tips to our newsroom at any hour, and subscribers get the print edition "
                     "delivered before seven every morning.",
                   "Valley Herald", T0 + timedelta(hours=2))
    different = make("own", OTHER_WRITE_UP, "River Times")
    result = find_duplicates([original, reprint, different])
    # The boilerplate pulls Jaccard below 0.8; nearly all of the original is inside the
    # reprint. The reprint has the longer text, so it is the copy kept.
    assert result == {"wire": "paper"}


def test_two_write_ups_of_the_same_event_are_not_duplicates():
    a = make("a", WIRE_BODY, "Continental Press")
    b = make("b", OTHER_WRITE_UP, "River Times")
    assert find_duplicates([a, b]) == {}


def test_short_items_sharing_a_phrase_are_not_duplicates():
    a = make("a", "Tavor Basin states agree to share flood data. Ministers meet again in June.", "One")
    b = make("b", "Tavor Basin states agree to share flood data. Critics call it too little.", "Two")
    assert find_duplicates([a, b]) == {}


def test_same_canonical_url_through_two_feeds_is_a_duplicate():
    a = make("a", WIRE_BODY, "Continental Press", url="https://press.example/tavor-floods?utm_source=rss")
    b = make("b", "Ministers of six states agree a flood data deal.", "Continental Press",
             url="https://press.example/tavor-floods?utm_medium=email#top")
    assert find_duplicates([a, b]) == {"b": "a"}


def test_kept_copy_does_not_depend_on_input_order():
    copies = [make(f"c{i}", WIRE_BODY, f"Outlet {i}", T0 + timedelta(minutes=10 * i)) for i in range(4)]
    expected = {"c1": "c0", "c2": "c0", "c3": "c0"}  # equal texts: the earliest is kept
    assert find_duplicates(copies) == expected
    assert find_duplicates(list(reversed(copies))) == expected


def test_no_articles():
    assert find_duplicates([]) == {}
