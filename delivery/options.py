"""Settings for sending the briefing by email and for the daily schedule."""
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
    to: tuple[str, ...] = ()  # also BRIEFING_TO, comma-separated
    recipients_file: str = ""  # one address per line, '#' comments; relative to BRIEFING_HOME
    timeout: float = 30.0  # seconds for connecting and for each answer of the server
    retries: int = 3  # further attempts after a temporary failure (4xx, dropped connection, timeout)
    retry_delay: float = 2.0  # seconds before the first retry; doubled before each next one
    # The List-Id header; empty means '<title> <briefing.<domain of the sender>>'.
    list_id: str = ""
    # Where unsubscribe requests are mailed (List-Unsubscribe mailto); empty means the sender.
    unsubscribe_mailto: str = ""


@dataclass(frozen=True)
class ScheduleOptions:
    """The ``[schedule]`` section: when the daily job runs."""

    time: str = "07:00"  # local wall-clock time, HH:MM
    timezone: str = ""  # an IANA zone such as "Europe/London"; empty means the [briefing] timezone
    catch_up: bool = True  # on start, run once if today's time has passed and today's run was missed
