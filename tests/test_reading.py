"""Each article is read once: its reading for grouping is kept in the store.

A build takes the readings the store holds and reads only the articles it does not hold
(new ones, changed ones, ones read by older code); the stories are the same as reading
every article again. Real SQLite files; the articles are invented for the project.
"""
from __future__ import annotations

import sqlite3
from dataclasses import replace

from feeds.store import Store
from summarize.group import GroupingOptions, floors_key, group_articles
from summarize.reading import VERSION, read_articles, reading_key, stored_reading, to_store
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
    runs = read_articles([(other.title, other.text, other.published, other.published_from, weighting)])
    [borrowed] = to_store(runs, store.term_numbers(runs[0].words.vocabulary + runs[0].facts.vocabulary))
    store.save_readings([(first.id, reading_key(first, weighting), *borrowed)])
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
    [run] = read_articles([(article.title, article.text, article.published, article.published_from, Weighting())])
    assert "valbruck" in run.words.vocabulary and "n:valbru" in run.facts.vocabulary
    assert [[d for d in days if d[:2] == "d:"] for days in run.lead_days] == [["d:2025-03-11", "d:2025-03-12"]]  # Tuesday, Wednesday
    assert VERSION >= 3


def test_an_old_store_gets_the_readings_table_on_first_use(tmp_path):
    path = tmp_path / "b.db"
    Store.open(path).close()
    # A store made before readings were kept: no table, its migrations (4 on) not recorded.
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE readings")
    conn.execute("DROP TABLE terms")
    conn.execute("DROP TABLE floors")
    conn.execute("DELETE FROM migrations WHERE component = 'store' AND number >= 4")
    conn.commit()
    conn.close()
    store = Store.open(path)
    store.add_articles(SUMMIT + SUMMIT_NEXT_DAY)
    mapping = group_articles(SUMMIT + SUMMIT_NEXT_DAY, read=stored_reading(store))
    store.close()
    assert len(set(mapping.values())) == 1
    assert set(held(path)) == {a.id for a in SUMMIT + SUMMIT_NEXT_DAY}


def test_a_store_with_readings_of_the_older_form_reads_its_articles_again(tmp_path):
    path = tmp_path / "b.db"
    store = Store.open(path)
    store.add_articles(EVERYTHING)
    store.close()
    # A store of the previous version: readings kept as JSON text (migration 4), no terms.
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE readings")
    conn.execute("DROP TABLE terms")
    conn.execute("DROP TABLE floors")
    conn.execute("CREATE TABLE readings (article_id TEXT PRIMARY KEY, key TEXT NOT NULL, reading TEXT NOT NULL)")
    conn.executemany("INSERT INTO readings VALUES (?, ?, ?)",
                     [(a.id, "an older key", '[["x"],[1],[],[],[]]') for a in EVERYTHING])
    conn.execute("DELETE FROM migrations WHERE component = 'store' AND number >= 5")
    conn.commit()
    conn.close()
    store = Store.open(path)  # the migration drops the older readings
    assert store.readings([a.id for a in EVERYTHING]) == {}
    assert group_articles(EVERYTHING, read=stored_reading(store)) == group_articles(EVERYTHING)
    store.close()
    assert set(held(path)) == {a.id for a in EVERYTHING}


def test_another_weighting_reads_again_and_groups_as_from_text(tmp_path):
    store = Store.open(tmp_path / "b.db")
    store.add_articles(EVERYTHING)
    group_articles(EVERYTHING, read=stored_reading(store))
    before = held(tmp_path / "b.db")
    heavy = GroupingOptions(weighting=Weighting(title=4.0, lead_words=20))
    assert group_articles(EVERYTHING, options=heavy, read=stored_reading(store)) == group_articles(EVERYTHING, options=heavy)
    after = held(tmp_path / "b.db")
    store.close()
    assert set(after) == set(before) and all(after[k] != before[k] for k in before)


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
        assigned = group_articles(seen, assigned, read=stored_reading(store), kept=store)
    floors = store.floors([a.id for a in EVERYTHING], floors_key(GroupingOptions()))
    store.close()
    assert assigned == day_by_day(EVERYTHING)
    # Every article grouped has its floor kept, found with no article later than the last.
    last = max(a.published for a in EVERYTHING).timestamp() / 86400
    assert set(floors) == {a.id for a in EVERYTHING} and all(until <= last + 1e-9 for _, until in floors.values())


def test_a_rebuild_of_an_earlier_day_or_other_options_compare_again_with_the_whole_window(tmp_path):
    store = Store.open(tmp_path / "b.db")
    store.add_articles(EVERYTHING)
    days = sorted({a.published.date() for a in EVERYTHING})
    first = [a for a in EVERYTHING if a.published.date() == days[0]]
    upto = [a for a in EVERYTHING if a.published.date() <= days[1]]
    earlier = group_articles(first, read=stored_reading(store), kept=store)
    # The whole stream is grouped, which keeps floors found with every day's articles.
    group_articles(EVERYTHING, read=stored_reading(store), kept=store)
    # A rebuild of the second day: the floors kept are from a later window and are not taken.
    assert (group_articles(upto, earlier, read=stored_reading(store), kept=store)
            == group_articles(upto, earlier))
    # Other options: the floors kept were found with the old ones and are not taken either.
    other = GroupingOptions(candidates=3)
    assert store.floors([a.id for a in first], floors_key(other)) == {}
    assert (group_articles(upto, earlier, other, read=stored_reading(store), kept=store)
            == group_articles(upto, earlier, other))
    store.close()


def test_a_build_keeps_the_reading_of_every_article_it_grouped(tmp_path):
    import briefing

    assert briefing.main(["demo", "--home", str(tmp_path / "demo")]) == 0
    conn = sqlite3.connect(tmp_path / "demo" / "briefing.db")
    try:
        grouped = {row[0] for row in conn.execute("SELECT article_id FROM story_members")}
        kept = {row[0] for row in conn.execute("SELECT article_id FROM readings")}
        floors = {row[0] for row in conn.execute("SELECT article_id FROM floors")}
    finally:
        conn.close()
    assert len(grouped) == 18  # the sample's diplomacy articles
    assert kept == grouped
    assert floors == grouped  # the next day's build compares them with its new articles only


class RecordedFloors:
    """Floors as a store keeps them, every one the same, found with articles up to ``until`` (days)."""

    def __init__(self, floor: float, until: float):
        self.floor, self.until, self.saved = floor, until, []

    def floors(self, ids, key):
        return {i: (self.floor, self.until) for i in ids}

    def save_floors(self, rows):
        self.saved.extend(rows)


def test_a_kept_floor_limits_an_earlier_article_to_the_new_articles_that_reach_it():
    import numpy as np

    from summarize.group import _candidate_pairs, article_vectors

    ordered = sorted(EVERYTHING, key=lambda a: (a.published.timestamp(), a.id))
    known = np.arange(len(ordered)) < len(ordered) - 5  # the last five are new
    times = np.array([a.published.timestamp() / 86400 for a in ordered])
    matrix, _ = article_vectors(ordered)
    options = GroupingOptions(candidates=1)  # few nearest, so that a floor can matter among few articles
    whole = set(zip(*_candidate_pairs(matrix, times, known, options)[:2]))
    low = set(zip(*_candidate_pairs(matrix, times, known, options, np.where(known, 0.0, np.nan))[:2]))
    high = set(zip(*_candidate_pairs(matrix, times, known, options, np.where(known, np.inf, np.nan))[:2]))
    # A floor of 0 takes every new article sharing a term; one no product reaches, only the
    # pairs the new articles' own nearest make; the whole window's nearest lie between.
    assert high <= whole < low
    assert all(not (known[i] and known[j]) for i, j in low)


def test_floors_from_a_later_window_are_not_taken_and_the_floors_found_are_kept():
    later = RecordedFloors(float("inf"), until=10 ** 9)
    days = sorted({a.published.date() for a in EVERYTHING})
    first = [a for a in EVERYTHING if a.published.date() == days[0]]
    earlier = group_articles(first)
    assert group_articles(EVERYTHING, earlier, kept=later) == group_articles(EVERYTHING, earlier)
    assert {row[0] for row in later.saved} == {a.id for a in EVERYTHING}


def test_a_day_built_from_a_fresh_store_and_after_yesterdays_build_makes_the_same_stories(tmp_path):
    # Yesterday's build keeps its readings (a cache) and its floors and stories (its grouping)
    # in the store. A fresh store given the same articles and yesterday's grouping, but no
    # reading, reads every article again and makes the same stories.
    from collections import defaultdict

    days = defaultdict(list)
    for article in EVERYTHING:
        days[article.published.date()].append(article)
    order = sorted(days)
    kept, fresh = Store.open(tmp_path / "kept.db"), Store.open(tmp_path / "fresh.db")
    key = floors_key(GroupingOptions())
    seen, assigned = [], {}
    for day in order[:-1]:
        kept.add_articles(days[day])
        fresh.add_articles(days[day])
        seen.extend(days[day])
        assigned = group_articles(seen, assigned, read=stored_reading(kept), kept=kept)
    floors = kept.floors([a.id for a in seen], key)
    assert len(floors) == len(seen)
    fresh.assign_stories(assigned)
    fresh.save_floors([(article, key, floor, until) for article, (floor, until) in floors.items()])
    assert len(held(tmp_path / "kept.db")) == len(seen) and not held(tmp_path / "fresh.db")
    today = days[order[-1]]
    stories = []
    for store in (kept, fresh):
        store.add_articles(today)
        stories.append(group_articles(seen + today, store.story_assignments(), read=stored_reading(store),
                                      kept=store))
    assert stories[0] == stories[1]
    assert set(stories[0]) == {a.id for a in seen + today}
    # Both kept the day's floors, and the fresh store every article's reading.
    assert kept.floors([a.id for a in today], key) == fresh.floors([a.id for a in today], key) != {}
    kept.close()
    fresh.close()
    assert held(tmp_path / "fresh.db") == held(tmp_path / "kept.db")


def test_reading_an_article_again_keeps_its_floor_and_an_older_store_keeps_its_floors(tmp_path):
    path = tmp_path / "b.db"
    store = Store.open(path)
    store.add_articles(EVERYTHING)
    key = floors_key(GroupingOptions())
    group_articles(EVERYTHING, read=stored_reading(store), kept=store)
    floors = store.floors([a.id for a in EVERYTHING], key)
    assert len(floors) == len(EVERYTHING)
    # Readings made by other code are read again; the floors (grouping state) stay.
    store.conn.execute("UPDATE readings SET key = 'read by other code'")
    group_articles(EVERYTHING, read=stored_reading(store))
    store.close()
    assert held(path) == {a.id: reading_key(a, Weighting()) for a in EVERYTHING}
    assert Store.open(path).floors([a.id for a in EVERYTHING], key) == floors
    # A store of the previous version kept its floors beside the readings: they are moved.
    conn = sqlite3.connect(path)
    conn.executemany("UPDATE readings SET floor_key = ?, floor = ?, until = ? WHERE article_id = ?",
                     [(key, floor, until, article) for article, (floor, until) in floors.items()])
    conn.execute("DROP TABLE floors")
    conn.execute("DELETE FROM migrations WHERE component = 'store' AND number >= 6")
    conn.commit()
    conn.close()
    store = Store.open(path)
    assert store.floors([a.id for a in EVERYTHING], key) == floors
    store.close()


def test_earlier_articles_keep_the_same_new_articles_when_the_product_drops_what_is_below_their_floors():
    import numpy as np
    from scipy import sparse
    from sparse_dot_topn import sp_matmul_topn

    from summarize.group import _above_floors, article_vectors

    ordered = sorted(EVERYTHING, key=lambda a: (a.published.timestamp(), a.id))
    matrix, _ = article_vectors(ordered)
    index = sparse.csr_matrix(matrix, dtype=np.float32)
    rows, others = np.arange(len(ordered)), sparse.csr_matrix(index.T)
    plain = sp_matmul_topn(index, others, top_n=5).tocoo()
    # Floors set to values the product reaches exactly: a pair at its floor is kept, also
    # the pair at the lowest floor of all (the product's threshold).
    floors = np.ones(len(ordered), dtype=np.float32)
    for row in rows.tolist():
        values = plain.data[plain.row == row]
        if len(values):
            floors[row] = np.sort(values)[len(values) // 2]
    expected = {(int(i), int(j)) for i, j, v in zip(plain.row, plain.col, plain.data) if v >= floors[i]}
    i, j, value = _above_floors(index, others, rows, floors, 5)
    assert {(int(a), int(b)) for a, b, v in zip(i, j, value) if v >= floors[a]} == expected
    assert any(v == floors[a] > 0 for a, v in zip(i, value))  # some pair sits exactly at its floor
