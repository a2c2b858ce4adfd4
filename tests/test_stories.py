"""From grouped articles to ranked stories: sources, wire copies, lead-ins, ranking."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.models import Source, Story
from summarize.standing import rank_stories
from summarize.stories import make_story, strip_lead_in
from tests.conftest import make_article

T0 = datetime(2025, 6, 24, 12, tzinfo=timezone.utc)

TREATY = [
    "The foreign ministers of Ardenia and Belmark signed a treaty on Monday sharing the waters of the Silver Lake basin.",
    "The agreement creates a joint commission that will set seasonal quotas for irrigation and settle disputes over dams.",
    "United Nations mediators hosted the final round of negotiations in Geneva and offered to monitor the first year.",
    "Belmark's parliament is expected to ratify the treaty next month, officials from both governments said on Monday.",
]


def test_wire_dateline_and_bullets_are_not_shown_in_summaries():
    assert strip_lead_in("ORSK, March 10 (Meridian Wire) - Ardenia and Belmark signed the treaty on Monday.") == \
        "Ardenia and Belmark signed the treaty on Monday."
    assert strip_lead_in("GENEVA (Atlas) —Envoys met for a third round of talks.") == "Envoys met for a third round of talks."
    assert strip_lead_in("- Envoys met for a third round of talks.") == "Envoys met for a third round of talks."
    assert strip_lead_in("U.S. envoys met for a third round of talks.") == "U.S. envoys met for a third round of talks."


def test_every_outlet_is_listed_even_when_its_copy_is_folded():
    wire = "\n".join(TREATY)
    a = make_article(1, text="ORSK, March 10 (Meridian Wire) - " + wire, outlet="Meridian Wire", title="Treaty signed")
    b = make_article(2, text="ORSK, March 10 (Meridian Wire) - " + wire, outlet="Harbour Ledger",
                     title="Neighbours sign water treaty", published=T0 + timedelta(hours=1))
    story = make_story("s", [a, b])
    # One text is one report: the first publisher's, also carried by the other outlet.
    assert [(s.outlet, s.carried_by) for s in story.sources] == [("Meridian Wire", ("Harbour Ledger",))]
    assert story.outlets == ("Meridian Wire", "Harbour Ledger") and story.independent_reports == 1
    assert story.updated == T0 + timedelta(hours=1)
    assert story.headline in {"Treaty signed", "Neighbours sign water treaty"}
    assert 3 <= len(story.summary) <= 5
    assert not any(x.text.startswith("ORSK") for x in story.summary)
    assert len({x.text for x in story.summary}) == len(story.summary)


def _story(name: str, outlets: int, hours_old: float, topic: float = 1.0) -> Story:
    updated = T0 - timedelta(hours=hours_old)
    sources = tuple(Source(f"{name}{i}", f"Outlet {i}", name, None, updated) for i in range(outlets))
    return Story(name, name, (), sources, updated, topic)


def test_ranking_prefers_coverage_then_recency():
    ranked = rank_stories([_story("thin-new", 1, 1), _story("wide-old", 5, 20), _story("wide-new", 5, 1)], T0)
    assert [s.id for s in ranked] == ["wide-new", "wide-old", "thin-new"]


def test_ranking_counts_distinct_outlets_not_articles():
    same = _story("same-outlet", 1, 2)
    same = Story(same.id, same.headline, (), same.sources * 4, same.updated, 1.0)
    ranked = rank_stories([same, _story("three-outlets", 3, 2)], T0)
    assert ranked[0].id == "three-outlets"
