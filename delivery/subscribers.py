"""The subscriber list in the store: who gets the briefing, and every change with its time and cause.

States: ``pending`` (asked on the site, not yet confirmed), ``active``, ``unsubscribed``,
``bounced`` (a permanent failure, or too many temporary ones) and ``complained`` (marked
the briefing as spam). Only ``active`` addresses are sent to; an address that unsubscribed,
bounced or complained stays so until it is added again by hand (``subscribers add``) or
confirms a new subscription on the site itself. Asking on the site changes none of these
states (``delivery.optin`` keeps the request beside it until the link is confirmed), and
neither does ``subscribers add`` for an address that unsubscribed or complained: only the
person can undo their own unsubscription. Importing a list never re-subscribes it.

Addresses configured in ``BRIEFING_TO``/``[smtp] to`` and the recipients file are
subscribers too (origin ``config``): they are recorded as active the first time they are
sent to, and an unsubscription or bounce suppresses them like anyone else. An address
taken out of the configuration is no longer sent to.
"""
from __future__ import annotations

import csv
import io
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from core import db
from core.errors import BriefingError, ConfigError, StoreError

log = logging.getLogger(__name__)

STATES = ("pending", "active", "unsubscribed", "bounced", "complained")
SUPPRESSED = ("unsubscribed", "bounced", "complained")

db.register("subscribers", [
    """
    CREATE TABLE subscribers (
        address TEXT PRIMARY KEY COLLATE NOCASE,
        name TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'list',
        soft_bounces INTEGER NOT NULL DEFAULT 0,
        confirm_sent TEXT,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE subscriber_events (
        id INTEGER PRIMARY KEY,
        address TEXT NOT NULL COLLATE NOCASE,
        time TEXT NOT NULL,
        state TEXT NOT NULL,
        cause TEXT NOT NULL
    );
    CREATE INDEX subscriber_events_by_address ON subscriber_events (address, id);
    CREATE TABLE bounce_reports (
        key TEXT PRIMARY KEY,
        address TEXT,
        kind TEXT NOT NULL,
        time TEXT NOT NULL
    )
    """,
    # Subscription requests waiting for their link (delivery.optin), the unsubscribe tokens by
    # index (delivery.tokens), and the repair of addresses an earlier version let a form post
    # turn from unsubscribed/bounced/complained into pending.
    """
    ALTER TABLE subscribers ADD COLUMN unsubscribe_key TEXT;
    CREATE UNIQUE INDEX subscribers_by_unsubscribe_key ON subscribers (unsubscribe_key);
    CREATE INDEX subscribers_unsubscribe_key_missing ON subscribers (address) WHERE unsubscribe_key IS NULL;
    CREATE INDEX subscribers_pending ON subscribers (updated) WHERE state = 'pending';
    CREATE TABLE token_index (fingerprint TEXT NOT NULL);
    CREATE TABLE confirmations (
        token_key TEXT PRIMARY KEY,
        address TEXT NOT NULL COLLATE NOCASE,
        asked TEXT NOT NULL,
        expires TEXT NOT NULL,
        mailed TEXT
    );
    CREATE INDEX confirmations_by_address ON confirmations (address);
    CREATE INDEX confirmations_by_expiry ON confirmations (expires)
    """,
    lambda conn: _restore_suppression(conn),
])


def _restore_suppression(conn: sqlite3.Connection) -> None:
    """Pending rows whose last state before a form post was a suppression get that state back.

    One query finds them all (each pending address's latest event that is not 'pending'),
    instead of one query per pending row; only the rows restored are written.
    """
    found = conn.execute(
        "SELECT address, state FROM ("
        " SELECT e.address, e.state, ROW_NUMBER() OVER (PARTITION BY e.address ORDER BY e.id DESC) AS latest"
        " FROM subscriber_events e JOIN subscribers s ON s.address = e.address"
        " WHERE s.state = 'pending' AND e.state != 'pending')"
        f" WHERE latest = 1 AND state IN ({', '.join('?' * len(SUPPRESSED))})", SUPPRESSED).fetchall()
    for address, state in found:
        set_state(conn, address, state, "restored: a form post had made it pending without a confirmation")


@dataclass(frozen=True)
class Subscriber:
    """One address on the list and where it stands."""

    address: str
    name: str
    state: str
    origin: str  # 'list' (added, imported, signed up) or 'config' (BRIEFING_TO, recipients file)
    soft_bounces: int
    updated: str


@dataclass(frozen=True)
class Event:
    """One recorded change: the state after it, when, and why."""

    address: str
    time: str
    state: str
    cause: str


@dataclass(frozen=True)
class ImportResult:
    """What ``import_csv`` did."""

    added: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    suppressed: tuple[tuple[str, str], ...] = ()  # (address, its state): left alone
    problems: tuple[str, ...] = ()


def now() -> str:
    """The time of a change, UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _row(row: sqlite3.Row) -> Subscriber:
    return Subscriber(row["address"], row["name"], row["state"], row["origin"], row["soft_bounces"], row["updated"])


def get(conn: sqlite3.Connection, address: str) -> Subscriber | None:
    """The subscriber with ``address`` (any case), or None."""
    row = conn.execute("SELECT * FROM subscribers WHERE address = ?", (address,)).fetchone()
    return _row(row) if row else None


def history(conn: sqlite3.Connection, address: str) -> list[Event]:
    """Every recorded change of ``address``, oldest first."""
    return [Event(r["address"], r["time"], r["state"], r["cause"]) for r in conn.execute(
        "SELECT * FROM subscriber_events WHERE address = ? ORDER BY id", (address,))]


def listing(conn: sqlite3.Connection, state: str | None = None) -> list[Subscriber]:
    """All subscribers (or those in ``state``), in the order they were first recorded."""
    if state is not None and state not in STATES:
        raise ConfigError(f"--state {state!r}: use one of {', '.join(STATES)}")
    sql = "SELECT * FROM subscribers" + (" WHERE state = ?" if state else "") + " ORDER BY rowid"
    return [_row(r) for r in conn.execute(sql, (state,) if state else ())]


class Transaction:
    """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK) on a connection in autocommit mode."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the subscriber list: {exc}") from None
        return self.conn

    def __exit__(self, kind, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if kind else "COMMIT")


def set_state(conn: sqlite3.Connection, address: str, state: str, cause: str, *, name: str | None = None,
         origin: str | None = None, soft_bounces: int | None = None, stamp: str | None = None) -> None:
    """Insert or update one subscriber and record the change (inside a transaction)."""
    stamp = stamp or now()
    conn.execute(
        "INSERT INTO subscribers (address, name, state, origin, soft_bounces, created, updated)"
        " VALUES (?, coalesce(?, ''), ?, coalesce(?, 'list'), coalesce(?, 0), ?, ?)"
        " ON CONFLICT (address) DO UPDATE SET name = coalesce(nullif(excluded.name, ''), name),"
        " state = excluded.state, origin = coalesce(?, origin),"
        " soft_bounces = coalesce(?, soft_bounces), updated = excluded.updated",
        (address, name, state, origin, soft_bounces, stamp, stamp, origin, soft_bounces))
    conn.execute("INSERT INTO subscriber_events (address, time, state, cause) VALUES (?, ?, ?, ?)",
                 (address, stamp, state, cause))
    if state in SUPPRESSED:  # an open confirmation link must not undo this
        conn.execute("DELETE FROM confirmations WHERE address = ?", (address,))
    log.info("%s is now %s: %s", address, state, cause)


def note(conn: sqlite3.Connection, address: str, state: str, cause: str) -> None:
    """Record an event that leaves the state as it is (inside a transaction)."""
    conn.execute("INSERT INTO subscriber_events (address, time, state, cause) VALUES (?, ?, ?, ?)",
                 (address, now(), state, cause))


OWN_CHOICE = ("unsubscribed", "complained")  # states only the person can undo, by confirming on the site


def add(conn: sqlite3.Connection, address: str, cause: str, name: str = "") -> str | None:
    """Make ``address`` active (again); the previous state, None when new.

    An address that unsubscribed or complained is left as it is (the previous state is
    returned): only its owner can subscribe it again, through the site's confirmation.
    """
    with Transaction(conn):
        before = get(conn, address)
        if before is not None and (before.state in OWN_CHOICE or
                                   (before.state == "active" and before.origin == "list")):
            return before.state
        set_state(conn, address, "active", cause, name=name, origin="list", soft_bounces=0)
    return before.state if before else None


def remove(conn: sqlite3.Connection, address: str, cause: str) -> str | None:
    """Mark ``address`` unsubscribed (recorded even when it was only configured); the previous state."""
    with Transaction(conn):
        before = get(conn, address)
        if before is not None and before.state == "unsubscribed":
            return "unsubscribed"
        set_state(conn, address, "unsubscribed", cause)
    return before.state if before else None


def unsubscribe(conn: sqlite3.Connection, address: str, cause: str) -> bool:
    """Unsubscribe ``address``; False when it already was (or is not on the list)."""
    with Transaction(conn):
        before = get(conn, address)
        if before is None or before.state == "unsubscribed":
            return False
        set_state(conn, address, "unsubscribed", cause)
    return True


def bounce(conn: sqlite3.Connection, address: str, kind: str, cause: str, soft_limit: int) -> str | None:
    """Apply a bounce to a known address: ``hard``, ``soft`` or ``complaint``; its new state, or None if unknown.

    A hard bounce marks the address ``bounced``, a complaint ``complained``; a soft one
    (mailbox full, server busy) is counted, and the ``soft_limit``-th marks it bounced.
    """
    with Transaction(conn):
        before = get(conn, address)
        if before is None:
            return None
        if kind == "complaint":
            if before.state != "complained":
                set_state(conn, address, "complained", cause)
            return "complained"
        if before.state in SUPPRESSED:
            return before.state  # already not sent to; nothing to add
        if kind == "hard":
            set_state(conn, address, "bounced", cause)
            return "bounced"
        count = before.soft_bounces + 1
        if soft_limit > 0 and count >= soft_limit:
            set_state(conn, address, "bounced", f"{cause} (soft bounce {count} of {soft_limit})", soft_bounces=count)
            return "bounced"
        conn.execute("UPDATE subscribers SET soft_bounces = ?, updated = ? WHERE address = ?",
                     (count, now(), address))
        conn.execute("INSERT INTO subscriber_events (address, time, state, cause) VALUES (?, ?, ?, ?)",
                     (address, now(), before.state, f"{cause} (soft bounce {count} of {soft_limit})"))
        return before.state


def sync_configured(conn: sqlite3.Connection, addresses: Iterable[str], cause: str) -> None:
    """Record the configured addresses the list does not know yet, as active (origin ``config``)."""
    addresses = list(addresses)
    if not addresses:
        return
    with Transaction(conn):
        known = {r[0].lower() for r in conn.execute("SELECT address FROM subscribers")}
        stamp = now()
        for address in addresses:
            if address.lower() not in known:
                set_state(conn, address, "active", cause, origin="config", stamp=stamp)
                known.add(address.lower())


def recipients(conn: sqlite3.Connection, configured: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(who gets the briefing, configured addresses left out) given the configured addresses.

    Recipients are the configured addresses that are not suppressed, in their order, then
    the active subscribers of the list. Left out are the configured ones that unsubscribed,
    bounced or complained.
    """
    states = {r["address"].lower(): (r["state"], r["origin"]) for r in conn.execute(
        "SELECT address, state, origin FROM subscribers")}
    chosen: dict[str, str] = {}
    left_out = []
    for address in configured:
        if states.get(address.lower(), ("active", "config"))[0] in SUPPRESSED:
            left_out.append(address)
        else:
            chosen.setdefault(address.lower(), address)
    for row in conn.execute("SELECT address FROM subscribers WHERE state = 'active' AND origin = 'list' ORDER BY rowid"):
        chosen.setdefault(row[0].lower(), row[0])
    return tuple(chosen.values()), tuple(left_out)


def _sniff(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else "\t" if "\t" in first_line else ","


def import_csv(conn: sqlite3.Connection, path: Path) -> ImportResult:
    """Add the addresses of a CSV file as active subscribers.

    The file has a header naming an ``email`` (or ``address``) column and optionally a
    ``name`` one, or no header, the address first and the name second. Commas, semicolons
    or tabs separate the columns. A bad line is reported with its number and skipped; an
    address that unsubscribed, bounced or complained is left as it is.
    """
    from delivery.recipients import check_mailbox

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save the CSV as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    rows = list(csv.reader(io.StringIO(text), delimiter=_sniff(text.split("\n", 1)[0])))
    email_col, name_col, start = 0, 1, 0
    if rows:
        header = [cell.strip().lower() for cell in rows[0]]
        for wanted in ("email", "e-mail", "email address", "address", "mail"):
            if wanted in header:
                email_col, start = header.index(wanted), 1
                name_col = next((header.index(n) for n in ("name", "full name", "display name") if n in header), -1)
                break
        else:
            if not any("@" in cell for cell in header) and any("@" in cell for row in rows[1:] for cell in row):
                # A header row, and the addresses below it under a name we do not know.
                raise ConfigError(f"{path}: the header ({', '.join(c for c in header if c) or 'empty'}) has no "
                                  "email column; name the column of addresses 'email'")
    added, already, suppressed, problems = [], [], [], []
    seen: set[str] = set()
    wanted_rows = []
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        cell = row[email_col].strip() if email_col < len(row) else ""
        try:
            name, address = check_mailbox(cell, f"{path} line {number}")
        except BriefingError as exc:
            problems.append(str(exc))
            continue
        if 0 <= name_col < len(row) and row[name_col].strip():
            name = row[name_col].strip()
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        wanted_rows.append((address, name))
    with Transaction(conn):
        stamp = now()
        for address, name in wanted_rows:
            before = get(conn, address)
            if before is not None and before.state in SUPPRESSED:
                suppressed.append((address, before.state))
            elif before is not None and before.state == "active" and before.origin == "list":
                already.append(address)
            else:
                set_state(conn, address, "active", f"imported from {Path(path).name}", name=name, origin="list",
                     stamp=stamp)
                added.append(address)
    return ImportResult(tuple(added), tuple(already), tuple(suppressed), tuple(problems))


def export_csv(conn: sqlite3.Connection) -> str:
    """Every subscriber as CSV: email, name, state, since, cause (of the last change)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "name", "state", "since", "cause"])
    last = {r["address"].lower(): r["cause"] for r in conn.execute(
        "SELECT address, cause FROM subscriber_events WHERE id IN (SELECT max(id) FROM subscriber_events GROUP BY address)")}
    for s in listing(conn):
        writer.writerow([s.address, s.name, s.state, s.updated, last.get(s.address.lower(), "")])
    return out.getvalue()


def seen_report(conn: sqlite3.Connection, key: str) -> bool:
    """True when the bounce report ``key`` was applied before (so a mailbox can be read twice)."""
    return conn.execute("SELECT 1 FROM bounce_reports WHERE key = ?", (key,)).fetchone() is not None


def note_report(conn: sqlite3.Connection, key: str, address: str | None, kind: str) -> None:
    """Remember that the bounce report ``key`` was applied."""
    conn.execute("INSERT OR IGNORE INTO bounce_reports (key, address, kind, time) VALUES (?, ?, ?, ?)",
                 (key, address, kind, now()))
