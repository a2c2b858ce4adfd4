"""Sending the day's briefing by SMTP: one message per recipient, each exactly once.

How "exactly once" holds up
---------------------------
Every recipient of every date has one row in the ``deliveries`` table. Before the SMTP
transaction for a recipient starts, the row is committed as ``sending``; as soon as the
server has answered the end of the message, it is committed as ``sent`` (250),
``deferred`` (a 4xx answer, a dropped connection or a timeout, after the retries) or
``failed`` (a 5xx answer), with the server's answer. A rerun of the same date skips every
``sent`` row and every ``failed`` one (a permanent refusal is reported, not retried), so
after a crash or a partial failure it sends only to the recipients still missing.

One window remains: the server has accepted the message but the process dies (or the
connection drops) before the ``sent`` row is committed. The row then still says
``sending`` or ``deferred`` and a rerun sends again. That copy carries the same
Message-ID (one per briefing and recipient), so mail stores that deduplicate by
Message-ID show it once; SMTP itself offers no way to close the window (RFC 1047).

The password is handed to ``smtplib`` and nowhere else: it is kept out of the options'
``repr``, smtplib's debug output (which would print the AUTH exchange) is never switched
on, and every server answer is scrubbed of it before it is logged, stored or shown.
"""
from __future__ import annotations

import base64
import logging
import re
import secrets
import smtplib
import sqlite3
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date, datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from zoneinfo import ZoneInfo

from core import db
from core.errors import BriefingError, ConfigError, DeliveryError
from core.options import Options
from delivery import message as messages
from delivery.options import SmtpOptions
from delivery.recipients import load_recipients, sender_address, unsubscribe_token

log = logging.getLogger(__name__)

TLS_MODES = ("none", "starttls", "ssl")
QUIET_DAY = ("send", "skip")

db.register("delivery", [
    """
    CREATE TABLE deliveries (
        date TEXT NOT NULL,
        recipient TEXT NOT NULL COLLATE NOCASE,
        message_id TEXT NOT NULL,
        status TEXT NOT NULL,
        code INTEGER,
        answer TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        updated TEXT NOT NULL,
        PRIMARY KEY (date, recipient)
    );
    CREATE TABLE delivery_keys (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
])


@dataclass(frozen=True)
class Outcome:
    """What the server made of one attempt: ``sent``, ``temporary`` or ``permanent``, with its answer."""

    status: str
    code: int | None
    answer: str


@dataclass(frozen=True)
class SendResult:
    """What a send did, for the closing line: delivered, already had it, failed (with answers)."""

    date: str
    delivered: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()  # (address, the server's answer or why)
    written: tuple[Path, ...] = ()
    dry_run: Path | None = None
    test_copy: str = ""
    skipped: str = ""

    @property
    def ok(self) -> bool:
        """True when nobody who should have the briefing is left without it."""
        return not self.failed

    def summary(self) -> str:
        """One closing line for the command line."""
        head = f"briefing {self.date}"
        if self.skipped:
            return f"{head}: {self.skipped}"
        failures = "; ".join(f"{address} ({why})" for address, why in self.failed)
        if self.dry_run is not None:
            line = f"{head}: wrote {len(self.written)} message{'s' if len(self.written) != 1 else ''} to {self.dry_run}, sent nothing"
            return line + (f", {len(self.already)} already had it" if self.already else "")
        if self.test_copy:
            if self.failed:
                return f"{head}: test copy to {self.test_copy} failed: {failures}"
            return f"{head}: sent a test copy to {self.test_copy} (not recorded)"
        line = f"{head}: delivered {len(self.delivered)}, already had it {len(self.already)}, failed {len(self.failed)}"
        return line + (f": {failures}" if failures else "")


class _Unreachable(Exception):
    """The server could not be reached or dropped us before a transaction (temporary)."""


class _Scrubber:
    """Removes the password, in the forms smtplib sends it, from any text shown to anyone."""

    def __init__(self, user: str, password: str) -> None:
        forms = set()
        if password:
            forms.add(password)
            forms.add(base64.b64encode(password.encode()).decode())  # AUTH LOGIN
            forms.add(base64.b64encode(f"\0{user}\0{password}".encode()).decode())  # AUTH PLAIN
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, "********")
        return text


def _answer(code: int | None, reply: bytes | str | None, scrub: _Scrubber) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else (reply or "")
    text = " ".join(text.split())
    text = scrub(f"{code} {text}" if code is not None else text)
    return text if len(text) <= 200 else text[:197] + "..."


def _kind(code: int) -> str:
    return "temporary" if 400 <= code < 500 else "permanent"


class SmtpSession:
    """One connection to the mail server, reopened as needed, sending one transaction per recipient."""

    def __init__(self, options: SmtpOptions, sender: str) -> None:
        self.options = options
        self.sender = sender
        self.scrub = _Scrubber(options.user, options.password)
        self.where = f"{options.host}:{options.port}"
        self.conn: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect (TLS as configured) and log in; DeliveryError for what only the user can fix."""
        if self.conn is not None:
            return
        o = self.options
        context = ssl.create_default_context()
        conn = smtplib.SMTP_SSL(timeout=o.timeout, context=context) if o.tls == "ssl" else smtplib.SMTP(timeout=o.timeout)
        # The name TLS checks the certificate against; the constructor would set it, but
        # connecting there would leave no object to close when the connection fails.
        conn._host = o.host
        try:
            code, reply = conn.connect(o.host, o.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, reply)
            conn.ehlo_or_helo_if_needed()
            if o.tls == "starttls":
                if not conn.has_extn("starttls"):
                    raise DeliveryError(f"{self.where} does not offer STARTTLS; use BRIEFING_SMTP_TLS=ssl "
                                        "(usually port 465), or none on a trusted local network only")
                conn.starttls(context=context)
                conn.ehlo()
            if o.user:
                self._login(conn)
        except DeliveryError:
            conn.close()
            raise
        except smtplib.SMTPNotSupportedError:
            conn.close()
            raise DeliveryError(f"{self.where} offers no login (AUTH) on this connection; "
                                "check BRIEFING_SMTP_TLS, or leave BRIEFING_SMTP_USER empty") from None
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            answer = _answer(exc.smtp_code, exc.smtp_error, self.scrub)
            if 400 <= exc.smtp_code < 500:
                raise _Unreachable(f"login deferred by {self.where}: {answer}") from None
            raise DeliveryError(f"{self.where} refused the login of {o.user!r}: {answer}; "
                                "check BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD") from None
        except smtplib.SMTPResponseException as exc:
            conn.close()
            answer = _answer(exc.smtp_code, exc.smtp_error, self.scrub)
            if 400 <= exc.smtp_code < 500:
                raise _Unreachable(f"{self.where} answered {answer}") from None
            raise DeliveryError(f"{self.where} refused the connection: {answer}") from None
        except ssl.SSLError as exc:
            conn.close()
            raise DeliveryError(f"TLS with {self.where} failed ({self.scrub(str(exc.reason or exc))}); "
                                f"BRIEFING_SMTP_TLS is {o.tls!r}: port 465 usually wants ssl, 587 starttls") from None
        except (smtplib.SMTPException, OSError) as exc:
            conn.close()
            raise _Unreachable(f"cannot reach {self.where}: {self.scrub(str(exc)) or type(exc).__name__}") from None
        self.conn = conn

    def _login(self, conn: smtplib.SMTP) -> None:
        o = self.options
        if (o.user + o.password).isascii():
            conn.login(o.user, o.password)
            return
        # smtplib encodes credentials as ASCII and fails on 'Wörd'; AUTH PLAIN is defined
        # over UTF-8 (RFC 4616), so send it by hand for such passwords.
        if not conn.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("AUTH not offered")
        token = base64.b64encode(f"\0{o.user}\0{o.password}".encode("utf-8")).decode("ascii")
        code, reply = conn.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply)

    def close(self) -> None:
        """Say QUIT if the connection still works, and forget it."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def _reset(self) -> None:
        try:
            assert self.conn is not None
            self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def send(self, recipient: str, data: bytes) -> Outcome:
        """One transaction (MAIL, RCPT, DATA) for one recipient; the server's verdict as an Outcome.

        Call ``open`` first: a connection that cannot be made is the caller's to report.
        """
        assert self.conn is not None, "open() first"
        try:
            code, reply = self.conn.mail(self.sender)
            if code != 250:
                return self._refused_sender(code, reply)
            code, reply = self.conn.rcpt(recipient)
            if code not in (250, 251):
                self._reset_or_close(code)
                return Outcome(_kind(code), code, _answer(code, reply, self.scrub))
            code, reply = self.conn.data(data)
            if code != 250:
                self._reset_or_close(code)
                return Outcome(_kind(code), code, _answer(code, reply, self.scrub))
            return Outcome("sent", code, _answer(code, reply, self.scrub))
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            return Outcome("temporary", None, f"connection dropped by {self.where}: {self.scrub(str(exc))}")
        except smtplib.SMTPResponseException as exc:
            self._reset_or_close(exc.smtp_code)
            return Outcome(_kind(exc.smtp_code), exc.smtp_code, _answer(exc.smtp_code, exc.smtp_error, self.scrub))
        except (smtplib.SMTPException, OSError) as exc:  # timeouts, resets
            self.close()
            return Outcome("temporary", None, f"connection to {self.where} failed: {self.scrub(str(exc)) or type(exc).__name__}")

    def _reset_or_close(self, code: int) -> None:
        # 421 means the server is closing the connection; anything else leaves it usable.
        if code == 421:
            self.close()
        else:
            self._reset()

    def _refused_sender(self, code: int, reply: bytes) -> Outcome:
        answer = _answer(code, reply, self.scrub)
        self._reset_or_close(code)
        if code == 530:
            raise DeliveryError(f"{self.where} wants a login before sending ({answer}); "
                                "set BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD")
        if code >= 500:
            # The sender address is refused for everyone: a setting to fix, not a recipient to mark.
            raise DeliveryError(f"{self.where} refused the sender address {self.sender}: {answer}; check BRIEFING_FROM")
        return Outcome("temporary", code, answer)


# -- the record --------------------------------------------------------------------------

def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_record(options: Options) -> sqlite3.Connection:
    """The database with the delivery tables; commits are made durable before SMTP goes on."""
    conn = db.connect(options.db_path)
    # A 'sent' row must survive a power cut as well as a crash, or a rerun would send twice.
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def deliveries(conn: sqlite3.Connection, date: str) -> dict[str, sqlite3.Row]:
    """The delivery rows of a date, by lower-case recipient."""
    return {row["recipient"].lower(): row for row in conn.execute("SELECT * FROM deliveries WHERE date = ?", (date,))}


def _mark(conn: sqlite3.Connection, date: str, recipient: str, message_id: str, status: str,
          outcome: Outcome | None = None, attempt: bool = False) -> None:
    conn.execute(
        "INSERT INTO deliveries (date, recipient, message_id, status, code, answer, attempts, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (date, recipient) DO UPDATE SET message_id = excluded.message_id, status = excluded.status,"
        " code = coalesce(excluded.code, code), answer = coalesce(excluded.answer, answer),"
        " attempts = attempts + excluded.attempts, updated = excluded.updated",
        (date, recipient, message_id, status, outcome.code if outcome else None,
         outcome.answer if outcome else None, 1 if attempt else 0, _stamp()))


def unsubscribe_key(conn: sqlite3.Connection) -> bytes:
    """This installation's secret for unsubscribe tokens, made on first use."""
    row = conn.execute("SELECT value FROM delivery_keys WHERE name = 'unsubscribe'").fetchone()
    if row is None:
        conn.execute("INSERT OR IGNORE INTO delivery_keys (name, value) VALUES ('unsubscribe', ?)",
                     (secrets.token_hex(32),))
        row = conn.execute("SELECT value FROM delivery_keys WHERE name = 'unsubscribe'").fetchone()
    return bytes.fromhex(row["value"])


def everyone_has(options: Options, date: str) -> bool:
    """True when every configured recipient has the briefing of ``date`` (used by the schedule)."""
    recipients = load_recipients(options.smtp, options.home)
    if not recipients:
        return False
    conn = open_record(options)
    try:
        done = deliveries(conn, date)
    finally:
        conn.close()
    return all(done.get(r.lower()) is not None and done[r.lower()]["status"] == "sent" for r in recipients)


def anyone_has(options: Options, date: str) -> bool:
    """True when at least one recipient was sent the briefing of ``date``."""
    conn = open_record(options)
    try:
        return conn.execute("SELECT 1 FROM deliveries WHERE date = ? AND status = 'sent' LIMIT 1",
                            (date,)).fetchone() is not None
    finally:
        conn.close()


# -- putting it together -----------------------------------------------------------------

def _check_settings(options: Options, need_server: bool) -> None:
    smtp = options.smtp
    if smtp.tls not in TLS_MODES:
        raise ConfigError(f"BRIEFING_SMTP_TLS / [smtp] tls is {smtp.tls!r}; use one of {', '.join(TLS_MODES)}")
    if options.briefing.quiet_day not in QUIET_DAY:
        raise ConfigError(f"[briefing] quiet_day is {options.briefing.quiet_day!r}; use send or skip")
    if need_server and not smtp.host.strip():
        raise ConfigError("no mail server configured: set BRIEFING_SMTP_HOST (and BRIEFING_SMTP_PORT, "
                          "BRIEFING_SMTP_TLS) or [smtp] host; or use --dry-run DIR to write .eml files")
    if smtp.retries < 0 or smtp.retry_delay < 0 or smtp.timeout <= 0:
        raise ConfigError("[smtp] retries and retry_delay must be >= 0 and timeout > 0")


def _date_of(options: Options, date: str | None) -> str:
    if date is None:
        return datetime.now(ZoneInfo(options.briefing.timezone)).strftime("%Y-%m-%d")
    try:
        return Date.fromisoformat(date).isoformat()
    except ValueError:
        raise ConfigError(f"--date {date!r} is not a date in the form YYYY-MM-DD") from None


def _base_url(options: Options) -> str:
    base = options.briefing.base_url.strip().rstrip("/")
    if base and not re.match(r"^https?://[^/\s\"'<>]+", base):
        raise ConfigError(f"[briefing] base_url {base!r} must be an absolute http(s) address, "
                          "e.g. https://briefing.example.org")
    return base


def view_url(base: str, date: str) -> str:
    """The archive page of a briefing, as the 'view in browser' link points to it."""
    return f"{base}/briefings/{date}.html" if base else ""


def story_urls(base: str, briefing) -> tuple[tuple[str, str], ...]:
    """Each story's permalink on the archive site, as (story id, URL); none without a base URL."""
    from archive.site import story_url

    return tuple((s.id, story_url(base, s.id, briefing.date)) for s in briefing.stories) if base else ()


def _render(briefing, options: Options, base: str, mailto: str):
    from templates.render import Links, render_email

    unsubscribe = f"{base}/unsubscribe?id={messages.TOKEN_PLACEHOLDER}" if base.startswith("https://") else mailto
    email = render_email(briefing, options.briefing.timezone,
                         Links(view_url(base, briefing.date), unsubscribe, story_urls(base, briefing)))
    if not email.subject.strip() or not email.text.strip() or "<body" not in email.html:
        raise BriefingError(f"the email rendered for {briefing.date} is empty; not sending it")
    return email


def _write_eml(folder: Path, number: int, recipient: str, msg: EmailMessage, date: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9@._-]", "_", recipient)
    path = folder / f"{date}-{number:03d}-{name}.eml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(msg.as_bytes(policy=SMTP_POLICY))
    except OSError as exc:
        raise ConfigError(f"--dry-run {folder}: cannot write {path.name}: {exc.strerror or exc}") from None
    return path


def send_briefing(options: Options, date: str | None, to: str | None = None, dry_run: Path | None = None,
                  *, retry_refused: bool = False, sleep: Callable[[float], None] = time.sleep) -> SendResult:
    """Send the archived briefing of ``date`` (default today) to every recipient who has not had it.

    ``to`` sends one test copy to that address instead, recording nothing; ``dry_run``
    writes the messages as .eml files into that folder instead of sending. Temporary
    failures are retried ``options.smtp.retries`` times with doubling delays; permanent
    ones are recorded and not retried, not even by a rerun unless ``retry_refused``.
    """
    from archive.briefings import load_briefing
    from delivery.recipients import check_address

    smtp = options.smtp
    date = _date_of(options, date)
    _check_settings(options, need_server=dry_run is None)
    briefing = load_briefing(options.archive_dir, date)
    if briefing is None:
        raise BriefingError(f"there is no briefing for {date} in {options.archive_dir}; "
                            f"run `briefing.py build --date {date}` first")
    if not briefing.stories and options.briefing.quiet_day == "skip" and to is None:
        return SendResult(date, skipped="no story passed the topic filter and quiet_day is 'skip': nothing sent")
    sender = sender_address(smtp)
    recipients = (check_address(to, "--to"),) if to else load_recipients(smtp, options.home)
    if not recipients:
        raise ConfigError("no recipients: set BRIEFING_TO (comma-separated) or [smtp] to, or [smtp] recipients_file")

    base = _base_url(options)
    list_id = messages.list_id_header(smtp.list_id, briefing.title, smtp.sender)
    mailto = messages.unsubscribe_mailto(smtp.unsubscribe_mailto, smtp.sender)
    email = _render(briefing, options, base, mailto)
    sent_at = datetime.now(timezone.utc)

    conn = open_record(options)
    try:
        key = unsubscribe_key(conn) if base.startswith("https://") else b""
        done = {} if to else deliveries(conn, date)
        already = tuple(r for r in recipients if done.get(r.lower()) is not None and done[r.lower()]["status"] == "sent")
        refused = tuple((r, f"refused earlier, not retried: {done[r.lower()]['answer']}") for r in recipients
                        if not retry_refused and done.get(r.lower()) is not None and done[r.lower()]["status"] == "failed")
        skip = {r for r in already} | {r for r, _ in refused}
        pending = [r for r in recipients if r not in skip]

        outgoing: dict[str, tuple[str, EmailMessage]] = {}
        for recipient in pending:
            token = unsubscribe_token(key, recipient) if key else ""
            mid = (messages.copy_message_id(date, smtp.sender, secrets.token_hex(6)) if to
                   else messages.message_id(date, recipient, smtp.sender, list_id))
            unsubscribe = f"{base}/unsubscribe?id={token}" if key else ""
            addressing = messages.Addressing(smtp.sender, recipient, mid, list_id, mailto, unsubscribe)
            msg = messages.build_message(messages.personalize(email, token), addressing, sent_at,
                                         subject_prefix="[test] " if to else "")
            outgoing[recipient] = (mid, msg)

        if dry_run is not None:
            written = tuple(_write_eml(Path(dry_run), n, r, msg, date)
                            for n, (r, (_mid, msg)) in enumerate(outgoing.items(), start=1))
            return SendResult(date, already=already, written=written, dry_run=Path(dry_run), test_copy=to or "")

        record = None if to else (lambda r, status, outcome=None, attempt=False:
                                  _mark(conn, date, r, outgoing[r][0], status, outcome, attempt))
        delivered, failed = _deliver(smtp, sender, outgoing, record, sleep)
        return SendResult(date, delivered=delivered, already=already, failed=refused + failed, test_copy=to or "")
    finally:
        conn.close()


def _deliver(smtp: SmtpOptions, sender: str, outgoing: dict[str, tuple[str, EmailMessage]],
             record: Callable[..., None] | None, sleep: Callable[[float], None]
             ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Send each message in rounds: everyone once, then the temporary failures again after a pause."""
    session = SmtpSession(smtp, sender)
    delivered: list[str] = []
    failed: dict[str, str] = {}
    pending = list(outgoing)
    round_number = 0
    try:
        while pending:
            round_number += 1
            again = []
            down: Outcome | None = None  # the server could not be reached in this round
            for recipient in pending:
                data = outgoing[recipient][1].as_bytes(policy=SMTP_POLICY)
                outcome = down
                if outcome is None:
                    try:
                        # Connect before marking anyone: a setting to fix (DeliveryError) leaves no trace.
                        session.open()
                    except _Unreachable as exc:
                        # Everyone else in this round would wait for the same timeout; they share the answer.
                        outcome = down = Outcome("temporary", None, str(exc))
                if outcome is None:
                    if record:
                        record(recipient, "sending", attempt=True)
                    outcome = session.send(recipient, data)
                attempt = down is not None  # not counted yet: no 'sending' mark was made
                if outcome.status == "sent":
                    if record:
                        record(recipient, "sent", outcome)
                    log.info("delivered to %s: %s", recipient, outcome.answer)
                    delivered.append(recipient)
                    failed.pop(recipient, None)
                    continue
                if record:
                    record(recipient, "failed" if outcome.status == "permanent" else "deferred", outcome, attempt)
                log.warning("%s failure for %s: %s", outcome.status, recipient, outcome.answer)
                failed[recipient] = outcome.answer if outcome.status == "permanent" else f"temporary: {outcome.answer}"
                if outcome.status == "temporary" and round_number <= smtp.retries:
                    again.append(recipient)
            if again:
                delay = smtp.retry_delay * 2 ** (round_number - 1)
                log.info("retrying %d recipient(s) in %.1f s", len(again), delay)
                session.close()
                sleep(delay)
            pending = again
    finally:
        session.close()
    return tuple(delivered), tuple(failed.items())
