"""One email message per recipient, built from a rendered briefing. Pure: no I/O.

The message is multipart/alternative (plain text first, HTML last, as RFC 2046 orders
them from plainest to richest), UTF-8 and quoted-printable throughout, with the headers
mailbox providers look for in a list mail: List-Id, List-Unsubscribe and, when a public
https address exists, List-Unsubscribe-Post for one-click unsubscribe (RFC 8058).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from templates.render import RenderedEmail

# Stands in for the per-recipient unsubscribe token while the briefing is rendered once
# for everybody; replaced in each copy. Rendering the 20-story email through MJML takes
# about 0.1 s, which would add up over a few hundred recipients.
TOKEN_PLACEHOLDER = "00unsubscribetoken00"


@dataclass(frozen=True)
class Addressing:
    """Who a message is from and to, and the list headers that go with it."""

    sender: str  # as configured, possibly with a display name: 'Briefing <me@example.org>'
    recipient: str  # a bare address
    message_id: str
    list_id: str
    unsubscribe_mailto: str  # 'mailto:...' or ''
    unsubscribe_url: str = ""  # 'https://.../unsubscribe?id=...' or ''


def domain_of(address: str) -> str:
    """The domain of an address, lower-case ('briefing.localhost' when there is none)."""
    _name, bare = parseaddr(address)
    domain = bare.rpartition("@")[2].strip().lower()
    return domain or "briefing.localhost"


def message_id(date: str, recipient: str, sender: str, list_id: str = "") -> str:
    """The Message-ID of one briefing to one recipient: the same on every attempt and rerun.

    Because a resend after an uncertain outcome (a crash or a dropped connection right
    after the message was handed over) carries the same Message-ID, mail stores that
    deduplicate by Message-ID, Gmail among them, show the briefing once.
    """
    digest = hashlib.sha256(f"{date}\0{recipient.lower()}\0{list_id}".encode("utf-8")).hexdigest()[:24]
    return f"<briefing.{date}.{digest}@{domain_of(sender)}>"


def copy_message_id(date: str, sender: str, nonce: str) -> str:
    """A fresh Message-ID for a test copy.

    Never the real one: a recipient's server that deduplicates would otherwise drop the
    real briefing later as a copy of the test.
    """
    return f"<briefing.{date}.test.{nonce}@{domain_of(sender)}>"


def list_id_header(configured: str, title: str, sender: str) -> str:
    """The List-Id: as configured, else '<title> <briefing.<sender domain>>' (RFC 2919)."""
    if configured.strip():
        return one_line(configured)
    # A bare phrase: without the specials that would need quoting, since a quoted string
    # may not hold the encoded words a non-ASCII title becomes (RFC 2047, section 5).
    name = one_line(re.sub(r'[()<>\[\]:;@\\,."]', " ", title)) or "Briefing"
    return f"{name} <briefing.{domain_of(sender)}>"


def unsubscribe_mailto(configured: str, sender: str) -> str:
    """The mailto: unsubscribe link: to the configured address or the sender, subject 'unsubscribe'."""
    _name, bare = parseaddr(configured or sender)
    if not bare:
        return ""
    return f"mailto:{quote(bare, safe='@+.-_')}?subject=unsubscribe"


def one_line(text: str) -> str:
    """Header-safe text: line breaks and runs of spaces become one space."""
    return re.sub(r"\s+", " ", text).strip()


def personalize(email: RenderedEmail, token: str) -> RenderedEmail:
    """The email with the recipient's unsubscribe token in place of ``TOKEN_PLACEHOLDER``."""
    if TOKEN_PLACEHOLDER not in email.html and TOKEN_PLACEHOLDER not in email.text:
        return email
    return RenderedEmail(email.subject, email.preheader, email.html.replace(TOKEN_PLACEHOLDER, token),
                         email.text.replace(TOKEN_PLACEHOLDER, token))


def build_message(email: RenderedEmail, addressing: Addressing, sent: datetime,
                  subject_prefix: str = "") -> EmailMessage:
    """The message to one recipient: multipart/alternative text + HTML, UTF-8, with list headers."""
    msg = EmailMessage(policy=SMTP)
    display, bare = parseaddr(addressing.sender)
    user, _, domain = bare.rpartition("@")
    msg["From"] = Address(display_name=one_line(display), username=user, domain=domain)
    msg["To"] = addressing.recipient
    msg["Subject"] = one_line(subject_prefix + email.subject)
    msg["Date"] = format_datetime(sent.astimezone(timezone.utc))
    msg["Message-ID"] = addressing.message_id
    msg["List-Id"] = addressing.list_id
    # mailto first, as in RFC 8058's example: it is short enough to stay on the header's
    # first line, so the long https link is what gets folded onto the next one.
    links = [f"<{link}>" for link in (addressing.unsubscribe_mailto, addressing.unsubscribe_url) if link]
    if links:
        msg["List-Unsubscribe"] = ", ".join(links)
    if addressing.unsubscribe_url.startswith("https://"):
        # RFC 8058: the receiver may POST 'List-Unsubscribe=One-Click' to the https link.
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Keeps vacation and out-of-office responders from answering every morning (RFC 3834).
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(email.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg
