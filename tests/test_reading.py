"""Each article is read once: its reading for grouping is kept in the store.

A build takes the readings the store holds and reads only the articles it does not hold
(new ones, changed ones, ones read by older code); the stories are the same as reading
every article again. Real SQLite files; the articles are invented for the project.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

from core import db
from feeds.store import Store
from summarize.group import group_articles
from summarize.reading import VERSION, encode, reading_key, stored_reading
from summarize.textvec import Weighting
from tests.test_events import CALL_FRIDAY, CALL_MONDAY, REPORTS, ROUND_ONE, ROUND_TWO, SUMMIT, SUMMIT_NEXT_DAY, day_by_day

EVERYTHING = ROUND_ONE + ROUND_TWO + CALL_MONDAY + CALL_FRIDAY + SUMMIT + SUMMIT_NEXT_DAY + REPORTS


def held(path) -> dict[str, str]:
    """article id -> key of its stored reading, straight from the file."""
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT article_id, key FROM readings"))
    finally:
        conn.close()


def test_grouping_through_the_store_gives_the_same_stories_and_keeps_every_reading(tmp_path):
    store = Store.open(tmp_path / "b.db")
    store.add_articles(EVERYTHING)
    through_store = group_articles(EVERYTHING, read=stored_reading(store))
    assert through_store == group_articles(EVERYTHING)
    store.close()
    keys = held(tmp_path / "b.db")
    assert set(keys) == {a.id for a in EVERYTHING}
    # Again, from a reopened store: the readings are taken as stored, with the same stories.
    store = Store.open(tmp_path / "b.db")
    assert group_articles(EVERYTHING, read=stored_reading(store)) == through_store
    store.close()
    assert held(tmp_path / "b.db") == keys


def test_a_build_takes_the_stored_reading_and_reads_again_an_article_whose_text_changed(tmp_path):
    store = Store.open(tmp_path / "b.db")
    first, other = CALL_MONDAY[0], SUMMIT[0]  # a grain call and a fisheries summit
    assert len(set(group_articles([first, other]).values())) == 2
    store.add_articles([first, other])
    weighting = Weighting()
    # Store, under the first article's key, the reading of the other article's text: a
    # build that takes stored readings groups the two together.
    [borrowed] = encode([(other.title, other.text, other.published, other.published_from, weighting)])
    store.save_readings([(first.id, reading_key(first, weighting), borrowed)])
    assert len(set(group_articles([first, other], read=stored_reading(store)).values())) == 1
    # The article's text changes (a corrected copy): its key no longer matches, it is read again.
    corrected = replace(first, text=first.text + " The first ships may sail on Thursday.")
    assert len(set(group_articles([corrected, other], read=stored_reading(store)).values())) == 2
    assert store.readings([first.id])[first.id][0] == reading_key(corrected, weighting)
    store.close()


def test_a_reading_records_what_it_depends_on():
    article = SUMMIT[0]
    key = reading_key(article, Weighting())
    assert reading_key(replace(article, title=article.title + "!"), Weighting()) != key
    assert reading_key(replace(article, published_from="fetched"), Weighting()) != key
    assert reading_key(article, Weighting(title=3.0)) != key
    assert reading_key(replace(article, outlet="Another Outlet"), Weighting()) == key  # not read
    # Stored times keep whole seconds: the same article before and after storing has one key.
    assert reading_key(replace(article, published=article.published.replace(microsecond=250)), Weighting()) == key
    assert reading_key(replace(article, published=article.published.replace(second=1)), Weighting()) != key
    terms, counts, facts, numbers, days = json.loads(encode([(article.title, article.text, article.published,
                                                              article.published_from, Weighting())])[0])
    assert "valbruck" in terms and "n:valbru" in facts and [d for d in days if d[:2] == "d:"] == ["d:2025-03-11", "d:2025-03-12"]  # Tuesday, Wednesday
    assert VERSION >= 1


def test_an_old_store_gets_the_readings_table_on_first_use(tmp_path):
    path = tmp_path / "b.db"
    Store.open(path).close()
    # A store made before readings were kept: no table, its migration not recorded.
    number = len(db._REGISTRY["store"])
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE readings")
    conn.execute("DELETE FROM migrations WHERE component = 'store' AND number = ?", (number,))
    conn.commit()
    conn.close()
    store = Store.open(path)
    store.add_articles(SUMMIT + SUMMIT_NEXT_DAY)
    mapping = group_articles(SUMMIT + SUMMIT_NEXT_DAY, read=stored_reading(store))
    store.close()
    assert len(set(mapping.values())) == 1
    assert set(held(path)) == {a.id for a in SUMMIT + SUMMIT_NEXT_DAY}


def test_day_by_day_through_the_store_keeps_the_events(tmp_path):
    # The daily path: each day's articles stored, then grouped with the earlier days' stories.
    store = Store.open(tmp_path / "b.db")
    from collections import defaultdict
    days = defaultdict(list)
    for article in EVERYTHING:
        days[article.published.date()].append(article)
    seen, assigned = [], {}
    for day in sorted(days):
        store.add_articles(days[day])
        seen.extend(days[day])
        assigned = group_articles(seen, assigned, read=stored_reading(store))
    store.close()
    assert assigned == day_by_day(EVERYTHING)


def test_a_build_keeps_the_reading_of_every_article_it_grouped(tmp_path):
    import briefing

    assert briefing.main(["demo", "--home", str(tmp_path / "demo")]) == 0
    conn = sqlite3.connect(tmp_path / "demo" / "briefing.db")
    try:
        grouped = {row[0] for row in conn.execute("SELECT article_id FROM story_members")}
        kept = {row[0] for row in conn.execute("SELECT article_id FROM readings")}
    finally:
        conn.close()
    assert len(grouped) == 18  # the sample's diplomacy articles
    assert kept == grouped
