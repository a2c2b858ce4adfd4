"""The demo briefing tells each of the sample corpus's events once, as sample/README.md says.

The README's ground truth ("which article belongs to which event") is read from the file
itself, so the test follows the corpus: every event's articles in one story, no two events
in one story, and as many stories as events. The ceasefire event spans two days (the truce
taking hold on the 24th, holding for a second day on the 25th): a reader must get it as one
story, not as two paragraphs that do not know of each other.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import briefing

SAMPLE = Path(__file__).resolve().parent.parent / "sample"
_ITEM = re.compile(r"^\| `(?P<file>[^`#]+)(?:#(?P<line>\d+))?` \| (?P<outlet>[^|]+?) \|")
_EVENT = re.compile(r"^### (?P<event>E\d+) `(?P<slug>[^`]+)`")


def ground_truth() -> dict[str, list[tuple[str, int | None, str]]]:
    """Event slug -> its items as (file, line or None, outlet), from sample/README.md."""
    events: dict[str, list[tuple[str, int | None, str]]] = {}
    current = None
    for line in (SAMPLE / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            found = _EVENT.match(line)
            current = found["slug"] if found else None
            if current:
                events[current] = []
            continue
        item = _ITEM.match(line)
        if item and current:
            events[current].append((item["file"], int(item["line"]) if item["line"] else None,
                                    item["outlet"].strip()))
    return events


def headline(file: str, line: int | None) -> str:
    """The headline a sample item carries: the first line of a text page, the page's h1, the record's title."""
    path = SAMPLE / file
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":
        return text.splitlines()[0]
    if path.suffix == ".html":
        return re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)
    if path.suffix == ".json":
        return json.loads(text)["title"]
    records = [json.loads(x) for x in text.splitlines() if x.strip()]
    return records[(line or 1) - 1]["title"]


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_ground_truth_is_read_from_the_readme():
    events = ground_truth()
    assert len(events) == 5
    assert len(events["iran-israel-ceasefire"]) == 5
    assert sum(len(items) for items in events.values()) == 18


def test_demo_makes_one_story_per_event_and_the_two_day_ceasefire_is_one(tmp_path):
    assert briefing.main(["demo", "--home", str(tmp_path / "demo")]) == 0
    data = json.loads((tmp_path / "demo" / "out" / "briefing.json").read_text(encoding="utf-8"))
    sources = [(number, source) for number, story in enumerate(data["stories"]) for source in story["sources"]]
    story_of_event: dict[str, set[int]] = {}
    for event, items in ground_truth().items():
        for file, line, outlet in items:
            wanted = words(headline(file, line))
            # The source this item became: its outlet (or a carrier of the wire's copy) and
            # the headline sharing the most words with the item's own.
            mine = [(len(wanted & words(s["title"])) / len(wanted | words(s["title"])), number)
                    for number, s in sources if s["outlet"] == outlet or outlet in s["carried_by"]]
            assert mine, f"{file}: no source from {outlet} in the briefing"
            overlap, number = max(mine)
            assert overlap >= 0.5, f"{file}: no source with its headline ({headline(file, line)!r})"
            story_of_event.setdefault(event, set()).add(number)
    for event, stories in story_of_event.items():
        assert len(stories) == 1, f"{event} is told in {len(stories)} stories"
    assert len({next(iter(s)) for s in story_of_event.values()}) == 5  # no two events in one story
    assert len(data["stories"]) == 5


def test_no_demo_paragraph_adds_a_sentence_dated_by_an_event_it_never_told(tmp_path):
    """Another source's sentence dated "after the deadline" stays out of a paragraph that named
    no deadline (the ceasefire story's wire report has one such sentence)."""
    from summarize import lead

    assert briefing.main(["demo", "--home", str(tmp_path / "demo")]) == 0
    data = json.loads((tmp_path / "demo" / "out" / "briefing.json").read_text(encoding="utf-8"))
    for story in data["stories"]:
        home = story["summary"][0]["article_id"]
        told: list[str] = []
        for sentence in story["summary"]:
            if sentence["article_id"] != home:
                assert lead.unintroduced_event(sentence["text"], lead.known_words(told)) is None, sentence["text"]
            told.append(sentence["text"])
