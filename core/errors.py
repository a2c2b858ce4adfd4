"""The errors a user can fix. The command line turns each into a one-line message and an exit code.

Each class carries the hint that fits its kind of mistake: a flag points at ``--help``, a
setting at where it was set (the config file and line, or the environment variable), a
store problem at ``BRIEFING_HOME``. ``exit_code`` is 2 for a command line that is wrong
as typed (usage) and 1 for everything else that failed and was reported.
"""
from __future__ import annotations


class BriefingError(Exception):
    """Something the user can fix; the message says what and how."""

    hint: str = ""
    exit_code: int = 1

    def __init__(self, message: str = "", hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def message(self) -> str:
        """The one-line message shown to the user, with the hint on what to do."""
        text = " ".join(str(self).split())
        return f"{text} ({self.hint})" if self.hint else text


class UsageError(BriefingError):
    """A command-line argument or flag has a value the command cannot use (exit code 2)."""

    exit_code = 2
    hint = "see briefing.py --help"


class ConfigError(BriefingError):
    """A setting (config file, environment variable) holds a value that cannot be used.

    ``origin`` says where the value came from; the hint then says where to fix it.
    """

    # No hint by default: a message without an origin names the setting and what to set
    # (the mail settings' "set BRIEFING_SMTP_HOST ..."), and a blanket "check the config
    # file" misled when the value came from the environment or was a flag.
    hint = ""

    def __init__(self, message: str = "", hint: str | None = None, origin: "Origin | None" = None) -> None:
        super().__init__(message, hint)
        self.origin = origin
        if hint is None and origin is not None:
            self.hint = origin.hint()


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


class ArchiveError(BriefingError):
    """A briefing asked for is not in the archive, or the archive cannot be changed."""

    hint = "briefing.py archive list shows the archived dates"


class Origin:
    """Where a setting's value came from: a config file (and line), the environment, a flag."""

    def __init__(self, kind: str, name: str, path: object = None, line: int | None = None) -> None:
        self.kind, self.name, self.path, self.line = kind, name, path, line

    def __str__(self) -> str:
        if self.kind == "env":
            return f"environment variable {self.name}"
        if self.kind == "flag":
            return f"flag {self.name}"
        if self.kind == "file":
            at = f" line {self.line}" if self.line else ""
            return f"config file {self.path}{at}: {self.name}"
        return self.name

    def hint(self) -> str:
        """What to do about a bad value from here."""
        if self.kind == "env":
            return f"change or unset {self.name} in the environment"
        if self.kind == "flag":
            return f"see --help for {self.name}"
        if self.kind == "file":
            return "edit that line of the config file" if self.line else "edit the config file"
        return ""
