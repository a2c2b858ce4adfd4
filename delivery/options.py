"""Settings for sending the briefing by email, for subscribers and for the daily schedule."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SmtpOptions:
    """The ``[smtp]`` section; each field can be set as ``BRIEFING_SMTP_<FIELD>``.

    ``password`` is kept out of ``repr`` so that it never reaches a log line or a traceback.
    """

    host: str = ""
    port: int = 587
    tls: str = "starttls"  # none | starttls | ssl
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""  # also BRIEFING_FROM
    # Also BRIEFING_TO: addresses separated by commas or semicolons, display names allowed
    # ('"Smith, Ann" <ann@example.org>; bob@example.org').
    to: tuple[str, ...] = ()
    recipients_file: str = ""  # one address per line, '#' comments; relative to BRIEFING_HOME
    timeout: float = 30.0  # seconds for connecting and for each answer of the server
    retries: int = 3  # further attempts after a temporary failure (4xx, dropped connection, timeout)
    retry_delay: float = 2.0  # seconds before the first retry; doubled before each next one
    # The List-Id header; empty means '<title> <briefing.<domain of the sender>>'.
    list_id: str = ""
    # Where unsubscribe requests are mailed (List-Unsubscribe mailto); empty means the sender.
    unsubscribe_mailto: str = ""
    # A PEM file of the certificate authorities to trust for the server's certificate (a
    # private CA); empty means the system's store (which honours SSL_CERT_FILE).
    ca_file: str = ""
    connections: int = 4  # SMTP connections used in parallel; each carries many messages
    messages_per_second: float = 0.0  # a provider's sending limit across all connections; 0 = none
    messages_per_connection: int = 0  # a new connection after this many messages (a provider's limit); 0 = none
    # DKIM (RFC 6376): sign every message with the private key in this PEM file (relative to
    # BRIEFING_HOME), published in DNS as <dkim_selector>._domainkey.<dkim_domain>. All three
    # or none; see the README's "DKIM" section for the TXT record.
    dkim_selector: str = ""
    dkim_domain: str = ""
    dkim_key_file: str = ""


@dataclass(frozen=True)
class SubscriberOptions:
    """The ``[subscribers]`` section: double opt-in and bounce handling."""

    confirm_hours: float = 72.0  # how long the link in a confirmation email works
    pending_days: float = 7.0  # an unconfirmed (pending) address is forgotten after this many days
    soft_bounce_limit: int = 3  # temporary bounce reports (mailbox full...) before an address is suppressed


@dataclass(frozen=True)
class ScheduleOptions:
    """The ``[schedule]`` section: when the daily job runs."""

    time: str = "07:00"  # local wall-clock time, HH:MM
    timezone: str = ""  # an IANA zone such as "Europe/London"; empty means the [briefing] timezone
    catch_up: bool = True  # on start, run once if today's time has passed and today's run was missed
