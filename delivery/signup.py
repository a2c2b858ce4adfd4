"""Subscribing and unsubscribing on the site (``briefing.py serve``): the logic and its small pages.

* ``/subscribe``: a form; posting an address records the request (``delivery.optin``:
  an unknown address becomes ``pending``, one that unsubscribed, bounced or complained
  stays so) and a background thread mails a confirmation link, good for
  ``[subscribers] confirm_hours`` (double opt-in: nobody is sent the briefing because
  someone else typed their address). The answer is the same, in wording and in time,
  whether or not the address was known and whether or not the mail server is up.
  Limits: ``[serve] subscribe_per_client`` posts per client address and
  ``subscribe_per_address`` per mailbox an hour (a 429 page past them), one email per
  address per 10 minutes, and the form must come from this site (a signed form token,
  and a browser's ``Origin`` must be the site's own).
* ``/confirm?t=TOKEN``: a GET shows a button, its POST activates the subscription.
* ``/unsubscribe?id=TOKEN``: the RFC 8058 one-click POST (body
  ``List-Unsubscribe=One-Click``) unsubscribes and answers 200 with no page; a GET shows a
  page with a button, because mail scanners follow links: a GET alone never unsubscribes.

Tokens are found by index (``delivery.optin``, ``delivery.tokens.unsubscribe_owner``).
A forged or altered token changes nothing and gets a 400 page.
"""
from __future__ import annotations

import html
import logging
import threading
import time
from dataclasses import dataclass

from core.errors import BriefingError
from core.options import Options
from delivery import optin, subscribers, tokens
from delivery.confirmations import ConfirmationMailer, check_mail_settings
from delivery.ratelimit import RateLimit, mailbox_key
from delivery.recipients import check_public_address
from delivery.send import base_url, open_record

log = logging.getLogger(__name__)

ONE_CLICK = "List-Unsubscribe=One-Click"
EXPIRE_EVERY = 60.0  # seconds between two sweeps of expired requests


@dataclass(frozen=True)
class Page:
    """An answer for the web server: status, body, content type."""

    status: int
    body: bytes
    kind: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def _page(title: str, *paragraphs: str, form: str = "", status: int = 200,
          headers: tuple[tuple[str, str], ...] = ()) -> Page:
    """A small page in the site's style; every text is escaped here."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    text = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/style.css"></head>'
            f'<body><main class="page"><h1>{html.escape(title)}</h1>{body}{form}'
            f'<p><a href="/">Back to the archive</a></p></main></body></html>')
    return Page(status, text.encode("utf-8"), headers=headers)


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
        self.local = threading.local()  # one store connection per server thread
        conn = self._conn()
        self.key = tokens.secret_key(options.home, conn)
        optin.expire(conn, options.subscribers.pending_days)
        self.last_sweep = time.monotonic()
        serve = options.serve
        self.per_client = RateLimit(serve.subscribe_per_client)
        self.per_mailbox = RateLimit(serve.subscribe_per_address)
        self.mailer = ConfirmationMailer(options, lambda: open_record(options))

    def _conn(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = open_record(self.options)
        return conn

    # -- subscribe ----------------------------------------------------------------------

    def form(self, message: str = "", status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Page:
        """The subscribe form, with a fresh anti-forgery token."""
        form = ('<form method="post" class="subscribe">'
                f'<input type="hidden" name="csrf" value="{html.escape(tokens.form_token(self.key))}">'
                '<label>Email address <input type="email" name="email" required autocomplete="email" '
                'maxlength="254"></label> <button type="submit">Subscribe</button></form>')
        lines = [message] if message else [f"Receive {self.title} by email every morning. "
                                           "We send a link to confirm first."]
        return _page(f"Subscribe to {self.title}", *lines, form=form, status=status, headers=headers)

    def ask(self, text: str, form_token: str = "", client: str = "", same_origin: bool = True) -> Page:
        """A subscription asked for with the form: record it and queue the confirmation email.

        ``client`` is the address the request came from (for its rate limit);
        ``same_origin`` is False when the browser said the form was sent from another site.
        """
        wait = self.per_client.hit(client)
        if wait:
            return self._too_many(wait)
        if not same_origin or not tokens.form_token_ok(self.key, form_token):
            return self.form("This form was not sent from this site's subscribe page, or that page is more than "
                             f"{tokens.FORM_TOKEN_HOURS} hours old; please send it again from here.", status=403)
        try:
            check_mail_settings(self.options)
        except BriefingError as exc:
            log.warning("subscribe form: %s", exc.message())
            return _page("Please try again later", "Subscriptions cannot be taken just now.", status=503)
        try:
            address = check_public_address(text, "the form")
        except BriefingError:
            return self.form(f"{text[:80]!r} is not an email address; please check it.", status=400)
        wait = self.per_mailbox.hit(mailbox_key(address))
        if wait:
            return self._too_many(wait)
        conn = self._conn()
        if time.monotonic() - self.last_sweep > EXPIRE_EVERY:
            self.last_sweep = time.monotonic()
            optin.expire(conn, self.options.subscribers.pending_days)
        asked = optin.ask(conn, address, self.options.subscribers.confirm_hours)
        if asked.token:
            self.mailer.submit(address, f"{self._base()}/confirm?t={asked.token}", asked.token)
        return self._check_inbox()

    def _too_many(self, wait: int) -> Page:
        minutes = max(1, round(wait / 60))
        return _page("Too many requests", "This form was sent too often from here or for this address. "
                     f"Please try again in {minutes} minute{'s' if minutes != 1 else ''}.", status=429,
                     headers=(("Retry-After", str(wait)),))

    def _check_inbox(self) -> Page:
        return _page("Check your inbox", "If the address can subscribe, an email with a link to confirm is on "
                     f"its way. The link works for {self.options.subscribers.confirm_hours:g} hours.")

    def _base(self) -> str:
        return base_url(self.options) or self.own_url

    def confirm_page(self, token: str) -> Page:
        """GET of a confirmation link: a button (a mail scanner's GET confirms nothing)."""
        address, why = optin.lookup(self._conn(), token, self.key)
        if address is None:
            return _page("This link does not work", why, status=400)
        return _page(f"Confirm your subscription to {self.title}", f"Send {self.title} to {address} every morning?",
                     form=_button("Confirm my subscription"))

    def confirm(self, token: str) -> Page:
        """POST of a confirmation link: the subscription becomes active."""
        address, why = optin.confirm(self._conn(), token, self.key)
        if address is None:
            return _page("This link does not work", why, status=400)
        return _page("You are subscribed", f"{address} will receive {self.title} from the next one on.")

    # -- unsubscribe ----------------------------------------------------------------------

    def unsubscribe_page(self, token: str) -> Page:
        """GET of an unsubscribe link: a page with a button; unsubscribes nobody."""
        address = tokens.unsubscribe_owner(self._conn(), self.key, token)
        if address is None:
            return _page("This link does not work", "This unsubscribe link is not one we sent.", status=400)
        return _page(f"Unsubscribe from {self.title}", f"Stop sending {self.title} to {address}?",
                     form=_button("Unsubscribe", {"confirm": "yes"}))

    def unsubscribe(self, token: str, body: str) -> Page:
        """POST of an unsubscribe link: one-click (RFC 8058) or the page's button."""
        conn = self._conn()
        address = tokens.unsubscribe_owner(conn, self.key, token)
        if address is None:
            return _page("This link does not work", "This unsubscribe link is not one we sent.", status=400)
        how = "one-click unsubscribe (RFC 8058)" if ONE_CLICK in body else "unsubscribe page"
        subscribers.unsubscribe(conn, address, f"{how} on the site")
        if ONE_CLICK in body:
            return Page(200, b"", "text/plain; charset=utf-8")
        return _page("You are unsubscribed", f"{address} will not receive {self.title} any more.")
