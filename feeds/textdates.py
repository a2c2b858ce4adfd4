"""Publication times written in page text ("Published 24 June 2025", "June 2, 2025 3:12 PM GMT")."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from dateutil import parser as dateparser

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_ZONE = r"(?:(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?|BST|CET|CEST|EST|EDT|PST|PDT|[+-]\d{2}:?\d{2})"
_CLOCK = rf"\d{{1,2}}[:.]\d{{2}}(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*{_ZONE})?"
_TIME = rf"(?:,?\s*(?:at\s+)?{_CLOCK})?"
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+"
_DATE = re.compile(
    rf"(?P<date>(?:{_CLOCK},?\s+)?(?:{_WEEKDAY})?(?:"
    rf"\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}{_TIME}"
    r"))", re.IGNORECASE)

# A timestamp line is short and mostly the date: "Updated 3:12 PM GMT, June 24, 2025",
# "Published 24 June 2025". A date inside a sentence of the article ("talks on June 1,
# 2022 failed") is a fact of the story, not its publication time, so long lines are skipped.
_MAX_LINE = 80
_ZONES = {"GMT": 0, "UTC": 0, "BST": 3600, "CET": 3600, "CEST": 7200,
          "EST": -18000, "EDT": -14400, "PST": -28800, "PDT": -25200}


def parse_datetime(text: str) -> datetime | None:
    """Parse one date or date-time string; naive results are taken as UTC."""
    # "19.10 BST" is how some sites write 19:10.
    text = re.sub(r"\b(\d{1,2})\.(\d{2})\b", r"\1:\2", text)
    # "GMT+2" means two hours ahead of GMT as news sites write it (POSIX reads it the other way).
    text = re.sub(r"(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?\b",
                  lambda m: f"{m[1]}{int(m[2]):02d}:{m[3] or '00'}", text)
    try:
        moment = dateparser.parse(text, tzinfos=_ZONES, fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def find_publication_time(lines: list[str], head: int = 25) -> datetime | None:
    """The publication time stated on a timestamp line near the top of a page, if any."""
    for line in lines[:head]:
        line = line.strip()
        if not line or len(line) > _MAX_LINE:
            continue
        match = _DATE.search(line)
        if not match:
            continue
        rest = (line[:match.start()] + line[match.end():]).strip(" |·-–—,:")
        # The line must be a timestamp, not a headline that happens to hold a date.
        if len(rest.split()) > 5:
            continue
        moment = parse_datetime(match.group("date"))
        if moment is not None and 1990 <= moment.year <= 2100:
            return moment
    return None
