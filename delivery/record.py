"""The delivery record and who is on it: the database connection ``send``, ``subscribers``
and ``bounces`` share, and the recipients a briefing goes to (configured addresses and
active subscribers, less every suppressed one).

Kept apart from ``delivery.send`` so that listing or changing subscribers does not load the
message templates (jinja2, MJML) and the SMTP machinery.
"""
from __future__ import annotations

import sqlite3

from core import db
from core.options import Options
from delivery import subscribers
from delivery.recipients import TO_SETTING, load_recipients


def open_record(options: Options, threads: bool = False) -> sqlite3.Connection:
    """The database with the delivery tables (``threads``: one connection for the sending threads).

    A committed row survives the process being killed: in WAL mode a commit is written to
    the log file before it returns, and the system keeps what a dead process wrote. It is
    not forced to the disk at each commit (``synchronous=NORMAL``): that took 3 ms or more a
    message, and a power cut in the middle of a send is rarer than a kill; it could lose
    the last rows, whose recipients a rerun would then send a second copy with the same
    Message-ID.
    """
    conn = db.connect(options.db_path)
    if threads:
        conn.close()
        conn = sqlite3.connect(options.db_path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn



def recipients_of(options: Options, conn: sqlite3.Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(who gets the briefing, configured addresses left out because they unsubscribed or bounced)."""
    configured = load_recipients(options.smtp, options.home)
    where = TO_SETTING + (f" or {options.smtp.recipients_file}" if options.smtp.recipients_file else "")
    subscribers.sync_configured(conn, configured, f"configured in {where}")
    return subscribers.recipients(conn, configured)
