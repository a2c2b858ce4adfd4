"""The SQLite database file under BRIEFING_HOME, and its numbered schema migrations.

Each part of the program that keeps state (the article store, the archive, delivery)
owns a named list of migrations. ``connect`` applies the ones a database has not seen
yet, each in its own transaction, and records them in the ``migrations`` table
(the approach of sqlite-utils' ``migrations.py``).
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from core.errors import StoreError

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None] | str

# component name -> ordered migrations; index + 1 is the migration number.
_REGISTRY: dict[str, Sequence[Migration]] = {}


def register(component: str, migrations: Sequence[Migration]) -> None:
    """Declare the ordered schema migrations of one component (called at import time)."""
    _REGISTRY[component] = migrations


def connect(path: Path | str) -> sqlite3.Connection:
    """Open the database at ``path`` (creating it), apply pending migrations and return it.

    The connection uses WAL journaling so that readers never block the writer, and
    foreign keys are enforced.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    migrate(conn)
    return conn


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every registered migration the database has not recorded; return their names."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations ("
        " component TEXT NOT NULL, number INTEGER NOT NULL,"
        " applied TEXT NOT NULL DEFAULT (datetime('now')),"
        " PRIMARY KEY (component, number))"
    )
    applied = []
    for component, migrations in sorted(_REGISTRY.items()):
        done = {row[0] for row in conn.execute(
            "SELECT number FROM migrations WHERE component = ?", (component,))}
        for number, step in enumerate(migrations, start=1):
            if number in done:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                if callable(step):
                    step(conn)
                else:
                    for statement in step.split(";\n"):
                        if statement.strip():
                            conn.execute(statement)
                conn.execute("INSERT INTO migrations (component, number) VALUES (?, ?)",
                             (component, number))
                conn.execute("COMMIT")
            except Exception:
                conn.execute("ROLLBACK")
                raise
            log.info("applied migration %s #%d", component, number)
            applied.append(f"{component}#{number}")
    return applied
