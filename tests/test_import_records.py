"""Importing JSON Lines with some bad records, and articles that read unlike a wire report."""
from __future__ import annotations

import json

import briefing
from feeds.importer import import_paths, title_from_text

# A first-person essay: every paragraph moves on to new people and places, so no word recurs
# across paragraphs the way a report's subject does.
ESSAY = [
    "When I first moved to the harbour town, I could not tell one fishing boat from another, and my "
    "neighbour laughed at me every morning as I mixed up their names on the quay.",
    "My grandmother had warned me about winters there. She wrote long letters from her farm inland, "
    "describing frozen wells, stubborn goats and the long silence of February evenings.",
    "I learned to bake bread the way the baker on the corner did it, slowly and with too much salt, "
    "and I still think of his flour-covered radio whenever the kitchen smells of yeast.",
    "Years later I understand that I was never really a visitor; I was a student of small habits, "
    "and the town taught me patience more than any school I attended.",
]
REPORT = ("Coastal states agreed on Tuesday to share patrol boats along the northern strait, officials said. "
          "The agreement covers fishing inspections and rescue operations for the next three years.")


def _line(text: str, n: int) -> str:
    return json.dumps({"title": "", "url": f"https://ledger.example/{n}", "source": "Harbour Ledger",
                       "published": "2025-06-24T10:00:00+00:00", "text": text})


def test_a_first_person_essay_without_a_title_is_stored_whole(tmp_path):
    (tmp_path / "essay.jsonl").write_text(_line("\n".join(ESSAY), 1) + "\n", encoding="utf-8")
    report = import_paths([tmp_path / "essay.jsonl"])
    assert report.problems == ()
    [article] = report.articles
    assert all(paragraph in article.text for paragraph in ESSAY)


def _day(tmp_path, bad: int):
    lines = [_line(f"{REPORT} Report number {n} of the day adds new details from the talks.", n)
             for n in range(20)]
    for k in range(bad):
        lines[3 + 5 * k] = "{not json" if k % 2 == 0 else json.dumps({"title": "no text here"})
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_with_bad_records_stores_the_rest_warns_about_each_and_exits_0(home, tmp_path, capsys):
    path = _day(tmp_path, bad=2)
    code = briefing.main(["import", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"{path}:4: not valid JSON" in err and f'{path}:9: no "text"' in err
    assert "error" not in err.lower()
    from core.options import load_options
    from jobs import open_store

    store = open_store(load_options())
    try:
        assert len(store.articles()) == 18
    finally:
        store.close()


def test_jsonl_where_every_record_is_bad_exits_1(home, tmp_path, capsys):
    path = tmp_path / "day.jsonl"
    path.write_text("{broken\n" + json.dumps({"title": "x"}) + "\n", encoding="utf-8")
    code = briefing.main(["import", str(path)])
    _, err = capsys.readouterr()
    assert code == 1
    assert f"{path}:1: not valid JSON" in err and "no article could be imported" in err


def test_folder_with_a_bad_record_stores_the_rest_and_exits_0(home, tmp_path, capsys):
    folder = tmp_path / "saved"
    folder.mkdir()
    _day(folder, bad=1)
    code = briefing.main(["import", str(folder)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "day.jsonl:4: not valid JSON" in err


def test_a_record_without_a_title_is_titled_by_its_first_sentence_never_cut_inside_a_word(tmp_path):
    lede = ("Gen. Ana Ortiz said on Tuesday that the two navies would hold joint patrols in the strait from "
            "next month, a step both governments have discussed for years. "
            "The patrols will begin near the northern islands and move south as more boats arrive.")
    run_on = " ".join(["the talks went on through the night without a pause"] * 6)
    lines = [_line(lede + "\n" + REPORT, 1), _line(run_on + "\n" + REPORT, 2)]
    (tmp_path / "day.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    by_id = {a.id: a.title for a in import_paths([tmp_path / "day.jsonl"]).articles}
    assert by_id["https://ledger.example/1"] == lede.split(" The patrols")[0]
    cut = by_id["https://ledger.example/2"]
    assert cut.endswith("\u2026") and run_on.startswith(cut[:-1]) and cut[-2] != " "
    assert run_on[len(cut) - 1] == " "  # the cut falls between two words


def test_a_headline_glued_to_its_articles_dateline_on_one_line_is_titled_by_the_headline(tmp_path):
    glued = ("Harbour states extend the patrol deal for a year PORT ELLIS \u2014 The coastal states agreed on "
             "Tuesday to keep sharing patrol boats along the northern strait for another year, officials said, "
             "after talks that ran late into the night.")
    plain = "PORT ELLIS (Harbour Wire) \u2014 " + REPORT
    place = "PORT ELLIS, North Coast (Harbour Wire) -- " + REPORT  # a dateline's own place is no headline
    lines = [_line(glued + "\n" + REPORT, 1), _line(plain + "\n" + REPORT, 2), _line(place + "\n" + REPORT, 4)]
    (tmp_path / "day.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    by_id = {a.id: a.title for a in import_paths([tmp_path / "day.jsonl"]).articles}
    assert by_id["https://ledger.example/1"] == "Harbour states extend the patrol deal for a year"
    assert by_id["https://ledger.example/2"].startswith("PORT ELLIS (Harbour Wire) \u2014 Coastal states agreed")
    # the dateline ends the first line: the article starts on the next
    assert title_from_text("Harbour states extend the patrol deal PORT ELLIS \u2014\n" + REPORT) == \
        "Harbour states extend the patrol deal"
    assert by_id["https://ledger.example/4"].startswith("PORT ELLIS, North Coast (Harbour Wire) -- Coastal")
