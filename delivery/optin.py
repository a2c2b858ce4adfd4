"""Subscriptions asked for on the site, waiting for the link of their confirmation email.

Asking never changes a subscriber's state by itself. An unknown address is recorded
``pending`` (``subscribers list --state pending`` shows it); one that unsubscribed, bounced
or complained stays so, the request noted in its history, until its owner confirms the
link. Only the confirmation makes an address ``active``.

Each confirmation link carries a random token; the store keeps only its SHA-256 (the
``confirmations`` table's primary key), so a look-up is one index probe, whatever the
size of the list, and a copy of the database confirms nobody. Unconfirmed requests
expire: a link after ``[subscribers] confirm_hours``, a ``pending`` address after
``[subscribers] pending_days`` (it is forgotten; its history stays).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from delivery import subscribers, tokens
from delivery.subscribers import Transaction

log = logging.getLogger(__name__)

RESEND_AFTER = 600  # seconds between two confirmation emails to one address
# An address that unsubscribed, bounced or complained can subscribe again only through a
# confirmation email, but a stranger must not be able to make us mail it often.
SUPPRESSED_RESEND_AFTER = 86_400


@dataclass(frozen=True)
class Asked:
    """What a request did: the address's state before it, and the token to mail ('' when no email is due)."""

    before: str | None
    token: str = ""


def digest(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def ask(conn: sqlite3.Connection, address: str, hours: float, now: datetime | None = None) -> Asked:
    """Record a subscription asked for on the site; a new token when a confirmation email is due.

    None is due for an active subscriber, nor when one went (or is on its way) to the
    address in the last ``RESEND_AFTER`` seconds (``SUPPRESSED_RESEND_AFTER`` for an
    address that unsubscribed, bounced or complained). A failed email is forgotten
    (``not_mailed``), so asking again really sends again.
    """
    moment = now or datetime.now(timezone.utc)
    with Transaction(conn):
        before = subscribers.get(conn, address)
        state = before.state if before else None
        if state == "active":
            return Asked("active")
        if state is None or state == "pending":
            subscribers.set_state(conn, address, "pending", "asked on the site (subscribe form)")
        else:
            subscribers.note(conn, address, state, f"asked on the site to subscribe again; stays {state} "
                                                   "unless the emailed link is confirmed")
        wait = SUPPRESSED_RESEND_AFTER if state in subscribers.SUPPRESSED else RESEND_AFTER
        recent = conn.execute("SELECT 1 FROM confirmations WHERE address = ? AND asked > ?",
                              (address, _stamp(moment - timedelta(seconds=wait)))).fetchone()
        if recent:
            log.info("a confirmation to %s went less than %d s ago; not again", address, wait)
            return Asked(state)
        token = secrets.token_urlsafe(24)
        conn.execute("INSERT INTO confirmations (token_key, address, asked, expires) VALUES (?, ?, ?, ?)",
                     (digest(token), address, _stamp(moment), _stamp(moment + timedelta(hours=hours))))
    return Asked(state, token)


def mailed(conn: sqlite3.Connection, token: str) -> None:
    """Note that the confirmation email carrying ``token`` was accepted by the mail server."""
    conn.execute("UPDATE confirmations SET mailed = ? WHERE token_key = ?", (subscribers.now(), digest(token)))


def not_mailed(conn: sqlite3.Connection, token: str) -> None:
    """Forget a token whose email could not be sent, so that the next request sends one."""
    conn.execute("DELETE FROM confirmations WHERE token_key = ?", (digest(token),))


def _find(conn: sqlite3.Connection, token: str, key: bytes, now: datetime) -> tuple[str | None, str]:
    if "." in token:  # a signed link of an earlier version: good for a pending address until it expires
        address, why = tokens.confirmed_address(key, token, now.timestamp())
        found = subscribers.get(conn, address) if address else None
        if address and (found is None or found.state != "pending"):
            return None, "this link is no longer needed; subscribe again if you wish"
        return address, why
    row = conn.execute("SELECT address, expires FROM confirmations WHERE token_key = ?", (digest(token),)).fetchone()
    if row is None:
        return None, "this link is not one we sent, or it was used or withdrawn since"
    if row[1] < _stamp(now):
        return None, "this link has expired; subscribe again to get a new one"
    return row[0], ""


def lookup(conn: sqlite3.Connection, token: str, key: bytes, now: datetime | None = None) -> tuple[str | None, str]:
    """(address, "") of a live confirmation token; (None, why) otherwise. Changes nothing."""
    return _find(conn, token[:200], key, now or datetime.now(timezone.utc))


def confirm(conn: sqlite3.Connection, token: str, key: bytes, now: datetime | None = None) -> tuple[str | None, str]:
    """Make the address of a live confirmation token active (its owner confirmed); (address, "") or (None, why)."""
    moment = now or datetime.now(timezone.utc)
    with Transaction(conn):
        address, why = _find(conn, token[:200], key, moment)
        if address is None:
            return None, why
        before = subscribers.get(conn, address)
        if before is None or before.state != "active":
            subscribers.set_state(conn, address, "active", "confirmed the link from the confirmation email",
                             origin="list", soft_bounces=0)
        conn.execute("DELETE FROM confirmations WHERE address = ?", (address,))
    return address, ""


def expire(conn: sqlite3.Connection, pending_days: float, now: datetime | None = None) -> int:
    """Drop expired links and forget pending addresses older than ``pending_days``; how many addresses."""
    moment = now or datetime.now(timezone.utc)
    cutoff = _stamp(moment - timedelta(days=pending_days))
    with Transaction(conn):
        conn.execute("DELETE FROM confirmations WHERE expires < ?", (_stamp(moment),))
        old = [r[0] for r in conn.execute(
            "SELECT address FROM subscribers WHERE state = 'pending' AND updated < ?", (cutoff,))]
        for address in old:
            subscribers.note(conn, address, "expired", f"never confirmed within {pending_days:g} days; forgotten")
            conn.execute("DELETE FROM subscribers WHERE address = ?", (address,))
            conn.execute("DELETE FROM confirmations WHERE address = ?", (address,))
    if old:
        log.info("forgot %d unconfirmed subscription(s) older than %g days", len(old), pending_days)
    return len(old)
