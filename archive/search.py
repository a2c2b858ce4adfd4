"""Full-text search over every past briefing, with SQLite's FTS5 in the briefing database.

One row per story per briefing: headline, summary sentences, outlets and source titles,
with the date and story id beside them for the permalink. A rebuilt briefing replaces
its date's rows. User queries never reach FTS5's query syntax: each word is quoted, so
``"``, ``AND (`` or ``NEAR`` are searched as words (or ignored), never parsed.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from archive.site import SearchResult
from core import db
from core.errors import BriefingError
from core.models import Briefing

log = logging.getLogger(__name__)


class SearchError(BriefingError):
    """A search cannot be run: a malformed date, or a missing or damaged index."""

db.register("search", [
    # porter: "sanction" finds "sanctions"; remove_diacritics: "Sao Tome" finds "São Tomé".
    """
    CREATE VIRTUAL TABLE story_search USING fts5(
        date UNINDEXED, story_id UNINDEXED, position UNINDEXED,
        headline, summary, outlets, titles,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )
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
        conn.execute("DELETE FROM story_search WHERE date = ?", (briefing.date,))
        conn.executemany("INSERT INTO story_search (date, story_id, position, headline, summary, outlets, titles)"
                         " VALUES (?,?,?,?,?,?,?)", rows)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def unindex_briefing(conn: sqlite3.Connection, date: str) -> int:
    """Drop a date's stories from the search index (its briefing was removed); return how many."""
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


def fts_query(text: str) -> str:
    """A user's words as a safe FTS5 query: every word quoted, all required.

    A trailing ``*`` on a word keeps its meaning as a prefix search ("negotiat*").
    Returns '' when the text has no words.
    """
    terms = []
    for match in re.finditer(r"(\w+)(\*?)", text or "", re.UNICODE):
        word, star = match.groups()
        terms.append(f'"{word}"' + ("*" if star else ""))
    return " ".join(terms)


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
    match = fts_query(query)
    where, params = [], []
    if since:
        where.append("date >= ?")
        params.append(since)
    if until:
        where.append("date <= ?")
        params.append(until)
    limit = max(1, min(int(limit), 500))
    if match:
        where.insert(0, "story_search MATCH ?")
        params.insert(0, match)
        # Headlines weigh most, then the summary, then outlets and source titles.
        sql = (f"SELECT date, story_id, headline, outlets,"
               f" snippet(story_search, 4, '{_OPEN}', '{_CLOSE}', ' … ', 24) AS snip"
               f" FROM story_search WHERE {' AND '.join(where)}"
               f" ORDER BY bm25(story_search, 0, 0, 0, 4.0, 2.0, 1.0, 1.0), date DESC LIMIT ?")
    elif where:
        sql = (f"SELECT date, story_id, headline, outlets, substr(summary, 1, 200) AS snip FROM story_search"
               f" WHERE {' AND '.join(where)} ORDER BY date DESC, CAST(position AS INTEGER) LIMIT ?")
    else:
        return []
    try:
        rows = conn.execute(sql, (*params, limit)).fetchall()
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
