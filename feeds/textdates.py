"""Publication times written in page text ("Published 24 June 2025", "June 2, 2025 3:12 PM GMT").

Only what the page states is a publication time: a timestamp line near the top, or a
wire dateline ("KYIV, May 16 (Reuters) -"). A dateline without a year takes its year from
a full date elsewhere on the page; with none, the page has no date (the caller falls back
on the file's time and says so). A date inside a sentence of the story is a fact of the
story ("talks on June 1, 2022 failed"), not when it was published, and is never used.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from dateutil import parser as dateparser

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_ZONE = (r"(?:(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?|BST|CET|CEST|EST|EDT|PST|PDT|CST|CDT|MST|MDT|IST|SGT|JST"
         r"|KST|AEST|AEDT|MSK|EET|EEST|[+-]\d{2}:?\d{2})")
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
          "EST": -18000, "EDT": -14400, "PST": -28800, "PDT": -25200, "CST": -21600, "CDT": -18000,
          "MST": -25200, "MDT": -21600, "IST": 19800, "SGT": 28800, "JST": 32400, "KST": 32400,
          "AEST": 36000, "AEDT": 39600, "MSK": 10800, "EET": 7200, "EEST": 10800}


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
    """The publication time stated on a timestamp line or in a dateline near the top of a page."""
    return _timestamp_line(lines, head) or dateline_time(lines, head)


def time_near(lines: list[str], start: int, before: int = 20, after: int = 12) -> datetime | None:
    """The publication time stated nearest to where the article starts (line ``start``).

    On a saved page the article's timestamp sits beside its headline and byline, which
    may come after a long menu; dates further away belong to something else (teasers of
    older stories, comments, the footer), so the nearest timestamp line wins.
    """
    low, high = max(0, start - before), min(len(lines), start + after)
    for index in sorted(range(low, high), key=lambda i: (abs(i - start), i > start)):
        found = _timestamp_line([lines[index]], 1)
        if found is not None:
            return found
    window = lines[low:high]
    return dateline_time(window, len(window))


# Words that sit on a timestamp line beside the date: "By Jane Roe | Reuters | 3 min read".
_BYLINE = re.compile(r"^(?:by\s+[\w.'’@ -]{2,60}?|\d+\s+min(?:ute)?s?\s+read|(?:last\s+|first\s+)?(?:updated|published"
                     r"|posted|modified)(?:\s+on|\s+at)?|\d+\s+(?:hours?|minutes?|days?)\s+ago|\d{1,2}:\d{2}\s*[ap]\.?m\.?"
                     r"(?:\s+[A-Z]{2,4})?)$", re.IGNORECASE)


_CLOCKS = re.compile(rf"\(?@?{_CLOCK}\)?", re.IGNORECASE)


def _timestamp_line(lines: list[str], head: int) -> datetime | None:
    for line in lines[:head]:
        line = line.strip()
        if not line or len(line) > _MAX_LINE:
            continue
        match = _DATE.search(line)
        if not match:
            continue
        # The line must be a timestamp, not a headline that happens to hold a date; a
        # byline, "Updated", a second date or clock or "3 min read" beside the date does
        # not count against it.
        rest = _CLOCKS.sub(" ", _DATE.sub(" ", line)).strip(" |·-–—,:")
        words = [part for part in re.split(r"\s*[|·•/]\s*|\s+[-–—]+\s+", rest)
                 if part.strip() and not _BYLINE.match(part.strip(" ,:"))]
        if len(" ".join(words).split()) > 5:
            continue
        moment = parse_datetime(match.group("date"))
        if moment is not None and 1990 <= moment.year <= 2100:
            return moment
    return None


# A dateline opens the first paragraph: a place in capitals, an optional date, and the
# agency in brackets or a dash: "KYIV, May 16 (Reuters) -", "PARIS, 3 June 2025 (AFP) -",
# "WASHINGTON, June 2, 2025 -".
_DATELINE = re.compile(
    rf"^[A-Z][A-Z .'’/-]{{1,40}},\s+(?P<date>(?:{_WEEKDAY})?(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})"
    rf"(?:,?\s+(?P<year>\d{{4}}))?)\s*(?:\([^)]{{2,40}}\)\s*)?[-–—]")
_ANY_FULL_DATE = re.compile(
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(\d{{4}})|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})"
    rf"|\b(\d{{4}})-\d{{2}}-\d{{2}}\b)", re.IGNORECASE)


def dateline_time(lines: list[str], head: int = 25) -> datetime | None:
    """The date of a wire dateline near the top ("KYIV, May 16 (Reuters) -").

    A dateline without a year gets the year of a full date written elsewhere on the page
    (the one putting the dateline nearest that date); without one the date is unknown.
    """
    for line in lines[:head]:
        match = _DATELINE.match(line.strip())
        if not match:
            continue
        if match.group("year"):
            return parse_datetime(match.group("date"))
        return _with_year(match.group("date"), lines)
    return None


def _with_year(month_day: str, lines: list[str]) -> datetime | None:
    years = []
    for line in lines:
        for found in _ANY_FULL_DATE.finditer(line):
            year = int(next(g for g in found.groups() if g))
            whole = parse_datetime(found.group(0))
            if 1990 <= year <= 2100 and whole is not None:
                years.append(whole)
    best: datetime | None = None
    for anchor in years:
        for year in (anchor.year - 1, anchor.year, anchor.year + 1):
            candidate = parse_datetime(f"{month_day} {year}")
            if candidate is None:
                continue
            gap = abs((candidate - anchor).total_seconds())
            # Within two months of a date the page states: the same news cycle.
            if gap <= 62 * 86400 and (best is None or gap < abs((best - anchor).total_seconds())):
                best = candidate
    return best


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|-|$)")


def url_date(url: str | None) -> datetime | None:
    """The date in an article URL's path ("/2025/06/24/ceasefire"), at midnight UTC."""
    if not url:
        return None
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=timezone.utc)
    except ValueError:
        return None
