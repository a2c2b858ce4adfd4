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
    recipients_file: str = ""
    timeout: float = 30.0
    retries: int = 3
    retry_delay: float = 2.0
    list_id: str = "Diplomacy briefing <briefing.localhost>"
    unsubscribe_mailto: str = ""


@dataclass(frozen=True)
class ScheduleOptions:
    """The ``[schedule]`` section: when the daily job runs."""

    time: str = "07:00"
    timezone: str = "UTC"
    catch_up: bool = True
