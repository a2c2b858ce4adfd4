"""Signed links: the one-click unsubscribe token and the expiring subscription confirmation.

Both are HMAC-SHA256 with one secret of this installation, kept in the file
``$BRIEFING_HOME/secret.key`` (created readable by its owner only). Anyone who edits a
link ends up with a signature that does not match, and nothing changes.

* Unsubscribe: an opaque 32-character token per address (RFC 8058 asks for an opaque
  identifier), so the link neither shows the address in web server logs nor lets anyone
  unsubscribe somebody else. The site finds the address with one index look-up: each
  subscriber row keeps the SHA-256 of its token (``unsubscribe_owner``), filled in once
  per address and again for all when the secret changes.
* Confirmation: the address, an expiry time and the signature, so a link found in an old
  mailbox, or forged, subscribes nobody.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from core.errors import StoreError

log = logging.getLogger(__name__)

SECRET_FILE = "secret.key"
TOKEN_LENGTH = 32


def secret_key(home: Path, conn: sqlite3.Connection | None = None) -> bytes:
    """This installation's signing secret from ``home/secret.key``, made (mode 0600) on first use.

    Earlier versions kept the key in the database (table ``delivery_keys``); when that one
    exists it is moved to the file, so links in briefings already sent keep working.
    """
    path = Path(home) / SECRET_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: cannot read the signing secret ({exc}); "
                         "delete the file to make a new one (older unsubscribe links then stop working)") from None
    value = _older_key(conn) or secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return secret_key(home)  # made by another process in the meantime
    except OSError as exc:
        raise StoreError(f"cannot create the signing secret {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    log.info("made the signing secret %s", path)
    return bytes.fromhex(value)


def _older_key(conn: sqlite3.Connection | None) -> str | None:
    if conn is None:
        return None
    try:
        row = conn.execute("SELECT value FROM delivery_keys WHERE name = 'unsubscribe'").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def unsubscribe_token(key: bytes, address: str) -> str:
    """The opaque token naming one address in its one-click unsubscribe link."""
    return hmac.new(key, address.lower().encode("utf-8"), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def recipient_of_token(key: bytes, token: str, addresses: Iterable[str]) -> str | None:
    """Which of ``addresses`` an unsubscribe token belongs to; None for a forged or altered one."""
    if len(token) != TOKEN_LENGTH:
        return None
    for address in addresses:
        if hmac.compare_digest(unsubscribe_token(key, address), token):
            return address
    return None


def _index_unsubscribe_tokens(conn: sqlite3.Connection, key: bytes) -> None:
    """Give every subscriber row without one the digest of its token (all of them when the key changed)."""
    from delivery.optin import digest
    from delivery.subscribers import Transaction

    fingerprint = hashlib.sha256(b"index\0" + key).hexdigest()[:16]
    known = conn.execute("SELECT fingerprint FROM token_index").fetchone()
    missing = conn.execute("SELECT 1 FROM subscribers WHERE unsubscribe_key IS NULL LIMIT 1").fetchone()
    if known is not None and known[0] == fingerprint and missing is None:
        return
    with Transaction(conn):
        if known is None or known[0] != fingerprint:
            conn.execute("UPDATE subscribers SET unsubscribe_key = NULL")
            conn.execute("DELETE FROM token_index")
            conn.execute("INSERT INTO token_index (fingerprint) VALUES (?)", (fingerprint,))
        rows = conn.execute("SELECT address FROM subscribers WHERE unsubscribe_key IS NULL").fetchall()
        conn.executemany("UPDATE subscribers SET unsubscribe_key = ? WHERE address = ?",
                         [(digest(unsubscribe_token(key, r[0])), r[0]) for r in rows])


def unsubscribe_owner(conn: sqlite3.Connection, key: bytes, token: str) -> str | None:
    """The subscriber an unsubscribe token belongs to, found by index; None for a forged or altered one."""
    from delivery.optin import digest

    if len(token) != TOKEN_LENGTH or any(ch not in "0123456789abcdef" for ch in token):
        return None
    _index_unsubscribe_tokens(conn, key)
    row = conn.execute("SELECT address FROM subscribers WHERE unsubscribe_key = ?", (digest(token),)).fetchone()
    return row[0] if row else None


def _confirm_signature(key: bytes, address: str, expires: int) -> str:
    # The NULs keep these messages apart from the unsubscribe ones (an address holds none).
    message = f"confirm\0{address.lower()}\0{expires}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def confirm_token(key: bytes, address: str, hours: float, now: float | None = None) -> str:
    """A token confirming a subscription of ``address``, good for ``hours``."""
    expires = int((time.time() if now is None else now) + hours * 3600)
    encoded = base64.urlsafe_b64encode(address.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{encoded}.{expires}.{_confirm_signature(key, address, expires)}"


def confirmed_address(key: bytes, token: str, now: float | None = None) -> tuple[str | None, str]:
    """(address, "") for a genuine, unexpired confirmation token; else (None, why)."""
    try:
        encoded, expires_text, signature = token.split(".")
        address = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
        expires = int(expires_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None, "this link is not one we sent"
    if not hmac.compare_digest(_confirm_signature(key, address, expires), signature):
        return None, "this link is not one we sent"
    if (time.time() if now is None else now) > expires:
        return None, "this link has expired; subscribe again to get a new one"
    return address, ""


FORM_TOKEN_HOURS = 24  # how long a subscribe form, once shown, can be sent


def _form_signature(key: bytes, issued: int) -> str:
    return hmac.new(key, f"form\0{issued}".encode("ascii"), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def form_token(key: bytes, now: float | None = None) -> str:
    """The anti-forgery token of a subscribe form shown now: only a page of this site carries one."""
    issued = int(time.time() if now is None else now)
    return f"{issued}.{_form_signature(key, issued)}"


def form_token_ok(key: bytes, token: str, now: float | None = None) -> bool:
    """True for a genuine form token issued less than ``FORM_TOKEN_HOURS`` ago."""
    issued_text, _, signature = token[:100].partition(".")
    if not issued_text.isdigit() or not hmac.compare_digest(_form_signature(key, int(issued_text)), signature):
        return False
    age = (time.time() if now is None else now) - int(issued_text)
    return -60 <= age <= FORM_TOKEN_HOURS * 3600
