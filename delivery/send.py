"""Sending the day's briefing by SMTP: one message per recipient, each exactly once, to thousands.

Who: the active subscribers (``delivery.subscribers``), which include the addresses of
``BRIEFING_TO`` and the recipients file unless they unsubscribed, bounced or complained.

How fast: ``[smtp] connections`` connections in parallel (default 4), each carrying one
message after another (MAIL, RCPT, DATA; then the next), within ``messages_per_second``
across all of them when the provider sets a limit. The message is serialised once per
briefing and each recipient's copy is made by filling in its address, Message-ID and
unsubscribe token (``delivery.message.MessageTemplate``).

How "exactly once" holds up
---------------------------
Every recipient of every date has one row in the ``deliveries`` table. Just before the
final line of a message goes to the server (everything else of it already has, see
``delivery.smtp``) the row says ``handed``: the message is in the server's hands, its
answer not yet known. When the answer comes, before that connection sends anything
else, the row says ``sent`` (250), ``deferred`` (a 4xx answer, a dropped connection or
a timeout, after the retries) or ``failed`` (a 5xx answer), with the server's answer.
Neither commit waits for the disk (see ``open_record``).

A rerun of the same date skips every ``sent`` row and every ``failed`` one (a permanent
refusal is reported, not retried), so after a crash or a partial failure it sends only
to the recipients still missing. A row still ``handed`` means the process died between
handing the message over and hearing the answer: the server had all of it and, with
the sender gone, accepts it all the same (that is how SMTP servers work, RFC 1047). So it
counts as delivered, is not sent again, and the command says how many there were.

What remains: a kill in the microseconds between committing ``handed`` and writing the
final line leaves a recipient counted as delivered whom the server never accepted; a
server that refuses the message at its very end while the process is being killed is
counted as delivered too. Before, the window was the other way round and as long as the
server took to accept a message (milliseconds, with up to ``connections`` messages in
it): a second copy. A connection that drops after the final line with no answer, in a
live run, is retried like any dropped connection; a second copy then carries the same
Message-ID (one per briefing and recipient), which mail stores that deduplicate by
Message-ID show once.

A permanent refusal of the address itself (5xx at RCPT or after DATA, other than a policy,
system or content refusal) marks the subscriber ``bounced``: it is not sent to again
until it is added again.
"""
from __future__ import annotations

import logging
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from core import db
from core.errors import BriefingError, ConfigError
from core.options import Options
from delivery import message as messages
from delivery import subscribers, tokens
from delivery.recipients import sender_address
from delivery.record import open_record, recipients_of
from delivery.smtp import Outcome, check_smtp_settings
from delivery.workers import Progress, deliver

log = logging.getLogger(__name__)

QUIET_DAY = ("send", "skip")
# The statuses of a delivery that count as done: 'handed' is a message whose final line
# went to the server, whose answer never came because the process stopped.
DELIVERED = ("sent", "handed")

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
    left_out: tuple[str, ...] = ()  # configured, but unsubscribed, bounced or complained
    handed: tuple[str, ...] = ()  # among ``already``: handed over when a send stopped, answer never heard

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
        if self.left_out:
            line += f", not sent to {len(self.left_out)} (unsubscribed, bounced or complained)"
        line += f": {failures}" if failures else ""
        if self.handed:
            n = len(self.handed)
            line += (f"\n{n} message{'s were' if n != 1 else ' was'} handed over to the server when an earlier "
                     f"send stopped and {'their' if n != 1 else 'its'} answer never came: counted as sent, "
                     f"not sent again ({', '.join(self.handed[:3])}{', ...' if n > 3 else ''})")
        return line


# -- the record --------------------------------------------------------------------------

def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def deliveries(conn: sqlite3.Connection, date: str) -> dict[str, sqlite3.Row]:
    """The delivery rows of a date, by lower-case recipient."""
    return {row["recipient"].lower(): row for row in conn.execute("SELECT * FROM deliveries WHERE date = ?", (date,))}


def _mark(conn: sqlite3.Connection, date: str, recipient: str, message_id: str, status: str,
          outcome: Outcome | None = None, attempt: bool = False) -> None:
    conn.execute(
        "INSERT INTO deliveries (date, recipient, message_id, status, code, answer, attempts, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (date, recipient) DO UPDATE SET message_id = excluded.message_id, status = excluded.status,"
        " code = CASE WHEN excluded.status = 'handed' THEN NULL ELSE coalesce(excluded.code, code) END,"
        " answer = coalesce(excluded.answer, answer),"
        " attempts = attempts + excluded.attempts, updated = excluded.updated",
        (date, recipient, message_id, status, outcome.code if outcome else None,
         outcome.answer if outcome else None, 1 if attempt else 0, _stamp()))


def everyone_has(options: Options, date: str) -> bool:
    """True when every recipient has the briefing of ``date`` (used by the schedule)."""
    conn = open_record(options)
    try:
        recipients, _left_out = recipients_of(options, conn)
        done = deliveries(conn, date)
    finally:
        conn.close()
    return bool(recipients) and all(done.get(r.lower()) is not None and done[r.lower()]["status"] in DELIVERED
                                    for r in recipients)


def anyone_has(options: Options, date: str) -> bool:
    """True when at least one recipient was sent the briefing of ``date``."""
    conn = open_record(options)
    try:
        return conn.execute("SELECT 1 FROM deliveries WHERE date = ? AND status IN ('sent', 'handed') LIMIT 1",
                            (date,)).fetchone() is not None
    finally:
        conn.close()


_ENHANCED = re.compile(r"\b5\.(\d{1,3})\.\d{1,3}\b")


def refuses_the_address(outcome: Outcome) -> bool:
    """True when a permanent failure says the address itself is bad (so it should be suppressed).

    5xx answers whose enhanced status (RFC 3463) names the system (5.3), the protocol
    (5.5), the content (5.6) or a policy (5.7: relaying denied, a spam verdict, a missing
    login) are about this sender or this message, not the address: marking everyone
    bounced because the relay refused us would empty the list.
    """
    if outcome.status != "permanent" or outcome.code is None or not 500 <= outcome.code < 600:
        return False
    match = _ENHANCED.search(outcome.answer)
    return match is None or match.group(1) not in ("3", "5", "6", "7")


# -- putting it together -----------------------------------------------------------------

def _check_settings(options: Options, need_server: bool) -> None:
    smtp = options.smtp
    check_smtp_settings(smtp)
    if options.briefing.quiet_day not in QUIET_DAY:
        raise ConfigError(f"[briefing] quiet_day is {options.briefing.quiet_day!r}; use send or skip")
    if need_server and not smtp.host.strip():
        raise ConfigError("no mail server configured: set BRIEFING_SMTP_HOST (and BRIEFING_SMTP_PORT, "
                          "BRIEFING_SMTP_TLS) or [smtp] host; or use --dry-run DIR to write .eml files")


def _date_of(options: Options, date: str | None) -> str:
    if date is None:
        return datetime.now(ZoneInfo(options.briefing.timezone)).strftime("%Y-%m-%d")
    try:
        return Date.fromisoformat(date).isoformat()
    except ValueError:
        raise ConfigError(f"--date {date!r} is not a date in the form YYYY-MM-DD") from None


def base_url(options: Options) -> str:
    """The public address of the site, without a trailing slash ('' when none is set)."""
    base = options.briefing.base_url.strip().rstrip("/")
    if base and not re.match(r"^https?://[^/\s\"'<>]+[^\s\"'<>]*$", base):
        raise ConfigError(f"[briefing] base_url {base!r} must be an absolute http(s) address, "
                          "e.g. https://briefing.example.org")
    if len(base) > 700:
        # The List-Unsubscribe line must stay within RFC 5322's 998 characters.
        raise ConfigError(f"[briefing] base_url is {len(base)} characters long; at most 700 fit in a mail header")
    return base



def view_url(base: str, date: str) -> str:
    """The archive page of a briefing, as the 'view in browser' link points to it."""
    return f"{base}/briefings/{date}.html" if base else ""


def unsubscribe_url(base: str, token: str) -> str:
    """The one-click unsubscribe link of a token."""
    return f"{base}/unsubscribe?id={token}"


def story_urls(base: str, briefing) -> tuple[tuple[str, str], ...]:
    """Each story's permalink on the archive site, as (story id, URL); none without a base URL."""
    from archive.site import story_url

    return tuple((s.id, story_url(base, s.id, briefing.date)) for s in briefing.stories) if base else ()


def _render(briefing, options: Options, base: str, mailto: str):
    from templates.render import Links, render_email

    unsubscribe = unsubscribe_url(base, messages.TOKEN_PLACEHOLDER) if base.startswith("https://") else mailto
    email = render_email(briefing, options.briefing.timezone,
                         Links(view_url(base, briefing.date), unsubscribe, story_urls(base, briefing)))
    if not email.subject.strip() or not email.text.strip() or "<body" not in email.html:
        raise BriefingError(f"the email rendered for {briefing.date} is empty; not sending it")
    return email


def _write_eml(folder: Path, number: int, recipient: str, data: bytes, date: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9@._-]", "_", recipient)
    path = folder / f"{date}-{number:03d}-{name}.eml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"--dry-run {folder}: cannot write {path.name}: {exc.strerror or exc}") from None
    return path


def send_briefing(options: Options, date: str | None, to: str | None = None, dry_run: Path | None = None,
                  *, retry_refused: bool = False, sleep: Callable[[float], None] = time.sleep,
                  progress: Progress | None = None) -> SendResult:
    """Send the archived briefing of ``date`` (default today) to every recipient who has not had it.

    ``to`` sends one test copy to that address instead, recording nothing; ``dry_run``
    writes the messages as .eml files into that folder instead of sending. Temporary
    failures are retried ``options.smtp.retries`` times with doubling delays; permanent
    ones are recorded and not retried, not even by a rerun unless ``retry_refused``.
    ``progress(done, total)`` is called as recipients are finished with.
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
    from delivery.signing import signer as dkim_signer
    signer = dkim_signer(smtp, options.home)  # a bad key stops here, before anything is written or sent
    base = base_url(options)
    list_id = messages.list_id_header(smtp.list_id, briefing.title, smtp.sender)
    mailto = messages.unsubscribe_mailto(smtp.unsubscribe_mailto, smtp.sender)
    email = _render(briefing, options, base, mailto)
    sent_at = datetime.now(timezone.utc)

    conn = open_record(options)
    try:
        if to:
            recipients, left_out = (check_address(to, "--to"),), ()
        else:
            recipients, left_out = recipients_of(options, conn)
        if not recipients:
            raise ConfigError("no recipients: set BRIEFING_TO (addresses separated by commas or semicolons) or "
                              "[smtp] to or [smtp] recipients_file, or add subscribers with "
                              "`briefing.py subscribers add ADDRESS`"
                              + (f" ({len(left_out)} configured address(es) unsubscribed or bounced)" if left_out else ""))
        key = tokens.secret_key(options.home, conn) if base.startswith("https://") else b""
        done = {} if to else deliveries(conn, date)
        already = tuple(r for r in recipients
                        if done.get(r.lower()) is not None and done[r.lower()]["status"] in DELIVERED)
        handed = tuple(r for r in already if done[r.lower()]["status"] == "handed")
        refused = tuple((r, f"refused earlier, not retried: {done[r.lower()]['answer']}") for r in recipients
                        if not retry_refused and done.get(r.lower()) is not None and done[r.lower()]["status"] == "failed")
        skip = {r for r in already} | {r for r, _ in refused}
        pending = [r for r in recipients if r not in skip]

        template = messages.MessageTemplate(email, smtp.sender, list_id, mailto,
                                            unsubscribe_url(base, "") if key else "", sent_at,
                                            subject_prefix="[test] " if to else "",
                                            sign=signer.header if signer else None)
        # Subscribers' display names, for the To: header ('"Smith, Ann" <ann@example.org>').
        names = {s.address.lower(): s.name for s in subscribers.listing(conn, "active") if s.name}
        copy_id = messages.copy_message_id(date, smtp.sender, secrets.token_hex(6)) if to else ""

        def message_id(recipient: str) -> str:
            return copy_id or messages.message_id(date, recipient, smtp.sender, list_id)

        def token(recipient: str) -> str:
            return tokens.unsubscribe_token(key, recipient) if key else ""

        def make(recipient: str, eightbit: bool) -> messages.Wire:
            return template.wire(recipient, message_id(recipient), token(recipient), eightbit,
                                 names.get(recipient.lower(), ""))

        if dry_run is not None:
            def eml(recipient: str) -> bytes:
                return template.for_recipient(recipient, message_id(recipient), token(recipient), eightbit=True,
                                              name=names.get(recipient.lower(), ""))

            written = tuple(_write_eml(Path(dry_run), n, r, eml(r), date) for n, r in enumerate(pending, start=1))
            return SendResult(date, already=already, written=written, dry_run=Path(dry_run), test_copy=to or "",
                              left_out=left_out, handed=handed)

        lock = threading.Lock()
        record_conn = open_record(options, threads=True)

        def record(recipient: str, status: str, outcome: Outcome | None) -> None:
            # One connection and a lock for all sending threads: a Python lock hands over at
            # once, where SQLite's own busy wait sleeps, and the 'handed' row is committed
            # while the message waits for its final line.
            with lock:
                if outcome is None:  # 'handed': an attempt, its answer not known yet
                    _mark(record_conn, date, recipient, message_id(recipient), status,
                          Outcome(status, None, "handed over to the server; no answer yet"), attempt=True)
                    return
                # An attempt that got as far as 'handed' was counted then.
                _mark(record_conn, date, recipient, message_id(recipient), status, outcome,
                      attempt=not outcome.handed)
                if status == "failed" and refuses_the_address(outcome):
                    subscribers.bounce(record_conn, recipient, "hard",
                                       f"refused while sending {date}: {outcome.answer}",
                                       options.subscribers.soft_bounce_limit)

        try:
            delivered, failed = deliver(smtp, sender, pending, make, None if to else record, sleep, progress)
        finally:
            record_conn.close()
        return SendResult(date, delivered=delivered, already=already, failed=refused + failed,
                          test_copy=to or "", left_out=left_out, handed=handed)
    finally:
        conn.close()
