"""Command-line values checked where they enter: dates, windows, folders, numbers, feed addresses.

Each check returns the value ready to use or raises ``UsageError`` (exit code 2) naming the
flag, what is wrong and what would be valid. Range checks that depend on the settings
(tomorrow in the configured time zone) take the options.
"""
from __future__ import annotations

import math
import os
from datetime import date as Date, datetime, timedelta, timezone
from pathlib import Path

from core.errors import ConfigError, UsageError

# A briefing's date must be a day news feeds could cover: from the web's early news sites to
# tomorrow (a reader east of the configured zone is already there). Outside, --force.
EARLIEST = Date(1995, 1, 1)
# Beyond these nothing is computed even with --force (date arithmetic would overflow).
HARD_EARLIEST, HARD_LATEST = Date(1900, 1, 1), Date(9000, 12, 31)
# --since: a window longer than a month is a typo (1e9, inf), unless forced; ten years at most.
MAX_SINCE_HOURS = 24 * 31
HARD_MAX_SINCE_HOURS = 24 * 366 * 10


def today(options) -> Date:
    """Today in the configured time zone."""
    from zoneinfo import ZoneInfo
    return datetime.now(timezone.utc).astimezone(ZoneInfo(options.briefing.timezone)).date()


def date(value: str | None, flag: str, options=None, force: bool = False) -> str | None:
    """A YYYY-MM-DD flag: exactly that form, a real day; with ``options``, also a sensible one.

    Sensible is from EARLIEST to tomorrow in the configured time zone; ``force`` widens
    that to what can be computed at all.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError(text)
        day = Date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} {value!r} is not a date in the form YYYY-MM-DD, e.g. 2025-06-24",
                         hint=f"see --help for {flag}") from None
    if not HARD_EARLIEST <= day <= HARD_LATEST:
        raise UsageError(f"{flag} {text} is out of range: give a date from {HARD_EARLIEST} to {HARD_LATEST}",
                         hint=f"see --help for {flag}")
    if options is not None and not force:
        tomorrow = today(options) + timedelta(days=1)
        if day > tomorrow:
            raise UsageError(f"{flag} {text} is in the future: a briefing can be built for dates up to "
                             f"tomorrow ({tomorrow}); no news is published for it yet",
                             hint="add --force if you really mean it")
        if day < EARLIEST:
            raise UsageError(f"{flag} {text} is before {EARLIEST}: there are no news feeds from then",
                             hint="add --force if you really mean it")
    return text


def since(value: str | None, force: bool) -> float | None:
    """--since HOURS: a positive, finite number of hours; over a month only with ``force``."""
    if value is None:
        return None
    try:
        hours = float(value.strip())
    except ValueError:
        raise UsageError(f"--since {value!r} is not a number of hours, e.g. --since 24", hint="see --help for --since")
    if not math.isfinite(hours) or hours <= 0:
        raise UsageError(f"--since {value!r}: give a positive, finite number of hours, e.g. --since 24",
                         hint="see --help for --since")
    if hours > HARD_MAX_SINCE_HOURS:
        raise UsageError(f"--since {value}: a window of more than {HARD_MAX_SINCE_HOURS} hours (ten years) "
                         "cannot be used", hint="see --help for --since")
    if hours > MAX_SINCE_HOURS and not force:
        raise UsageError(f"--since {value}: a window of {hours:g} hours is more than a month "
                         f"({MAX_SINCE_HOURS} hours)", hint="add --force if you really mean it")
    return hours


def folder(path: str | None, flag: str) -> Path | None:
    """A folder to write into: an existing folder, or one that can be created."""
    if path is None:
        return None
    if not str(path).strip():  # an empty value would mean the current folder
        raise UsageError(f"{flag} is empty; give a folder to write into", hint=f"see --help for {flag}")
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path} is a file; give a folder to write into", hint=f"see --help for {flag}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{flag} {path}: cannot create the folder ({getattr(exc, 'strerror', None) or exc})",
                         hint="give a folder you can write to") from None
    if not os.access(path, os.W_OK):
        raise UsageError(f"{flag} {path}: the folder is not writable", hint="give a folder you can write to")
    return path


def whole_number(value: str, flag: str, low: int, high: int) -> int:
    """A whole-number flag from ``low`` to ``high``."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise UsageError(f"{flag} {value!r} is not valid: give a whole number from {low} to {high}",
                         hint=f"see --help for {flag}")
    return number


def feed_address(url: str) -> str:
    """A feed URL argument made ready to fetch (``feed://`` converted), or a usage error."""
    from feeds.feedlist import feed_url
    try:
        return feed_url(url)
    except ConfigError as exc:
        raise UsageError(f"URL: {exc}", hint="give the feed's http(s) address, e.g. https://example.org/feed.xml") \
            from None
