"""The confirmation email of the subscribe form, sent by a background thread.

The form answers at once, the same for every address, and the email goes afterwards:
so the answer's wording and timing tell nobody whether an address was known, or whether
the mail server is up. A temporary failure (no connection, a 4xx answer) is retried
``[smtp] retries`` times, ``retry_delay`` seconds apart and doubling; an email that
still cannot be sent is forgotten (``optin.not_mailed``), so that asking again sends a
new one instead of saying "check your inbox" over nothing.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from core.errors import BriefingError, ConfigError
from core.options import Options
from delivery import optin
from delivery.message import MESSAGE_POLICY, as_bytes, domain_of
from delivery.recipients import sender_address
from delivery.signing import signer
from delivery.smtp import SmtpSession, Unreachable, check_smtp_settings

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000  # emails waiting at most; past that a request is answered but its email dropped (and forgotten)


def check_mail_settings(options: Options) -> None:
    """ConfigError, worded for ``serve``, when the confirmation emails cannot be sent at all."""
    smtp = options.smtp
    if not smtp.host.strip():
        raise ConfigError("the subscribe form needs a mail server to send its confirmation links: set "
                          "BRIEFING_SMTP_HOST (and BRIEFING_SMTP_PORT, BRIEFING_SMTP_TLS) or [smtp] host")
    check_smtp_settings(smtp)
    sender_address(smtp)


def confirmation_message(options: Options, address: str, link: str) -> bytes:
    """The confirmation email to ``address`` with its ``link``, as bytes with CRLF line ends."""
    smtp, title = options.smtp, options.briefing.title
    hours = options.subscribers.confirm_hours
    msg = EmailMessage(policy=MESSAGE_POLICY)
    msg["From"] = smtp.sender
    msg["To"] = address
    msg["Subject"] = f"Confirm your subscription to {title}"
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain=domain_of(smtp.sender))
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"Someone, probably you, asked to receive {title} by email at {address}.\n\n"
        f"To confirm, open this link and press the button:\n{link}\n\n"
        f"The link works for {hours:g} hours. If you did not ask, ignore this email: nothing will be "
        "sent to you.\n", charset="utf-8", cte="quoted-printable")
    return as_bytes(msg)


class ConfirmationMailer:
    """One thread sending the queued confirmation emails, one at a time, retrying temporary failures."""

    def __init__(self, options: Options, open_store: Callable, sleep: Callable[[float], None] = time.sleep) -> None:
        self.options = options
        # Signed like the briefings when DKIM is set up: a confirmation is the message most likely
        # to be taken for spam. A key that cannot be used stops `serve` here, before any mail.
        self.signer = signer(options.smtp, options.home)
        self.open_store = open_store  # () -> a new connection to the store
        self.sleep = sleep
        self.jobs: queue.Queue = queue.Queue(QUEUE_SIZE)
        self.thread = threading.Thread(target=self._run, name="confirmation-mail", daemon=True)
        self.thread.start()

    def submit(self, address: str, link: str, token: str) -> None:
        """Queue one confirmation email; returns at once."""
        try:
            self.jobs.put_nowait((address, link, token))
        except queue.Full:
            log.warning("too many confirmation emails waiting; not sending one to %s", address)
            self._forget(token)

    def idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued email was dealt with (for tests and shutdown); True when it was."""
        deadline = time.monotonic() + timeout
        while self.jobs.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self.jobs.unfinished_tasks

    def close(self, timeout: float = 10.0) -> None:
        """Send what is queued, then stop the thread."""
        self.jobs.put(None)
        self.thread.join(timeout)

    def _run(self) -> None:
        conn = None  # the thread's one connection to the store, opened at its first email
        try:
            while True:
                job = self.jobs.get()
                if job is None:
                    self.jobs.task_done()
                    return
                address, link, token = job
                try:
                    sent = self._send(address, link)
                    conn = conn or self.open_store()
                    (optin.mailed if sent else optin.not_mailed)(conn, token)
                except Exception:  # noqa: BLE001 - the thread must live on; the request is simply not mailed
                    log.exception("confirmation email to %s", address)
                    if conn is not None:  # a connection that failed is not trusted again
                        conn.close()
                        conn = None
                finally:
                    self.jobs.task_done()
        finally:
            if conn is not None:
                conn.close()

    def _send(self, address: str, link: str) -> bool:
        smtp = self.options.smtp
        delay = smtp.retry_delay
        for attempt in range(smtp.retries + 1):
            if attempt:
                self.sleep(delay)
                delay *= 2
            try:
                check_mail_settings(self.options)
                data = confirmation_message(self.options, address, link)
                if self.signer:
                    data = self.signer.sign(data)
                session = SmtpSession(smtp, sender_address(smtp))
                try:
                    session.open()
                    outcome = session.send(address, data)
                finally:
                    session.close()
            except BriefingError as exc:
                log.warning("cannot send the confirmation to %s: %s", address, exc.message())
                return False
            except (Unreachable, OSError) as exc:
                log.warning("confirmation to %s, attempt %d: %s", address, attempt + 1, exc)
                continue
            if outcome.status == "sent":
                log.info("confirmation link sent to %s", address)
                return True
            log.warning("confirmation to %s, attempt %d: %s", address, attempt + 1, outcome.answer)
            if outcome.status == "permanent":
                return False
        return False

    def _forget(self, token: str) -> None:
        conn = self.open_store()
        try:
            optin.not_mailed(conn, token)
        finally:
            conn.close()
