"""Wire copy credited to the wire: copies of one text are one independent report.

Fixtures are written for this project (the events are invented); outlet names are public facts.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import briefing
from archive.briefings import briefing_from_json, briefing_to_json
from core.models import Article, Briefing
from feeds.outlets import bundled_registry
from summarize.dedup import credited_wire
from summarize.stories import make_story

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)

WIRE_TEXT = [
    "Envoys from the two island states agreed on Monday to reopen the ferry line between their capitals, closed since a dispute over fishing rights.",
    "The agreement, reached after three days of talks hosted by a neighbouring government, also restores direct flights from April.",
    "Officials said customs and passport checks would be handled jointly at both ports to keep crossings short.",
    "The dispute began two years ago when patrol boats from one side detained a trawler, and both sides recalled their ambassadors.",
    "Ambassadors will return to their posts next month, the foreign ministries said in a joint statement after the talks.",
]
OWN_REPORT = [
    "Ferry operators on both islands began selling tickets within hours of the announcement that the line would reopen.",
    "Harbour officials said the first sailing would carry mostly families separated by the two-year closure of the route.",
    "Opposition politicians on the larger island said the deal gave away too much on fishing rights and demanded a vote.",
    "The government said the fishing question would be settled by a joint commission within the year.",
]


def article(n: int, outlet: str, text: list[str], *, url: str | None = None, hours: float = 0,
            published_from: str = "metadata", lead: str = "", tail: str = "") -> Article:
    body = "\n".join(text)
    return Article(id=url or f"sha256:{n:064d}", title=f"Island states reopen ferry line ({n})",
                   text=lead + body + tail, outlet=outlet, published=T0 + timedelta(hours=hours), url=url,
                   published_from=published_from)


def test_one_wire_story_through_three_outlets_is_one_source_credited_to_the_wire():
    copies = [
        article(1, "Yahoo News", WIRE_TEXT, url="https://news.yahoo.com/island-ferry-1.html", hours=1,
                lead="PORT ELLIS (AP) — "),
        article(2, "The Independent", WIRE_TEXT, url="https://www.independent.co.uk/news/world/ferry-2.html",
                hours=2, lead="PORT ELLIS (AP) — "),
        article(3, "Valley Courier", WIRE_TEXT, hours=3, lead="PORT ELLIS (AP) — ",
                tail="\nCopyright 2025 The Associated Press. All rights reserved."),
    ]
    own = article(4, "The Guardian", OWN_REPORT, url="https://www.theguardian.com/world/ferry", hours=4)
    story = make_story("s", copies + [own])

    wire = next(s for s in story.sources if s.outlet == "Associated Press")
    assert set(wire.carried_by) == {"Yahoo News", "The Independent", "Valley Courier"}
    assert (wire.country, wire.kind) == ("US", "wire")
    assert wire.article_id in {a.id for a in copies}
    assert [s.outlet for s in story.sources] == ["Associated Press", "The Guardian"]
    assert story.independent_reports == 2
    assert set(story.outlets) == {"Associated Press", "Yahoo News", "The Independent", "Valley Courier",
                                  "The Guardian"}
    assert story.countries == ("US", "GB")

    # Every summary sentence names the source it comes from, and the wire gets the credit for its text.
    by_id = {s.article_id: s for s in story.sources}
    assert story.summary
    for sentence in story.summary:
        assert sentence.article_id in by_id
        assert sentence.outlet == by_id[sentence.article_id].outlet
    assert any(x.outlet == "Associated Press" and x.text in "\n".join(WIRE_TEXT) for x in story.summary)
    assert not any(x.outlet in {"Yahoo News", "The Independent", "Valley Courier"} for x in story.summary)


def test_the_wire_own_copy_stands_for_its_carriers():
    wire = article(1, "Reuters", WIRE_TEXT, url="https://www.reuters.com/world/ferry-2025-03-04/", hours=2)
    carried = [article(2, "Yahoo News", WIRE_TEXT, url="https://news.yahoo.com/ferry.html", hours=1),
               article(3, "MSN", WIRE_TEXT, url="https://www.msn.com/en-gb/news/world/ferry", hours=3)]
    story = make_story("s", [wire] + carried)
    [source] = story.sources
    assert (source.outlet, source.url) == ("Reuters", "https://www.reuters.com/world/ferry-2025-03-04/")
    assert source.carried_by == ("Yahoo News", "MSN")
    assert {x.outlet for x in story.summary} == {"Reuters"}
    assert {x.article_id for x in story.summary} == {source.article_id}


def test_copies_with_no_wire_are_credited_to_the_first_publisher():
    first = article(1, "Harbour Ledger", WIRE_TEXT, hours=1)
    later = article(2, "Northgate Post", WIRE_TEXT, hours=5)
    [source] = make_story("s", [later, first]).sources
    assert (source.outlet, source.carried_by) == ("Harbour Ledger", ("Northgate Post",))


def test_a_report_that_cites_a_wire_is_its_own_outlet():
    cited = ["Bloomberg reported on Friday that the ferry line would reopen, citing people familiar with the talks."]
    one = article(1, "The Week", cited + OWN_REPORT, hours=1)
    other = article(2, "Harbour Ledger", WIRE_TEXT, hours=2)
    story = make_story("s", [one, other])
    assert sorted(s.outlet for s in story.sources) == ["Harbour Ledger", "The Week"]
    assert all(s.carried_by == () for s in story.sources)


def test_wire_credits_in_text_come_from_registry_names():
    registry = bundled_registry()
    assert credited_wire("KYIV, May 16 (Reuters) - Ukraine said", registry) == "Reuters"
    assert credited_wire("ANKARA (Anadolu) - Talks", registry) == "Anadolu Agency"
    assert credited_wire("The talks went on.\n— AP", registry) == "Associated Press"
    assert credited_wire("By Agence France-Presse\nThe talks", registry) == "AFP"
    assert credited_wire("The talks went on.\nThe Associated Press contributed to this report.", registry) == \
        "Associated Press"
    assert credited_wire("This story was provided by Kyodo News.", registry) == "Kyodo News"
    # Citing a wire, a lower-case word, a non-wire outlet: no credit.
    assert credited_wire("Bloomberg reported that the talks failed.", registry) is None
    assert credited_wire("an ap proposal was tabled - ap", registry) is None
    assert credited_wire("LONDON (The Guardian) - Talks", registry) is None


def test_a_copy_dated_only_by_its_file_takes_the_date_the_other_copies_state():
    undated = article(1, "Valley Courier", WIRE_TEXT + ["The port authority will publish a timetable."],
                      hours=500, published_from="file-mtime")
    dated = article(2, "Harbour Ledger", WIRE_TEXT, hours=2)
    story = make_story("s", [undated, dated])
    [source] = story.sources
    assert source.published == T0 + timedelta(hours=2) and source.published_from == "metadata"
    # The story's update time is a stated one, not the day the file was saved.
    assert story.updated == T0 + timedelta(hours=2)


def test_new_source_fields_survive_the_archive_and_old_archives_still_load():
    story = make_story("s", [article(1, "Reuters", WIRE_TEXT, url="https://www.reuters.com/a", hours=1),
                             article(2, "MSN", WIRE_TEXT, url="https://www.msn.com/a", hours=2)])
    day = Briefing(date="2025-03-04", stories=(story,), generated=T0)
    again = briefing_from_json(json.loads(json.dumps(briefing_to_json(day))))
    [source] = again.stories[0].sources
    assert (source.outlet, source.carried_by, source.country, source.kind, source.published_from) == \
        ("Reuters", ("MSN",), "GB", "wire", "metadata")
    old = briefing_to_json(day)
    for saved in old["stories"][0]["sources"]:
        for key in ("published_from", "carried_by", "country", "kind"):
            del saved[key]
    [source] = briefing_from_json(old).stories[0].sources
    assert (source.outlet, source.carried_by, source.country, source.kind) == ("Reuters", (), "", "")


def test_demo_names_each_outlet_one_way_and_credits_the_wire(tmp_path, capsys):
    assert briefing.main(["demo", "--home", str(tmp_path / "demo")]) == 0
    data = json.loads(Path(tmp_path / "demo" / "out" / "briefing.json").read_text(encoding="utf-8"))
    names = {s["outlet"] for story in data["stories"] for s in story["sources"]}
    names |= {c for story in data["stories"] for s in story["sources"] for c in s["carried_by"]}
    assert names == {"The Harbour Ledger", "Meridian Wire", "Northgate Post", "Atlas Daily", "Capital Observer",
                     "Baltic Dispatch", "Straits Morning Herald"}
    truce = next(s for s in data["stories"] if any(x["carried_by"] for x in s["sources"]))
    wire = next(x for x in truce["sources"] if x["carried_by"])
    assert (wire["outlet"], wire["carried_by"], wire["kind"]) == ("Meridian Wire", ["Northgate Post"], "wire")
    # Northgate Post only ran the wire's copy in this story: none of its sentences is credited to it.
    assert "Northgate Post" not in {x["outlet"] for x in truce["summary"]}
    for story in data["stories"]:
        ids = {s["article_id"]: s["outlet"] for s in story["sources"]}
        assert all(ids[x["article_id"]] == x["outlet"] for x in story["summary"])
    assert all(s["published_from"] != "file-mtime" for story in data["stories"] for s in story["sources"])


def test_one_outlet_running_signed_wire_copy_credits_the_wire():
    signed = article(1, "Valley Courier", WIRE_TEXT, hours=1, lead="PORT ELLIS (AFP) — ")
    merely_helped = article(2, "Harbour Ledger", OWN_REPORT, hours=2,
                            tail="\nAgence France-Presse contributed to this report.")
    story = make_story("s", [signed, merely_helped])
    by_outlet = {s.outlet: s for s in story.sources}
    assert by_outlet["AFP"].carried_by == ("Valley Courier",) and by_outlet["AFP"].country == "FR"
    assert by_outlet["Harbour Ledger"].carried_by == ()
    assert story.independent_reports == 2
