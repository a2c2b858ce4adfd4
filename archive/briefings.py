"""Saving each briefing by date: HTML, text and JSON, replaced whole on a rebuild.

Layout under the archive folder::

    2025-06-24 -> .versions/2025-06-24.20250624T071502.ab12cd   (a symlink)
    .versions/2025-06-24.20250624T071502.ab12cd/briefing.html, briefing.txt, briefing.json

A build writes a new version folder completely, then swaps the date's symlink with one
atomic rename, so a reader (or a crash) sees the old briefing or the new one, never a mix.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import db
from core.models import Briefing, FeedNote, Source, Story, SummarySentence

if TYPE_CHECKING:  # a type only: listing the archive must not load jinja2 and MJML
    from templates.render import RenderedEmail

log = logging.getLogger(__name__)

FILES = ("briefing.html", "briefing.txt", "briefing.json")

db.register("archive", [
    """
    CREATE TABLE briefings (
        date TEXT PRIMARY KEY,
        generated TEXT NOT NULL,
        window_start TEXT,
        stories INTEGER NOT NULL,
        folder TEXT NOT NULL
    );
    CREATE TABLE briefing_stories (
        date TEXT NOT NULL REFERENCES briefings(date) ON DELETE CASCADE,
        story_id TEXT NOT NULL,
        rank INTEGER NOT NULL,
        headline TEXT NOT NULL,
        PRIMARY KEY (date, story_id)
    );
    CREATE INDEX briefing_stories_story ON briefing_stories(story_id)
    """,
    # 2: what a briefing was made with (a fingerprint of the options that shape it), so a
    # run with no new articles and the same options can keep it instead of rebuilding.
    "ALTER TABLE briefings ADD COLUMN made_with TEXT",
])


def briefing_to_json(briefing: Briefing) -> dict[str, Any]:
    """The briefing as plain JSON data: stories with summary sentences and sources."""
    return {
        "date": briefing.date,
        "title": briefing.title,
        "generated": briefing.generated.isoformat(),
        "stories": [
            {
                "id": s.id,
                "headline": s.headline,
                "updated": s.updated.isoformat(),
                "developing": s.developing,
                "previous_dates": list(s.previous_dates),
                "topic_score": round(s.topic_score, 4),
                "summary": [{"text": x.text, "article_id": x.article_id, "outlet": x.outlet, "position": x.position}
                            for x in s.summary],
                "sources": [{"article_id": x.article_id, "outlet": x.outlet, "title": x.title, "url": x.url,
                             "published": x.published.isoformat(), "published_from": x.published_from,
                             "carried_by": list(x.carried_by), "country": x.country, "kind": x.kind}
                            for x in s.sources],
            }
            for s in briefing.stories
        ],
        "feed_notes": [{"feed": n.feed, "url": n.url, "state": n.state, "reason": n.reason}
                       for n in briefing.feed_notes],
    }


def briefing_from_json(data: dict[str, Any]) -> Briefing:
    """Read back a briefing saved by ``briefing_to_json``."""
    stories = tuple(
        Story(
            id=s["id"], headline=s["headline"], updated=datetime.fromisoformat(s["updated"]),
            developing=s.get("developing", False), previous_dates=tuple(s.get("previous_dates", ())),
            topic_score=s.get("topic_score", 0.0),
            summary=tuple(SummarySentence(x["text"], x["article_id"], x["outlet"], x["position"]) for x in s["summary"]),
            # Archives written before sources had these fields load with the defaults.
            sources=tuple(Source(x["article_id"], x["outlet"], x["title"], x["url"],
                                 datetime.fromisoformat(x["published"]),
                                 published_from=x.get("published_from", "metadata"),
                                 carried_by=tuple(x.get("carried_by", ())), country=x.get("country", ""),
                                 kind=x.get("kind", "")) for x in s["sources"]),
        )
        for s in data["stories"]
    )
    return Briefing(date=data["date"], stories=stories, generated=datetime.fromisoformat(data["generated"]),
                    title=data.get("title", "Diplomacy briefing"),
                    feed_notes=tuple(FeedNote(n["feed"], n["url"], n["state"], n["reason"])
                                     for n in data.get("feed_notes", ())))


def _write(path: Path, content: str) -> None:
    # Through a temporary file and os.replace: a build killed mid-write (bench/crash.py does
    # this) must leave the old file or the new one in an --out folder, never half of one.
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def write_briefing_files(folder: Path, briefing: Briefing, email: RenderedEmail) -> None:
    """Write briefing.html, briefing.txt and briefing.json into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "briefing.html", email.html)
    _write(folder / "briefing.txt", email.text)
    _write(folder / "briefing.json", json.dumps(briefing_to_json(briefing), ensure_ascii=False, indent=2) + "\n")


def save_briefing(archive_dir: Path, briefing: Briefing, email: RenderedEmail,
                  conn: sqlite3.Connection | None = None, window_start: datetime | None = None,
                  made_with: str | None = None) -> Path:
    """Archive the briefing under its date, replacing an earlier build of that date whole.

    Returns the date's folder (a symlink to the version just written).
    """
    versions = archive_dir / ".versions"
    versions.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    version = versions / f"{briefing.date}.{stamp}.{secrets.token_hex(3)}"
    write_briefing_files(version, briefing, email)
    link = archive_dir / briefing.date
    temp_link = archive_dir / f".{briefing.date}.{secrets.token_hex(4)}.link"
    os.symlink(os.path.relpath(version, archive_dir), temp_link)
    previous = link.resolve() if link.is_symlink() else None
    if link.exists() and not link.is_symlink():
        # A plain folder from an older layout: move it aside so the swap can happen.
        shutil.rmtree(link)
    os.replace(temp_link, link)  # the atomic swap
    _fsync_dir(archive_dir)
    if conn is not None:
        record_briefing(conn, briefing, link, window_start, made_with)
    if previous and previous != version.resolve() and previous.parent == versions.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    log.info("archived briefing %s in %s", briefing.date, version)
    return link


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def record_briefing(conn: sqlite3.Connection, briefing: Briefing, folder: Path,
                    window_start: datetime | None, made_with: str | None = None) -> None:
    """Record a saved briefing and its stories in the database (replacing a rebuilt date)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM briefings WHERE date = ?", (briefing.date,))
        conn.execute("INSERT INTO briefings (date, generated, window_start, stories, folder, made_with)"
                     " VALUES (?,?,?,?,?,?)",
                     (briefing.date, briefing.generated.isoformat(),
                      window_start.isoformat() if window_start else None, len(briefing.stories), str(folder),
                      made_with))
        conn.executemany("INSERT INTO briefing_stories (date, story_id, rank, headline) VALUES (?,?,?,?)",
                         [(briefing.date, s.id, rank, s.headline) for rank, s in enumerate(briefing.stories, 1)])
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def previous_briefing(conn: sqlite3.Connection, date: str) -> sqlite3.Row | None:
    """The latest briefing saved for a date before ``date``, if any."""
    return conn.execute("SELECT * FROM briefings WHERE date < ? ORDER BY date DESC LIMIT 1", (date,)).fetchone()


def story_dates(conn: sqlite3.Connection, story_ids: list[str], before: str) -> dict[str, tuple[str, ...]]:
    """For each story id, the dates of earlier briefings that carried it (oldest first)."""
    found: dict[str, list[str]] = {}
    for start in range(0, len(story_ids), 500):
        chunk = story_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT story_id, date FROM briefing_stories WHERE story_id IN ({marks})"
                                f" AND date < ? ORDER BY date", (*chunk, before)):
            found.setdefault(row[0], []).append(row[1])
    return {k: tuple(v) for k, v in found.items()}


def load_briefing(archive_dir: Path, date: str) -> Briefing | None:
    """The archived briefing of a date, or None."""
    path = archive_dir / date / "briefing.json"
    if not path.exists():
        return None
    return briefing_from_json(json.loads(path.read_text(encoding="utf-8")))


def archived_briefings(conn: sqlite3.Connection, archive_dir: Path) -> list[dict[str, Any]]:
    """Every archived briefing, oldest first: date, stories, when it was made, and its folder.

    Dates recorded in the database and date folders found in the archive are both listed,
    so a briefing whose record or folder went missing still shows (and can be removed).
    """
    found: dict[str, dict[str, Any]] = {}
    for row in conn.execute("SELECT date, generated, stories FROM briefings"):
        found[row[0]] = {"date": row[0], "generated": row[1], "stories": row[2],
                         "folder": (archive_dir / row[0]) if (archive_dir / row[0]).exists() else None}
    if archive_dir.is_dir():
        for entry in archive_dir.iterdir():
            if len(entry.name) == 10 and entry.name[4] == "-" and entry.name[7] == "-" and entry.name not in found:
                found[entry.name] = {"date": entry.name, "generated": None, "stories": None, "folder": entry}
    return [found[date] for date in sorted(found)]


def remove_briefing(archive_dir: Path, date: str, conn: sqlite3.Connection | None = None) -> bool:
    """Remove a date's briefing from the archive: its folder, its version and its records.

    Returns False when the archive has no briefing of that date. The caller regenerates
    the site and drops the date from the search index.
    """
    link = archive_dir / date
    removed = False
    if link.is_symlink():
        target = link.resolve()
        link.unlink()
        versions = (archive_dir / ".versions").resolve()
        if target.parent == versions and target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        removed = True
    elif link.is_dir():
        shutil.rmtree(link)
        removed = True
    if conn is not None:
        cur = conn.execute("DELETE FROM briefings WHERE date = ?", (date,))
        removed = removed or bool(cur.rowcount)
    if removed:
        _fsync_dir(archive_dir)
        log.info("removed briefing %s from the archive", date)
    return removed
