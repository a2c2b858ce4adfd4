"""An article's event particulars: who, where, when and how many, apart from the topic's words.

Two reports of one event share its particulars (the people, organisations, countries and
places named, the dates and days it happened on, its figures), while two events of one
topic (two rounds of talks, two earthquakes, two arrests) share the topic's vocabulary
but differ in them. Grouping compares articles on both (see ``summarize.group``).

Everything here works offline on the text alone:

- **Names** are capitalised words inside a sentence (a capitalised first word of a
  sentence or a headline word counts only when the text also capitalises it inside a
  sentence), runs of them ("Hugh Jackman") counted as one more particular.
- **Figures** are numbers as written ("6.1", "100,000", "81st" -> 81).
- **Dates** are a month with its day ("February 22", "22 Feb"), and days of the week and
  "yesterday"/"today" resolved against the publication time when that time is known
  (an article's own date, not the moment we fetched it), so that Monday's report of a call
  "on Sunday" and Tuesday's report of the same call "on Sunday" name the same day.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime, timedelta

log = logging.getLogger(__name__)

_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_WEEKDAYS = {name: number for number, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_RELATIVE = {"today": 0, "tonight": 0, "yesterday": 1}

# Capitalised words that start a clause or address a reader but name nobody; a name
# must not be built from them even inside a sentence ("But", "I", "Mr").
_NOT_NAMES = frozenset("""
a an the and or but if so as at by for from in into of on to with without this that these those
it its he she we they i you his her our their my your there here then when where while what which who
whom whose why how after before during since until also however meanwhile yet still not no yes
mr mrs ms dr sir st mt
""".split())

# Published times that are only the moment we read the article say nothing about which
# day "Monday" was; those articles keep the weekday's name instead.
_UNDATED = frozenset({"fetched", "file-mtime"})

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+|\s+-{2,}\s+|\s+[•▪·]\s+")


def sentences(text: str) -> list[str]:
    """The text cut at sentence ends and line breaks (headlines and bullets are lines)."""
    return [s for s in _SENTENCE_END.split(text) if s and not s.isspace()]


def _name_stem(lower: str) -> str:
    """The first letters of a name word, so that spellings and forms of one name meet.

    Why: transliterations differ by outlet (Zelensky, Zelenskiy, Zelenskyy) and a country
    comes as a noun or an adjective (Ukraine, Ukrainian); six letters keep them together
    while different names rarely share their first six.
    """
    return lower[:6]


_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")


def _figure(digits: str) -> str:
    """A number as a particular: thousands separators dropped."""
    if "," in digits and _THOUSANDS.fullmatch(digits):
        digits = digits.replace(",", "")
    return digits


_CAPITAL = r"[A-Z\u00C0-\u00DE][^\W\d_]*"
# A capitalised word after a lower-case word, a figure, a comma, a colon, a bracket or a
# quote and a space: inside a sentence.
_INNER = re.compile(r"(?<=[a-z0-9,;:()`'\"“\-\u00DF-\u00FF] )" + _CAPITAL)
_CAPITALS = re.compile(r"\b" + _CAPITAL)
# Two capitalised words separated by one space (overlapping: "Vladimir Putin", "Putin Said").
_PAIRS = re.compile(r"\b(" + _CAPITAL + r")(?:['’]s)? (?=(" + _CAPITAL + r"))")
_FIGURES = re.compile(r"\b\d+(?:[.,]\d+)*")
# The lookahead (every alternative starts with one of these letters or a digit) lets the
# engine skip most positions before trying thirty words: half the time. The pattern is
# run over the lower-cased text (a third faster than ignoring case while matching).
_DAYS_PATTERN = (r"(?=[jfmasondtwy\d])(?:"
                 r"\b(january|february|march|april|may|june|july|august|september|october|november|"
                 r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.? (\d{1,2})\b|"
                 r"\b(\d{1,2}) (january|february|march|april|may|june|july|august|september|october|"
                 r"november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b|"
                 r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|yesterday)\b)")
_DAYS = re.compile(_DAYS_PATTERN)
# For the rare text whose lower-case form is longer (a dotted capital I): positions would shift.
_DAYS_ANY_CASE = re.compile(_DAYS_PATTERN, re.IGNORECASE)


def particulars(title: str, text: str, published: datetime | None = None,
                published_from: str = "metadata") -> Counter[str]:
    """Counts of the particulars of one article, as prefixed terms.

    ``n:`` a name word (its first letters, see ``_name_stem``), ``nn:`` two name words
    in a row, ``#`` a figure, ``d:`` a date (``d:2025-05-16``, ``d:05-16`` without a
    year, ``d:sunday`` when the article's own date is unknown).

    Regular expressions over the whole text, not a loop over words: this runs on every
    article of the day (50,000 articles of 400 words each in the growth benchmark).
    """
    whole = f"{title}\n{text}" if title else text
    # Which words the text capitalises inside a sentence: only those count as names where
    # capitals say nothing (first word of a sentence, headline case, ALL-CAPS datelines).
    inner = set(map(str.lower, _INNER.findall(text))) - _NOT_NAMES - _MONTHS.keys() - _WEEKDAYS.keys()
    # A plain dict with get, not Counter's +=: a missing key calls Counter.__missing__, a
    # Python method, for every new term. Counted first, filtered per distinct word: most
    # words recur, and Counter counts in C.
    counts: dict[str, float] = {}
    get = counts.get
    for word, count in Counter(map(str.lower, _CAPITALS.findall(whole))).items():
        if word in inner:
            key = "n:" + _name_stem(word)
            counts[key] = get(key, 0) + count
    for (first, second), count in Counter(_PAIRS.findall(whole)).items():
        one, two = first.lower(), second.lower()
        if one in inner and two in inner:
            key = "nn:" + _name_stem(one) + "_" + _name_stem(two)
            counts[key] = get(key, 0) + count
    for figure, count in Counter(_FIGURES.findall(whole)).items():
        key = "#" + _figure(figure)
        counts[key] = get(key, 0) + count
    _count_days(whole, published, published_from, counts)
    return Counter(counts)


def named_days(title: str, text: str, published: datetime | None = None,
               published_from: str = "metadata") -> Counter[str]:
    """Only the ``d:`` particulars of ``particulars``, in the same order and counts."""
    counts: dict[str, float] = {}
    _count_days(f"{title}\n{text}" if title else text, published, published_from, counts)
    return Counter(counts)


def _count_days(whole: str, published: datetime | None, published_from: str,
                counts: dict[str, float]) -> None:
    """Add the days ``whole`` names to ``counts`` as ``d:`` terms (see ``particulars``)."""
    get = counts.get
    when = published if published is not None and published_from not in _UNDATED else None
    lower = whole.lower()
    matches = _DAYS.finditer(lower) if len(lower) == len(whole) else _DAYS_ANY_CASE.finditer(whole)
    named: dict[tuple, str | None] = {}
    for match in matches:
        groups = match.groups()
        # "May" is a month only when capitalised (else the verb): the one place case matters.
        month = 1 if groups[0] is not None else 4 if groups[3] is not None else 0
        capital = bool(month) and whole[match.start(month)].isupper()
        key = (groups, capital)
        # One article names the same few days again and again ("on Monday").
        if key in named:
            date = named[key]
        else:
            date = named[key] = _named_day(groups, capital, when)
        if date:
            key_ = "d:" + date
            counts[key_] = get(key_, 0) + 1


def _named_day(groups: tuple, capital: bool, published: datetime | None) -> str | None:
    """The date a ``_DAYS`` match names (its groups; ``capital``: the month is capitalised):
    a month with its day, a weekday, today or yesterday."""
    month_first, day_first, after, month_after, relative = groups
    if month_first or month_after:
        month = month_first or month_after
        if month.lower() == "may" and not capital:
            return None  # the verb
        day = int(day_first or after)
        if not 1 <= day <= 31:
            return None
        return _with_year(_MONTHS[month.lower()], day, published)
    lower = relative.lower()
    if lower in _WEEKDAYS:
        if published is None:
            return lower
        # The latest such weekday up to the publication day: news reports what happened.
        back = (published.weekday() - _WEEKDAYS[lower]) % 7
        return (published - timedelta(days=back)).date().isoformat()
    if published is not None:
        return (published - timedelta(days=_RELATIVE[lower])).date().isoformat()
    return None


def _with_year(month: int, day: int, published: datetime | None) -> str:
    """``MM-DD``, or the ISO date nearest before (or just after) the publication day."""
    if published is None:
        return f"{month:02d}-{day:02d}"
    for year in (published.year, published.year - 1):
        try:
            when = published.replace(year=year, month=month, day=day)
        except ValueError:
            return f"{month:02d}-{day:02d}"
        # A date up to two months ahead is an announced event; further ahead, last year's.
        if when - published <= timedelta(days=62):
            return when.date().isoformat()
    return f"{month:02d}-{day:02d}"
