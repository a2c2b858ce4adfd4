"""Full-text search over past briefings: words, outlets, date ranges, hostile queries; the CLI."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import briefing
from archive.briefings import save_briefing
from archive.search import SearchError, fts_query, index_briefing, open_index, search
from core.db import connect
from templates.render import render_email
from tests.test_site import HOSTILE_HEADLINE, archive_briefings


@pytest.fixture
def conn(tmp_path):
    import archive.search  # noqa: F401  (registers the index)
    conn = connect(tmp_path / "briefing.db")
    for b in archive_briefings():
        index_briefing(conn, b)
    yield conn
    conn.close()


def test_finds_a_story_by_a_word_of_its_summary(conn):
    hits = search(conn, "prisoner exchange")
    assert {(h.story_id, h.date) for h in hits} == {("story-talks1", d) for d in ("2025-06-23", "2025-06-24",
                                                                                   "2025-07-01")}
    assert any(hit for text, hit in hits[0].snippet if text.lower() == "prisoner")


def test_finds_stories_by_outlet_and_stemmed_words(conn):
    assert {h.story_id for h in search(conn, "Atlas Daily")} == {"story-fisheries"}
    assert {h.story_id for h in search(conn, "quota")} == {"story-fisheries"}  # "quotas" in the text


def test_date_range_is_inclusive_and_alone_lists_the_days_stories(conn):
    assert [h.date for h in search(conn, "ceasefire", since="2025-06-24", until="2025-06-24")] == ["2025-06-24"]
    listed = search(conn, "", since="2025-07-01")
    assert {h.story_id for h in listed} == {"story-talks1", "story-summit"}
    assert search(conn, "") == []


def test_headline_matches_rank_first(conn):
    hits = search(conn, "summit")
    assert hits[0].story_id == "story-summit"


def test_rebuilding_a_date_replaces_its_rows(conn):
    first = archive_briefings()[0]
    index_briefing(conn, first)
    index_briefing(conn, first)
    assert len(search(conn, "fisheries pact")) == 1


@pytest.mark.parametrize("query", ['"', "AND (", "NEAR(", "*", "col:x", "a OR", "^x", "'; DROP TABLE x; --",
                                   "headline:ceasefire", '"unbalanced', "(((", "-", "+"])
def test_fts_syntax_in_a_query_never_raises(conn, query):
    search(conn, query)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_safe_query(text):
    import sqlite3
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
    try:
        query = fts_query(text)
    except SearchError:
        return  # over a cap (a one-letter prefix, say): refused before any SQL
    if query:
        db.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()


def test_hostile_text_is_found_and_returned_as_plain_data(conn):
    hits = search(conn, "script")
    assert hits and hits[0].headline == HOSTILE_HEADLINE


def test_malformed_dates_are_a_user_error(conn):
    with pytest.raises(SearchError):
        search(conn, "talks", since="yesterday")


def test_cli_search_by_word_and_outlet_prints_permalinks(home, capsys):
    for b in archive_briefings():
        save_briefing(home / "archive", b, render_email(b))  # archived without an index: search catches up
    assert briefing.main(["search", "prisoner", "--from", "2025-06-24"]) == 0
    out = capsys.readouterr().out
    assert str(home / "site" / "stories" / "story-talks1" / "2025-06-24.html") in out
    assert "2025-06-23" not in out and "2 stories found" in out
    assert briefing.main(["search", "Atlas", "Daily"]) == 0
    out = capsys.readouterr().out
    assert "Coastal states sign a fisheries pact" in out and "1 story found" in out


def test_cli_search_uses_the_public_base_url(home, capsys, monkeypatch):
    monkeypatch.setenv("BRIEFING_BRIEFING_BASE_URL", "https://brief.example.org/")
    for b in archive_briefings():
        save_briefing(home / "archive", b, render_email(b))
    assert briefing.main(["search", "lakeside"]) == 0
    assert "https://brief.example.org/stories/story-summit/2025-07-01.html" in capsys.readouterr().out


def test_cli_search_needs_words_or_dates(home, capsys):
    assert briefing.main(["search"]) == 2  # usage: nothing to search for
    assert "give words to search for" in capsys.readouterr().err


def test_open_index_indexes_an_older_archive_once(tmp_path):
    for b in archive_briefings():
        save_briefing(tmp_path / "archive", b, render_email(b))
    conn = open_index(tmp_path / "briefing.db", tmp_path / "archive")
    assert len(search(conn, "ceasefire")) == 3
    conn.close()
    conn = open_index(tmp_path / "briefing.db", tmp_path / "archive")
    assert len(search(conn, "ceasefire")) == 3
    conn.close()


def test_a_prefix_matches_words_as_written_not_their_stems(conn):
    # The stemmed index holds "negoti" for "Negotiators": the written prefix must still find it.
    by_word = {(h.story_id, h.date) for h in search(conn, "negotiators")}
    assert by_word
    assert {(h.story_id, h.date) for h in search(conn, "negotiat*")} == by_word
    assert {(h.story_id, h.date) for h in search(conn, "prisoner negotiat*")} <= by_word
    assert search(conn, "negotiat* fisheries") == []  # a prefix and a word: both required


def test_cli_prefix_search_finds_stories(home, capsys):
    for b in archive_briefings():
        save_briefing(home / "archive", b, render_email(b))
    assert briefing.main(["search", "negotiat*"]) == 0
    out = capsys.readouterr().out
    assert "0 stories found" not in out and "stories/story-talks1" in out


def test_repeated_words_count_once_and_over_long_queries_are_refused(conn):
    assert len(search(conn, " ".join(["ceasefire"] * 15))) == len(search(conn, "ceasefire")) > 0
    with pytest.raises(SearchError, match="at most 12"):
        search(conn, " ".join(f"word{n}" for n in range(13)))
    with pytest.raises(SearchError, match="prefixes"):
        search(conn, "abc* abd* abe* abf* abg*")
    with pytest.raises(SearchError, match="at least 3 letters"):
        search(conn, "ne*")
    with pytest.raises(SearchError, match="characters long"):
        search(conn, "x" * 201)
    with pytest.raises(SearchError, match="longer than a word"):
        search(conn, "y" * 41)


def test_an_older_index_gets_its_unstemmed_twin(tmp_path):
    from core import db

    path = tmp_path / "briefing.db"
    raw = __import__("sqlite3").connect(path)
    raw.execute(db._REGISTRY["search"][0])
    raw.execute("CREATE TABLE migrations (component TEXT NOT NULL, number INTEGER NOT NULL,"
                " applied TEXT NOT NULL DEFAULT (datetime('now')), PRIMARY KEY (component, number))")
    raw.execute("INSERT INTO migrations (component, number) VALUES ('search', 1)")
    raw.execute("INSERT INTO story_search (date, story_id, position, headline, summary, outlets, titles)"
                " VALUES ('2025-06-01', 's1', 1, 'Envoys resume negotiations', 'Talks go on.', 'Gazette', '')")
    raw.commit()
    raw.close()
    conn = connect(path)
    assert [h.story_id for h in search(conn, "negotiat*")] == ["s1"]
    conn.close()
