"""The errors a user can fix. The command line turns each into a one-line message and exit code 1."""
from __future__ import annotations


class BriefingError(Exception):
    """Something the user can fix; the message says what and how."""

    hint: str = ""

    def message(self) -> str:
        """The one-line message shown to the user, with the hint on what to do."""
        text = str(self)
        return f"{text} ({self.hint})" if self.hint else text


class ConfigError(BriefingError):
    """The config file or an environment variable holds a value that cannot be used."""

    hint = "check the config file (briefing.py init writes a starter one)"


class InputError(BriefingError):
    """A feed or an article file cannot be read; the run skips it and goes on."""


class FeedError(InputError):
    """A feed could not be fetched or parsed."""


class StoreError(BriefingError):
    """The database cannot be opened or written."""

    hint = "check BRIEFING_HOME points at a writable folder"


class BusyError(BriefingError):
    """Another briefing job holds the lock on this data directory."""

    hint = "wait for it to finish and try again"


class DeliveryError(BriefingError):
    """The mail server refused or could not be reached."""

    hint = "check the smtp settings (BRIEFING_SMTP_HOST, BRIEFING_SMTP_PORT, BRIEFING_SMTP_TLS, BRIEFING_SMTP_USER)"
