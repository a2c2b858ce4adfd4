"""The archive: each build saved by date, a rebuild replacing the date whole."""
from __future__ import annotations

import json

from archive.briefings import FILES, load_briefing, save_briefing
from core.models import Briefing
from feeds.store import Store
from templates.render import render_email
from tests.test_render import NOW, story


def test_save_writes_html_text_and_json_with_sentences_and_sources(tmp_path):
    briefing = Briefing("2025-06-24", (story(1), story(2)), NOW)
    folder = save_briefing(tmp_path / "archive", briefing, render_email(briefing))
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    data = json.loads((folder / "briefing.json").read_text())
    first = data["stories"][0]
    assert first["headline"] == "Ministers meet over story 1"
    assert first["summary"][0]["article_id"] == "https://o0.example/1"
    assert first["sources"][2]["outlet"] == "Outlet 2"
    assert load_briefing(tmp_path / "archive", "2025-06-24") == briefing


def test_rebuild_replaces_the_date_whole(tmp_path):
    archive = tmp_path / "archive"
    first = Briefing("2025-06-24", (story(1), story(2), story(3)), NOW)
    save_briefing(archive, first, render_email(first))
    second = Briefing("2025-06-24", (story(9),), NOW)
    folder = save_briefing(archive, second, render_email(second))
    html = (folder / "briefing.html").read_text()
    assert "story 9" in html and "story 2" not in html
    assert load_briefing(archive, "2025-06-24").stories == second.stories
    # the first build's version is gone, not left beside the new one
    assert len(list((archive / ".versions").iterdir())) == 1


def test_briefings_are_recorded_in_the_database(tmp_path):
    store = Store.open(tmp_path / "b.db")
    import archive.briefings  # noqa: F401  (registers the archive tables)
    from core import db
    db.migrate(store.conn)
    briefing = Briefing("2025-06-24", (story(1), story(2)), NOW)
    save_briefing(tmp_path / "archive", briefing, render_email(briefing), store.conn)
    rows = store.conn.execute("SELECT story_id, rank FROM briefing_stories ORDER BY rank").fetchall()
    assert [tuple(r) for r in rows] == [("s1", 1), ("s2", 2)]
    store.close()
