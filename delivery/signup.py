"""Subscribing and unsubscribing on the site (``briefing.py serve``): the logic and its small pages.

* ``/subscribe``: a form; posting an address records it as ``pending`` and mails a
  confirmation link, signed and good for ``[subscribers] confirm_hours`` (double opt-in:
  nobody is sent the briefing because someone else typed their address). The answer is
  the same whether or not the address was known, so the form tells nobody who subscribes.
  At most one confirmation email per address in ``RESEND_AFTER`` seconds.
* ``/confirm?t=TOKEN``: a GET shows a button, its POST activates the subscription.
* ``/unsubscribe?id=TOKEN``: the RFC 8058 one-click POST (body
  ``List-Unsubscribe=One-Click``) unsubscribes and answers 200 with no page; a GET shows a
  page with a button, because mail scanners follow links: a GET alone never unsubscribes.

A forged or altered token changes nothing and gets a 400 page.
"""
from __future__ import annotations

import html
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from core.errors import BriefingError
from core.options import Options
from delivery import subscribers, tokens
from delivery.message import MESSAGE_POLICY, as_bytes, domain_of
from delivery.recipients import check_mailbox, sender_address
from delivery.send import _check_settings, base_url, open_record
from delivery.smtp import SmtpSession, Unreachable

log = logging.getLogger(__name__)

RESEND_AFTER = 600  # seconds between two confirmation emails to one address
ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class Page:
    """An answer for the web server: status, body, content type."""

    status: int
    body: bytes
    kind: str = "text/html; charset=utf-8"


def _page(title: str, *paragraphs: str, form: str = "", status: int = 200) -> Page:
    """A small page in the site's style; every text is escaped here."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    text = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/style.css"></head>'
            f'<body><main class="page"><h1>{html.escape(title)}</h1>{body}{form}'
            f'<p><a href="/">Back to the archive</a></p></main></body></html>')
    return Page(status, text.encode("utf-8"))


def _button(label: str, fields: dict[str, str] | None = None) -> str:
    # No action: the form posts to the page's own URL, query (the token) included.
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in (fields or {}).items())
    return f'<form method="post">{hidden}<button type="submit">{html.escape(label)}</button></form>'


class Signup:
    """The subscription pages of one data directory, for the web server's threads."""

    def __init__(self, options: Options, own_url: str = "") -> None:
        self.options = options
        self.own_url = own_url.rstrip("/")
        self.title = options.briefing.title
        self.lock = threading.Lock()  # one writer at a time from this process

    def _conn(self):
        return open_record(self.options)

    def _key(self, conn) -> bytes:
        return tokens.secret_key(self.options.home, conn)

    # -- subscribe ----------------------------------------------------------------------

    def form(self, message: str = "", status: int = 200) -> Page:
        """The subscribe form."""
        form = ('<form method="post" class="subscribe"><label>Email address '
                '<input type="email" name="email" required autocomplete="email"></label> '
                '<button type="submit">Subscribe</button></form>')
        lines = [message] if message else [f"Receive {self.title} by email every morning. "
                                           "We send a link to confirm first."]
        return _page(f"Subscribe to {self.title}", *lines, form=form, status=status)

    def ask(self, text: str) -> Page:
        """A subscription asked for with the form: record it as pending and mail the confirmation link."""
        try:
            _name, address = check_mailbox(text[:320], "the form")
        except BriefingError:
            return self.form(f"{text[:80]!r} is not an email address; please check it.", status=400)
        with self.lock:
            conn = self._conn()
            try:
                before = subscribers.request(conn, address, "asked on the site (subscribe form)")
                if before == "active":
                    return self._check_inbox()
                last = subscribers.note_confirmation_sent(conn, address)
                key = self._key(conn)
            finally:
                conn.close()
        if last and datetime.fromisoformat(last) > datetime.now(timezone.utc) - timedelta(seconds=RESEND_AFTER):
            log.info("confirmation to %s sent less than %d s ago; not again", address, RESEND_AFTER)
            return self._check_inbox()
        token = tokens.confirm_token(key, address, self.options.subscribers.confirm_hours)
        try:
            self._mail_confirmation(address, f"{self._base()}/confirm?t={token}")
        except (BriefingError, Unreachable) as exc:
            log.warning("cannot send the confirmation to %s: %s", address, exc)
            return _page("Please try again later", "We could not send the confirmation email just now.", status=503)
        return self._check_inbox()

    def _check_inbox(self) -> Page:
        return _page("Check your inbox", "If the address can subscribe, an email with a link to confirm is on "
                     f"its way. The link works for {self.options.subscribers.confirm_hours:g} hours.")

    def _base(self) -> str:
        return base_url(self.options) or self.own_url

    def _mail_confirmation(self, address: str, link: str) -> None:
        smtp = self.options.smtp
        _check_settings(self.options, need_server=True)
        sender = sender_address(smtp)
        msg = EmailMessage(policy=MESSAGE_POLICY)
        msg["From"] = smtp.sender
        msg["To"] = address
        msg["Subject"] = f"Confirm your subscription to {self.title}"
        msg["Date"] = format_datetime(datetime.now(timezone.utc))
        msg["Message-ID"] = make_msgid(domain=domain_of(smtp.sender))
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(
            f"Someone, probably you, asked to receive {self.title} by email at {address}.\n\n"
            f"To confirm, open this link and press the button:\n{link}\n\n"
            f"The link works for {self.options.subscribers.confirm_hours:g} hours. If you did not ask, "
            "ignore this email: nothing will be sent to you.\n", charset="utf-8", cte="quoted-printable")
        session = SmtpSession(smtp, sender)
        try:
            session.open()
            outcome = session.send(address, as_bytes(msg))
        finally:
            session.close()
        if outcome.status != "sent":
            raise Unreachable(outcome.answer)
        log.info("confirmation link sent to %s", address)

    def confirm_page(self, token: str) -> Page:
        """GET of a confirmation link: a button (a mail scanner's GET confirms nothing)."""
        with self.lock:
            conn = self._conn()
            try:
                address, why = tokens.confirmed_address(self._key(conn), token)
            finally:
                conn.close()
        if address is None:
            return _page("This link does not work", why, status=400)
        return _page(f"Confirm your subscription to {self.title}", f"Send {self.title} to {address} every morning?",
                     form=_button("Confirm my subscription"))

    def confirm(self, token: str) -> Page:
        """POST of a confirmation link: the subscription becomes active."""
        with self.lock:
            conn = self._conn()
            try:
                address, why = tokens.confirmed_address(self._key(conn), token)
                if address is None:
                    return _page("This link does not work", why, status=400)
                done = subscribers.confirm(conn, address, "confirmed the link from the confirmation email")
                state = subscribers.get(conn, address)
            finally:
                conn.close()
        if done or (state is not None and state.state == "active"):
            return _page("You are subscribed", f"{address} will receive {self.title} from the next one on.")
        return _page("This link is no longer needed", "The subscription it confirms was withdrawn since; "
                     "subscribe again if you wish.", status=409)

    # -- unsubscribe ----------------------------------------------------------------------

    def _owner(self, conn, token: str) -> str | None:
        key = self._key(conn)
        return tokens.recipient_of_token(key, token, (s.address for s in subscribers.listing(conn)))

    def unsubscribe_page(self, token: str) -> Page:
        """GET of an unsubscribe link: a page with a button; unsubscribes nobody."""
        with self.lock:
            conn = self._conn()
            try:
                address = self._owner(conn, token)
            finally:
                conn.close()
        if address is None:
            return _page("This link does not work", "This unsubscribe link is not one we sent.", status=400)
        return _page(f"Unsubscribe from {self.title}", f"Stop sending {self.title} to {address}?",
                     form=_button("Unsubscribe", {"confirm": "yes"}))

    def unsubscribe(self, token: str, body: str) -> Page:
        """POST of an unsubscribe link: one-click (RFC 8058) or the page's button."""
        with self.lock:
            conn = self._conn()
            try:
                address = self._owner(conn, token)
                if address is not None:
                    how = "one-click unsubscribe (RFC 8058)" if ONE_CLICK in body else "unsubscribe page"
                    subscribers.unsubscribe(conn, address, f"{how} on the site")
            finally:
                conn.close()
        if address is None:
            return _page("This link does not work", "This unsubscribe link is not one we sent.", status=400)
        if ONE_CLICK in body:
            return Page(200, b"", "text/plain; charset=utf-8")
        return _page("You are unsubscribed", f"{address} will not receive {self.title} any more.")

