"""The article store: articles, per-feed fetch state and story assignments, in SQLite.

Writes are transactions: an article is either stored whole or not at all, and a failed
fetch never touches a feed's stored state or its articles.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from core import db
from core.models import Article

log = logging.getLogger(__name__)

def _one_name_per_outlet(conn: sqlite3.Connection) -> None:
    """Migration 3: rename stored articles to one true name per outlet.

    Stores made before the outlet registry hold names taken from file names
    ("001_05838490510a9787"), bare hosts ("atlasdaily.example"), shortened company names
    ("Meridian" beside "Meridian Wire") and section headings ("The Week Recommends").
    Each becomes the registry's name, the site's own name, or "unknown outlet".
    """
    from feeds.outlets import bundled_registry, resolve_names

    rows = conn.execute("SELECT id, url, outlet FROM articles").fetchall()
    names = resolve_names([(row["url"], row["outlet"]) for row in rows], bundled_registry())
    changed = [(name, row["id"]) for row, name in zip(rows, names) if name != row["outlet"]]
    conn.executemany("UPDATE articles SET outlet = ? WHERE id = ?", changed)
    log.info("renamed the outlet of %d stored article(s)", len(changed))


db.register("store", [
    # 1: articles, feed state and story assignments
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        url TEXT,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        outlet TEXT NOT NULL,
        published TEXT NOT NULL,
        published_from TEXT NOT NULL,
        feed TEXT,
        added TEXT NOT NULL,
        text_hash TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_added ON articles(added);
    CREATE TABLE feed_state (
        url TEXT PRIMARY KEY,
        etag TEXT,
        modified TEXT,
        last_status TEXT,
        last_error TEXT,
        last_fetched TEXT,
        failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE story_members (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id TEXT NOT NULL,
        assigned TEXT NOT NULL
    );
    CREATE INDEX story_members_story ON story_members(story_id)
    """,
    # 2: feed health - a feed can be paused (410 Gone), deferred (Retry-After, backoff after
    # repeated failures) and moved (a permanent redirect; moved_to names the new address)
    """
    ALTER TABLE feed_state ADD COLUMN paused TEXT;
    ALTER TABLE feed_state ADD COLUMN next_attempt TEXT;
    ALTER TABLE feed_state ADD COLUMN moved_to TEXT;
    ALTER TABLE feed_state ADD COLUMN http_status INTEGER
    """,
    # 3: one true name per outlet (a Python step: names come from the outlet registry)
    _one_name_per_outlet,
    # 4: each article's reading for grouping (summarize.reading), kept so that a build reads
    # an article once; ``key`` says what it was read from. An older store fills it on its
    # first build.
    """
    CREATE TABLE readings (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        reading TEXT NOT NULL
    )
    """,
    # 5: readings as arrays of term numbers (summarize.reading, VERSION 2): a build takes a
    # day's window of stored readings without parsing text. Readings of the older form
    # are dropped (the next build reads those articles again). Each grouped article's
    # floor (summarize.group): a later build compares it with new articles only.
    """
    DROP TABLE readings;
    CREATE TABLE terms (
        id INTEGER PRIMARY KEY,
        term TEXT NOT NULL UNIQUE
    );
    CREATE TABLE readings (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        words BLOB NOT NULL,
        word_counts BLOB NOT NULL,
        facts BLOB NOT NULL,
        fact_counts BLOB NOT NULL,
        lead_days TEXT NOT NULL,
        floor_key TEXT,
        floor REAL,
        until REAL
    )
    """,
    # 6: floors in a table of their own. A reading is a cache (what the article's text gives,
    # read again whenever it is missing); a floor is yesterday's grouping, like a story
    # assignment: it shapes which pairs the next build compares. Apart, a store that loses or
    # rereads its readings keeps its floors, and the build's stories do not depend on what
    # was cached. The floors kept beside the readings are copied; those columns stay, unused.
    """
    CREATE TABLE floors (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        floor_key TEXT NOT NULL,
        floor REAL NOT NULL,
        until REAL NOT NULL
    );
    INSERT INTO floors (article_id, floor_key, floor, until)
        SELECT article_id, floor_key, floor, until FROM readings
        WHERE floor_key IS NOT NULL AND floor IS NOT NULL AND until IS NOT NULL
    """,
])


def text_id(text: str) -> str:
    """The identity of an article without a URL: a hash of its whitespace-normalised text."""
    normal = " ".join(text.split()).lower()
    return "sha256:" + hashlib.sha256(normal.encode("utf-8")).hexdigest()


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def now_utc() -> datetime:
    """The current time, UTC, to the second (the store's clock)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def _time_filter(prefix: str, added_after: datetime | None, published_after: datetime | None,
                 published_until: datetime | None) -> tuple[str, list[str]]:
    """A WHERE clause on when articles were added and published, with its parameters."""
    clauses, params = [], []
    for column, op, moment in (("added", ">", added_after), ("published", ">", published_after),
                               ("published", "<=", published_until)):
        if moment is not None:
            clauses.append(f"{prefix}{column} {op} ?")
            params.append(_iso(moment))
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _row_article(row: sqlite3.Row) -> Article:
    return Article(id=row["id"], title=row["title"], text=row["text"], outlet=row["outlet"],
                   published=_parse(row["published"]), url=row["url"],
                   published_from=row["published_from"], feed=row["feed"])


class Store:
    """Articles and their state in one SQLite file."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        # article id -> (floor key, floor, until) as last read with its reading (``readings``).
        self._floors: dict[str, tuple] = {}

    @classmethod
    def open(cls, path: Path | str) -> "Store":
        """Open (and migrate) the store at ``path``."""
        return cls(db.connect(path))

    def close(self) -> None:
        """Close the database connection."""
        self.conn.close()

    # -- articles ---------------------------------------------------------------------
    def add_articles(self, articles: Iterable[Article], added: datetime | None = None) -> list[Article]:
        """Store the articles not yet known (by id); return the ones that were new.

        An article seen again (the same canonical URL through a second feed) keeps its
        first stored copy: what is stored is never overwritten by a later fetch.
        """
        stamp = _iso(added or now_utc())
        new: list[Article] = []
        with self.transaction():
            for article in articles:
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO articles (id, url, title, text, outlet, published,"
                    " published_from, feed, added, text_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (article.id, article.url, article.title, article.text, article.outlet,
                     _iso(article.published), article.published_from, article.feed, stamp,
                     text_id(article.text)))
                if cur.rowcount:
                    new.append(article)
        return new

    def articles_added_after(self, moment: datetime) -> bool:
        """Whether any article was stored after ``moment``."""
        return self.conn.execute("SELECT 1 FROM articles WHERE added > ? LIMIT 1",
                                 (_iso(moment),)).fetchone() is not None

    def article_count(self) -> int:
        """How many articles are stored."""
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def articles(self, *, added_after: datetime | None = None, published_after: datetime | None = None,
                 published_until: datetime | None = None) -> list[Article]:
        """Stored articles filtered by when they were added and published, oldest first."""
        where, params = _time_filter("", added_after, published_after, published_until)
        rows = self.conn.execute(f"SELECT * FROM articles {where} ORDER BY published, id", params)
        return [_row_article(row) for row in rows]

    def grouped_articles(self, *, published_after: datetime | None = None,
                         published_until: datetime | None = None) -> tuple[list[Article], dict[str, str]]:
        """Stored articles already put in a story, published in the range, with their story ids.

        One join instead of loading every article of the range: with tens of thousands
        of articles a day most were never grouped (off topic) and need not be read.
        """
        where, params = _time_filter("a.", None, published_after, published_until)
        rows = self.conn.execute(f"SELECT a.*, m.story_id AS story_id FROM articles a JOIN story_members m"
                                 f" ON m.article_id = a.id {where} ORDER BY a.published, a.id", params)
        found, stories = [], {}
        for row in rows:
            found.append(_row_article(row))
            stories[row["id"]] = row["story_id"]
        return found, stories

    def articles_by_id(self, ids: Iterable[str]) -> list[Article]:
        """The stored articles with these ids (unknown ids are skipped)."""
        return [_row_article(r) for r in self._select_in("SELECT * FROM articles WHERE id IN ({})", ids)]

    def _select_in(self, sql: str, ids: Iterable[str]) -> Iterator[sqlite3.Row]:
        """The rows of ``sql`` (with ``{}`` where the list of ids goes) for these ids, asked
        500 at a time (SQLite limits the number of parameters of one statement)."""
        ids = list(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            yield from self.conn.execute(sql.format(",".join("?" * len(chunk))), chunk)

    # -- readings (summarize.reading) ---------------------------------------------------
    def _select_ids(self, select: str, ids: Sequence[str]) -> list[tuple]:
        """The rows of ``select`` for these ids, in one statement: ``select`` joins the table
        ``wanted`` (``wanted.value``: one id a row), the ids going as one JSON array (SQLite's
        ``json_each``). A day's window is 20,000 ids; asked 500 at a time they cost forty
        statements and a Python step per row."""
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: a Row object per row costs more than its use
        try:
            return cursor.execute(select.format(wanted="json_each(?) AS wanted"), (json.dumps(list(ids)),)).fetchall()
        except sqlite3.OperationalError:  # an SQLite built without JSON: 500 ids a statement
            out: list[tuple] = []
            for start in range(0, len(ids), 500):
                chunk = list(ids[start:start + 500])
                values = ",".join(["(?)"] * len(chunk))
                out.extend(cursor.execute(select.format(
                    wanted=f"(SELECT column1 AS value FROM (VALUES {values})) AS wanted"), chunk))
            return out

    def readings(self, ids: Sequence[str]) -> dict[str, tuple]:
        """article id -> (key, words, word counts, facts, fact counts, lead days) of the stored
        readings of these articles (``summarize.reading.StoredReading``).

        Their kept floors come in the same query and are remembered for ``floors``, which a
        build asks next for the same articles (one query of the window instead of two)."""
        found, floors = {}, {}
        for article, key, words, word_counts, facts, fact_counts, days, floor_key, floor, until in self._select_ids(
                "SELECT r.article_id, r.key, r.words, r.word_counts, r.facts, r.fact_counts, r.lead_days,"
                " f.floor_key, f.floor, f.until FROM {wanted} JOIN readings r ON r.article_id = wanted.value"
                " LEFT JOIN floors f ON f.article_id = r.article_id", ids):
            found[article] = (key, words, word_counts, facts, fact_counts, days)
            floors[article] = (floor_key, floor, until)
        self._floors = floors
        return found

    def save_readings(self, rows: Sequence[tuple]) -> None:
        """Keep (article id, key, words, word counts, facts, fact counts, lead days) rows,
        replacing an article's older reading. Its floor is not touched: it is grouping state
        (``save_floors``), found with options and a reading ``VERSION`` its key names."""
        with self.transaction():
            self.conn.executemany("INSERT OR REPLACE INTO readings (article_id, key, words, word_counts, facts,"
                                  " fact_counts, lead_days) VALUES (?,?,?,?,?,?,?)", rows)

    def floors(self, ids: Sequence[str], key: str) -> dict[str, tuple[float, float]]:
        """article id -> (floor, until) of the kept floors of these articles found with ``key``
        (``summarize.group.group_articles``)."""
        if not all(i in self._floors for i in ids):
            self._floors.update((r[0], r[1:]) for r in self._select_ids(
                "SELECT f.article_id, f.floor_key, f.floor, f.until FROM {wanted}"
                " JOIN floors f ON f.article_id = wanted.value", ids))
        out = {}
        for i in ids:
            row = self._floors.get(i)
            if row is not None and row[0] == key:
                out[i] = (row[1], row[2])
        return out

    def save_floors(self, rows: Sequence[tuple[str, str, float, float]]) -> None:
        """Keep (article id, key, floor, until) rows, replacing an article's earlier floor."""
        with self.transaction():
            self.conn.executemany("INSERT OR REPLACE INTO floors (article_id, floor_key, floor, until)"
                                  " VALUES (?,?,?,?)", rows)
        for article, key, floor, until in rows:
            self._floors[article] = (key, floor, until)

    def term_numbers(self, terms: Sequence[str]) -> dict[str, int]:
        """term -> its number in this store, numbering the terms it has not seen yet (a term
        keeps its number for ever: stored readings refer to terms by number).

        The terms known already are asked in one statement; only the others are inserted
        (most of a day's vocabulary was seen on earlier days)."""
        found = self._term_ids(terms)
        missing = [term for term in terms if term not in found]
        if missing:
            with self.transaction():
                self.conn.executemany("INSERT OR IGNORE INTO terms (term) VALUES (?)", ((t,) for t in missing))
            found.update(self._term_ids(missing))
        return found

    def _term_ids(self, terms: Sequence[str]) -> dict[str, int]:
        """term -> number of the ``terms`` this store has numbered."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        try:
            return dict(cursor.execute("SELECT terms.term, terms.id FROM json_each(?) AS wanted JOIN terms"
                                       " ON terms.term = wanted.value", (json.dumps(list(terms)),)))
        except sqlite3.OperationalError:  # an SQLite built without JSON: 500 terms a statement
            return {r[0]: r[1] for r in self._select_in("SELECT term, id FROM terms WHERE term IN ({})", terms)}

    # -- stories ----------------------------------------------------------------------
    def story_assignments(self, article_ids: Iterable[str] | None = None) -> dict[str, str]:
        """article id -> story id, for the given articles (or all)."""
        if article_ids is None:
            return {r[0]: r[1] for r in self.conn.execute("SELECT article_id, story_id FROM story_members")}
        return {r[0]: r[1] for r in self._select_in(
            "SELECT article_id, story_id FROM story_members WHERE article_id IN ({})", article_ids)}

    def assign_stories(self, assignments: Mapping[str, str]) -> None:
        """Record new story assignments; an article's earlier assignment is kept."""
        stamp = _iso(now_utc())
        with self.transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO story_members (article_id, story_id, assigned) VALUES (?,?,?)",
                [(a, s, stamp) for a, s in assignments.items()])

    # -- feed state -------------------------------------------------------------------
    def feed_states(self) -> dict[str, sqlite3.Row]:
        """The stored fetch state of every feed, by URL."""
        return {r["url"]: r for r in self.conn.execute("SELECT * FROM feed_state")}

    def record_fetch(self, url: str, *, ok: bool, etag: str | None, modified: str | None,
                     status: str, error: str | None, next_attempt: datetime | None = None,
                     paused: str | None = None, http_status: int | None = None) -> None:
        """Record the outcome of fetching one feed.

        A success stores the new validators and clears failures, backoff and pause; a
        failure only counts the failure and keeps the validators of the last success, so
        the next fetch is still conditional. ``next_attempt`` defers the feed's next fetch
        (Retry-After, backoff); ``paused`` (a reason) stops fetching it until resumed.
        """
        stamp = _iso(now_utc())
        wait = _iso(next_attempt) if next_attempt is not None else None
        with self.transaction():
            if ok:
                self.conn.execute(
                    "INSERT INTO feed_state (url, etag, modified, last_status, last_error, last_fetched, failures,"
                    " next_attempt, paused, http_status)"
                    " VALUES (?,?,?,?,NULL,?,0,NULL,NULL,?) ON CONFLICT(url) DO UPDATE SET etag=excluded.etag,"
                    " modified=excluded.modified, last_status=excluded.last_status, last_error=NULL,"
                    " last_fetched=excluded.last_fetched, failures=0, next_attempt=NULL, paused=NULL,"
                    " http_status=excluded.http_status",
                    (url, etag, modified, status, stamp, http_status))
            else:
                self.conn.execute(
                    "INSERT INTO feed_state (url, last_status, last_error, last_fetched, failures,"
                    " next_attempt, paused, http_status)"
                    " VALUES (?,?,?,?,1,?,?,?) ON CONFLICT(url) DO UPDATE SET last_status=excluded.last_status,"
                    " last_error=excluded.last_error, last_fetched=excluded.last_fetched,"
                    " failures=feed_state.failures+1, next_attempt=excluded.next_attempt,"
                    " paused=coalesce(excluded.paused, feed_state.paused), http_status=excluded.http_status",
                    (url, status, error, stamp, wait, paused, http_status))

    def record_move(self, old_url: str, new_url: str) -> None:
        """Remember that the feed at ``old_url`` moved permanently to ``new_url``."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO feed_state (url, moved_to, failures) VALUES (?,?,0)"
                " ON CONFLICT(url) DO UPDATE SET moved_to=excluded.moved_to", (old_url, new_url))

    def resume_feed(self, url: str) -> bool:
        """Clear a feed's pause and backoff so the next run fetches it; True if it was held back."""
        with self.transaction():
            cur = self.conn.execute(
                "UPDATE feed_state SET paused=NULL, next_attempt=NULL, failures=0"
                " WHERE url=? AND (paused IS NOT NULL OR next_attempt IS NOT NULL OR failures > 0)", (url,))
        return bool(cur.rowcount)

    # -- helpers ----------------------------------------------------------------------
    def transaction(self):
        """A context manager for one write transaction (BEGIN IMMEDIATE ... COMMIT/ROLLBACK)."""
        return _Transaction(self.conn)


class _Transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def with_ids(articles: Sequence[Article]) -> list[Article]:
    """Articles with an id filled in from their text when they arrived without one."""
    from dataclasses import replace
    return [a if a.id else replace(a, id=text_id(a.text)) for a in articles]
