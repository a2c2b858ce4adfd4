"""A corpus that stores its articles tokenised is read, and shown, the way prose is written."""
from __future__ import annotations

import json

import briefing
from summarize.tokenised import is_tokenised, untokenised

TOKENISED = (
    "The envoys of both governments met in Valletta on Monday , officials said .\n"
    "\" We do n't expect a deal this week , \" the island 's foreign minister told reporters .\n"
    "The long - awaited talks ( the third round ) cost about $ 2 million , up 40 % on the last .")
WRITTEN = (
    "The envoys of both governments met in Valletta on Monday, officials said.\n"
    "\"We don't expect a deal this week,\" the island's foreign minister told reporters.\n"
    "The long-awaited talks (the third round) cost about $2 million, up 40% on the last.")


def test_a_tokenised_report_is_respaced_the_way_it_is_written():
    assert is_tokenised(TOKENISED)
    assert untokenised(TOKENISED) == WRITTEN
    # single marks: a quotation in a headline, and a plural's possessive
    assert (untokenised("Envoy : talks ' far from over ' as Farmers ' Union protests", tokenised=True)
            == "Envoy: talks 'far from over' as Farmers' Union protests")


def test_ordinary_prose_is_left_exactly_as_it_is():
    # prose with a few loose marks of its own (a spaced dash, a list " - ") is not a tokenised text
    prose = ("Talks resumed in Valletta - the third round this year - and ended early. "
             "The minister said \" no \" to one proposal only, aides said. Both sides met again on Tuesday.")
    assert not is_tokenised(WRITTEN)
    assert untokenised(prose) == prose
    assert untokenised(WRITTEN) == WRITTEN


REPORTS = [
    ("Malta hosts envoys as ceasefire talks resume", "https://islandpost.example/valletta-talks", "Island Post",
     "Envoys of Northland and Southmark met in Valletta on Monday for a third round of ceasefire talks , "
     "the Maltese foreign ministry said .\n"
     "\" We do n't expect a final deal this week , \" Malta 's foreign minister told reporters after the "
     "first session .\n"
     "The two delegations agreed to exchange 200 prisoners and to reopen the border crossing at Karsa , "
     "a step the United Nations envoy called long - awaited .\n"
     "Northland 's delegation is led by its deputy foreign minister ; Southmark sent its ambassador to "
     "the European Union .\n"
     "The talks resume on Wednesday , diplomats said ."),
    ("Prisoner swap agreed at Valletta ceasefire talks", "https://harbourledger.example/swap", "Harbour Ledger",
     "Northland and Southmark agreed in Valletta on Monday to exchange 200 prisoners , the first deal of "
     "their ceasefire talks , diplomats said .\n"
     "The United Nations envoy , who chairs the talks , said the border crossing at Karsa would reopen "
     "within a week .\n"
     "Malta 's foreign minister said the two sides were \" still far apart \" on a lasting ceasefire .\n"
     "Southmark 's ambassador said his government wanted monitors from the European Union ( EU ) on the "
     "ceasefire line .\n"
     "The delegations meet again on Wednesday ."),
]


def test_a_briefing_from_a_tokenised_corpus_reads_as_prose(home, tmp_path):
    lines = [json.dumps({"title": title, "url": url, "source": source, "published": "2025-06-24T09:00:00+00:00",
                         "text": text}) for title, url, source, text in REPORTS]
    (tmp_path / "day.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert briefing.main(["import", str(tmp_path / "day.jsonl")]) == 0
    assert briefing.main(["build", "--date", "2025-06-25", "--since", "48", "--out", str(tmp_path / "out")]) == 0
    story = json.loads((tmp_path / "out" / "briefing.json").read_text(encoding="utf-8"))["stories"][0]
    summary = " ".join(sentence["text"] for sentence in story["summary"])
    assert "Valletta" in summary
    assert " ," not in summary and " ." not in summary and " 's" not in summary and " n't" not in summary
