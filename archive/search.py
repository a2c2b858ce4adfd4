"""Full-text search over every past briefing, with SQLite's FTS5 in the briefing database.

One row per story per briefing: headline, summary sentences, outlets and source titles,
with the date and story id beside them for the permalink. A rebuilt briefing replaces
its date's rows. User queries never reach FTS5's query syntax: each word is quoted, so
``"``, ``AND (`` or ``NEAR`` are searched as words (or ignored), never parsed.

Words are matched stemmed ("sanction" finds "sanctions"); a prefix ("negotiat*") is
matched against the words as written, in a second index without stemming
(``story_words``, same rows, with prefix indexes of 3 and 4 letters so that a short
prefix costs one look-up), because the stemmed index holds "negoti", which no written
prefix of "negotiations" longer than six letters matches. A query is capped,
so that nobody can make a search expensive: repeated words count once, and a query of
more than ``MAX_QUERY_CHARS`` characters, ``MAX_TERMS`` words, ``MAX_PREFIXES`` prefixes,
a word longer than ``MAX_WORD_CHARS`` or a prefix shorter than ``MIN_PREFIX_CHARS`` is
refused with a message saying so.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core import db
from core.errors import BriefingError
from core.models import Briefing

log = logging.getLogger(__name__)


class SearchError(BriefingError):
    """A search cannot be run: a malformed date or query, or a missing or damaged index."""


MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_PREFIXES = 4
MAX_WORD_CHARS = 40
MIN_PREFIX_CHARS = 3
_COLUMNS = "date UNINDEXED, story_id UNINDEXED, position UNINDEXED, headline, summary, outlets, titles"

@dataclass(frozen=True)
class SearchResult:
    """One story found by search, with a snippet split into (text, highlighted) parts."""

    date: str
    story_id: str
    headline: str
    outlets: str
    snippet: tuple[tuple[str, bool], ...] = ()


db.register("search", [
    # porter: "sanction" finds "sanctions"; remove_diacritics: "Sao Tome" finds "São Tomé".
    """
    CREATE VIRTUAL TABLE story_search USING fts5(
        date UNINDEXED, story_id UNINDEXED, position UNINDEXED,
        headline, summary, outlets, titles,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE VIRTUAL TABLE story_words USING fts5({_COLUMNS}, tokenize = 'unicode61 remove_diacritics 2',
                                              prefix = '3 4');
    INSERT INTO story_words (rowid, date, story_id, position, headline, summary, outlets, titles)
        SELECT rowid, date, story_id, position, headline, summary, outlets, titles FROM story_search
    """,
])

_WORD = re.compile(r"\w+", re.UNICODE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Control characters mark the highlighted words of a snippet: they cannot occur in the
# indexed text's words, and they are split off before anything is escaped.
_OPEN, _CLOSE = "\x02", "\x03"


def index_briefing(conn: sqlite3.Connection, briefing: Briefing) -> None:
    """Index the briefing's stories for search, replacing an earlier build of its date."""
    rows = [(briefing.date, s.id, position, s.headline, " ".join(x.text for x in s.summary),
             " · ".join(s.outlets), " · ".join(dict.fromkeys(x.title for x in s.sources if x.title)))
            for position, s in enumerate(briefing.stories, 1)]
    conn.execute("BEGIN IMMEDIATE")
    try:
        unindex_briefing(conn, briefing.date)
        conn.executemany("INSERT INTO story_search (date, story_id, position, headline, summary, outlets, titles)"
                         " VALUES (?,?,?,?,?,?,?)", rows)
        conn.execute("INSERT INTO story_words (rowid, date, story_id, position, headline, summary, outlets, titles)"
                     " SELECT rowid, date, story_id, position, headline, summary, outlets, titles FROM story_search"
                     " WHERE date = ?", (briefing.date,))
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def unindex_briefing(conn: sqlite3.Connection, date: str) -> int:
    """Drop a date's stories from the search index (its briefing was removed); return how many."""
    conn.execute("DELETE FROM story_words WHERE date = ?", (date,))
    return conn.execute("DELETE FROM story_search WHERE date = ?", (date,)).rowcount


def indexed_dates(conn: sqlite3.Connection) -> set[str]:
    """The dates whose briefings are in the search index."""
    return {row[0] for row in conn.execute("SELECT DISTINCT date FROM story_search")}


def index_missing(conn: sqlite3.Connection, briefings: Iterable[Briefing]) -> int:
    """Index the briefings whose date is not indexed yet (an archive older than search); return how many."""
    done = indexed_dates(conn)
    count = 0
    for briefing in briefings:
        if briefing.date not in done:
            index_briefing(conn, briefing)
            count += 1
    return count


def query_terms(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words, prefixes) of a user's query, each once (without regard to case), checked against the caps.

    A trailing ``*`` makes a word a prefix ("negotiat*"). SearchError when the query is
    over a cap; the message names the cap.
    """
    text = text or ""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(f"the search is {len(text)} characters long; use at most {MAX_QUERY_CHARS}")
    words: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for match in re.finditer(r"(\w+)(\*?)", text, re.UNICODE):
        word, star = match.groups()
        if len(word) > MAX_WORD_CHARS:
            raise SearchError(f"{word[:20]!r}... is longer than a word ({MAX_WORD_CHARS} characters at most)")
        if star and len(word) < MIN_PREFIX_CHARS:
            raise SearchError(f"{word}* is too short a prefix; give at least {MIN_PREFIX_CHARS} letters before the *")
        (prefixes if star else words).setdefault(word.lower(), word)
    if len(words) + len(prefixes) > MAX_TERMS:
        raise SearchError(f"the search has {len(words) + len(prefixes)} different words; use at most {MAX_TERMS}")
    if len(prefixes) > MAX_PREFIXES:
        raise SearchError(f"the search has {len(prefixes)} prefixes (word*); use at most {MAX_PREFIXES}")
    return tuple(words.values()), tuple(prefixes.values())


def fts_query(text: str) -> str:
    """A user's words as a safe FTS5 query: every word quoted, all required, prefixes kept ("negotiat*").

    Returns '' when the text has no words. Used on its own, the prefixes match stemmed
    words; ``search`` matches them in the unstemmed index instead.
    """
    words, prefixes = query_terms(text)
    return " ".join([f'"{w}"' for w in words] + [f'"{p}"*' for p in prefixes])


def _check_date(value: str | None, name: str) -> str | None:
    if not value:
        return None
    value = value.strip()
    if not _DATE.fullmatch(value):
        raise SearchError(f"{name} {value!r} is not a date in the form YYYY-MM-DD")
    return value


def _snippet_parts(snippet: str) -> tuple[tuple[str, bool], ...]:
    parts: list[tuple[str, bool]] = []
    for piece in re.split(f"({_OPEN}[^{_CLOSE}]*{_CLOSE})", snippet or ""):
        if not piece:
            continue
        if piece.startswith(_OPEN):
            parts.append((piece.strip(_OPEN + _CLOSE), True))
        else:
            parts.append((piece.replace(_OPEN, "").replace(_CLOSE, ""), False))
    return tuple(parts)


def search(conn: sqlite3.Connection, query: str, since: str | None = None, until: str | None = None,
           limit: int = 20) -> list[SearchResult]:
    """Stories matching every word of ``query`` within the dates (inclusive), best first.

    With no words, the stories of the date range, newest first. Dates are YYYY-MM-DD;
    a malformed one raises :class:`SearchError`.
    """
    since, until = _check_date(since, "--from"), _check_date(until, "--to")
    words, prefixes = query_terms(query)
    match = bool(words or prefixes)
    where, params = [], []
    if since:
        where.append("date >= ?")
        params.append(since)
    if until:
        where.append("date <= ?")
        params.append(until)
    limit = max(1, min(int(limit), 500))
    if match:
        # The stemmed index ranks when there are plain words; the prefixes filter through the
        # unstemmed one (same rowids). With prefixes only, the unstemmed index does both.
        table = "story_search" if words else "story_words"
        where.insert(0, f"{table} MATCH ?")
        params.insert(0, " ".join(f'"{w}"' for w in words) if words else " ".join(f'"{p}"*' for p in prefixes))
        if words and prefixes:
            # The unary + keeps the planner from probing the stemmed index once per prefix match.
            where.insert(1, "+rowid IN (SELECT rowid FROM story_words WHERE story_words MATCH ?)")
            params.insert(1, " ".join(f'"{p}"*' for p in prefixes))
        # Headlines weigh most, then the summary, then outlets and source titles; among equals
        # the later indexed (rowid), which needs no stored text. The best rows are chosen first
        # and only they get a snippet: sorting whole rows, snippets made (or reading each row's
        # date), was most of the time of a search for common prefixes at 6,000 stories.
        sql = (f"SELECT rowid FROM {table} WHERE {' AND '.join(where)}"
               f" ORDER BY bm25({table}, 0, 0, 0, 4.0, 2.0, 1.0, 1.0), rowid DESC LIMIT ?")
    elif where:
        sql = (f"SELECT date, story_id, headline, outlets, substr(summary, 1, 200) AS snip FROM story_search"
               f" WHERE {' AND '.join(where)} ORDER BY date DESC, CAST(position AS INTEGER) LIMIT ?")
    else:
        return []
    try:
        rows = conn.execute(sql, (*params, limit)).fetchall()
        if match and rows:
            ids = [r[0] for r in rows]
            found = {r[0]: r[1:] for r in conn.execute(
                f"SELECT rowid, date, story_id, headline, outlets,"
                f" snippet({table}, 4, '{_OPEN}', '{_CLOSE}', ' … ', 24) FROM {table}"
                f" WHERE {table} MATCH ? AND rowid IN ({', '.join('?' * len(ids))})", (params[0], *ids))}
            rows = [found[i] for i in ids if i in found]
    except sqlite3.OperationalError as exc:
        # Quoting makes the syntax safe; this is a damaged or missing index.
        raise SearchError(f"search failed: {exc}; rebuild with `briefing.py build`") from None
    return [SearchResult(date=r[0], story_id=r[1], headline=r[2], outlets=r[3],
                         snippet=_snippet_parts(r[4] if match else (r[4] or "")))
            for r in rows]


def open_index(db_path: Path, archive_dir: Path | None = None) -> sqlite3.Connection:
    """The database with the search index migrated; archived briefings not yet indexed are added.

    Archives made before search existed, or a date whose indexing was interrupted, get
    indexed here, so ``search`` and ``serve`` always cover the whole archive.
    """
    import archive.briefings  # noqa: F401  (registers the archive's migrations)
    from archive.briefings import load_briefing

    conn = db.connect(db_path)
    if archive_dir is not None and Path(archive_dir).is_dir():
        dates = {p.name for p in Path(archive_dir).iterdir() if _DATE.fullmatch(p.name)}
        missing = [load_briefing(Path(archive_dir), d) for d in sorted(dates - indexed_dates(conn))]
        added = index_missing(conn, [b for b in missing if b is not None])
        if added:
            log.info("indexed %d archived briefings for search", added)
    return conn
