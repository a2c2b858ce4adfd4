"""The article store: a real SQLite file, migrations recorded, nothing stored ever lost."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from core import db
from feeds.store import Store, text_id
from tests.conftest import make_article


def test_migrations_are_recorded_and_applied_once(tmp_path):
    path = tmp_path / "b.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT component, number FROM migrations WHERE component = 'store'").fetchall()
    # Every registered store migration, each once, in order.
    assert rows == [("store", n) for n in range(1, len(db._REGISTRY["store"]) + 1)]
    assert len(rows) >= 2  # #2 added the feed-health columns
    # Opening again applies nothing new.
    store = Store.open(path)
    assert db.migrate(store.conn) == []
    store.close()


def test_an_article_seen_twice_is_stored_once_and_keeps_its_first_copy(tmp_path):
    store = Store.open(tmp_path / "b.db")
    first = make_article(1, outlet="First Feed")
    again = make_article(1, outlet="Second Feed", text="A different rendering of the same page.")
    assert store.add_articles([first]) == [first]
    assert store.add_articles([again]) == []
    [kept] = store.articles()
    assert kept.outlet == "First Feed"
    assert kept.published == first.published
    store.close()


def test_articles_survive_reopening_with_all_fields(tmp_path):
    path = tmp_path / "b.db"
    store = Store.open(path)
    article = make_article(7, title="Envoys meet in Geneva", url="https://news.example/7")
    store.add_articles([article])
    store.close()
    [back] = Store.open(path).articles()
    assert back == article


def test_failed_fetch_keeps_validators_and_counts_failures(tmp_path):
    store = Store.open(tmp_path / "b.db")
    store.record_fetch("https://feed.example/rss", ok=True, etag='"v1"', modified="Tue, 24 Jun 2025 10:00:00 GMT",
                       status="ok", error=None)
    store.record_fetch("https://feed.example/rss", ok=False, etag=None, modified=None, status="failed",
                       error="HTTP 503")
    row = store.feed_states()["https://feed.example/rss"]
    assert row["etag"] == '"v1"' and row["modified"].startswith("Tue")
    assert row["failures"] == 1 and row["last_error"] == "HTTP 503"
    store.close()


def test_story_assignments_are_never_overwritten(tmp_path):
    store = Store.open(tmp_path / "b.db")
    store.add_articles([make_article(1), make_article(2)])
    store.assign_stories({"https://news.example/1": "story-a"})
    store.assign_stories({"https://news.example/1": "story-b", "https://news.example/2": "story-a"})
    assert store.story_assignments() == {"https://news.example/1": "story-a", "https://news.example/2": "story-a"}
    store.close()


def test_filters_by_publication_time(tmp_path):
    store = Store.open(tmp_path / "b.db")
    early = make_article(1, published=datetime(2025, 6, 20, tzinfo=timezone.utc))
    late = make_article(2, published=datetime(2025, 6, 24, tzinfo=timezone.utc))
    store.add_articles([early, late])
    got = store.articles(published_after=datetime(2025, 6, 21, tzinfo=timezone.utc))
    assert [a.id for a in got] == [late.id]
    store.close()


def test_text_id_ignores_whitespace_and_case():
    assert text_id("Talks  resume\nin Doha.") == text_id("talks resume in doha.")
    assert text_id("Talks resume in Doha.") != text_id("Talks end in Doha.")
