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
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th)?|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_BREAK = "\x00"
_OPENERS = re.compile(r"^[\s\"'“‘`(\[\-–—•*]+")


def sentences(text: str) -> list[str]:
    """The text cut at sentence ends and line breaks (headlines and bullets are lines)."""
    return [s for s in _SENTENCE_END.split(text) if s and not s.isspace()]


def _tokens(sentence: str) -> list[str]:
    """Words and numbers of a sentence, a possessive ending dropped ("Obama's" -> "Obama").

    A token that punctuation separates from the one before it starts with ``_BREAK`` so
    that "Istanbul, Russian President" does not read as one name.
    """
    sentence = _OPENERS.sub("", sentence)
    out, end = [], 0
    for match in _TOKEN.finditer(sentence):
        token = _POSSESSIVE.sub("", match.group())
        gap = sentence[end:match.start()]
        end = match.end()
        if out and gap.strip() and gap.strip() not in ("-", "'s", "’s", "'", "’", "."):
            out.append(_BREAK)
        out.append(token)
    return out


def _name_stem(lower: str) -> str:
    """The first letters of a name word, so that spellings and forms of one name meet.

    Why: transliterations differ by outlet (Zelensky, Zelenskiy, Zelenskyy) and a country
    comes as a noun or an adjective (Ukraine, Ukrainian); six letters keep them together
    while different names rarely share their first six.
    """
    return lower[:6]


def _is_capitalised(token: str) -> bool:
    return token[0].isupper() and not token[0].isdigit()


def _figure(token: str) -> str | None:
    """A number as a particular: thousands separators and ordinal endings dropped."""
    if not token[0].isdigit():
        return None
    digits = re.sub(r"(st|nd|rd|th)$", "", token)
    if re.fullmatch(r"\d{1,3}(,\d{3})+", digits):
        digits = digits.replace(",", "")
    return digits


def particulars(title: str, text: str, published: datetime | None = None,
                published_from: str = "metadata") -> Counter[str]:
    """Counts of the particulars of one article, as prefixed terms.

    ``n:`` a name word (its first letters, see ``_name_stem``), ``nn:`` two name words
    in a row, ``#`` a figure, ``d:`` a date
    (``d:2025-05-16``, ``d:05-16`` without a year, ``d:sunday`` when the article's own
    date is unknown).
    """
    lines = [title] if title else []
    body = sentences(text)
    # Which words the text capitalises inside a sentence: only those count as names where
    # capitals say nothing (first word of a sentence, headline case, ALL-CAPS datelines).
    inner: set[str] = set()
    tokenised: list[list[str]] = []
    for sentence in body:
        tokens = _tokens(sentence)
        tokenised.append(tokens)
        shouting = sum(t.isupper() and len(t) > 1 for t in tokens) > len(tokens) / 2
        if shouting:
            continue
        for token in tokens[1:]:
            if _is_capitalised(token) and token.lower() not in _NOT_NAMES:
                inner.add(token.lower())
    headline = [_tokens(line) for line in lines]

    dated = published is not None and published_from not in _UNDATED
    counts: Counter[str] = Counter()
    for index, tokens in enumerate(headline + tokenised):
        run: list[str] = []
        is_headline = index < len(headline)
        for position, token in enumerate(tokens + [""]):
            lower = token.lower()
            name = (bool(token) and _is_capitalised(token) and lower not in _NOT_NAMES
                    and lower not in _MONTHS and lower not in _WEEKDAYS
                    and (lower in inner or (position > 0 and not is_headline and not token.isupper())))
            if name:
                stem = _name_stem(lower)
                if run:
                    counts["nn:" + run[-1] + "_" + stem] += 1
                run.append(stem)
                counts["n:" + stem] += 1
                continue
            run = []
            if not token:
                break
            if token == _BREAK:
                continue
            figure = _figure(token)
            if figure is not None:
                counts["#" + figure] += 1
                continue
            date = _date(tokens, position, lower, published if dated else None)
            if date:
                counts["d:" + date] += 1
    return counts


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


def _date(tokens: list[str], position: int, lower: str, published: datetime | None) -> str | None:
    """The date a token names, if it names one (a month with a day, a weekday, yesterday)."""
    if lower in _MONTHS and (lower != "may" or tokens[position][0] == "M"):
        month = _MONTHS[lower]
        for near in (position + 1, position - 1):
            if 0 <= near < len(tokens) and tokens[near][:1].isdigit():
                day = int(re.sub(r"\D.*$", "", tokens[near]) or 0)
                if 1 <= day <= 31:
                    return _with_year(month, day, published)
        return None
    if lower in _WEEKDAYS:
        if published is None:
            return lower
        # The latest such weekday up to the publication day: news reports what happened.
        back = (published.weekday() - _WEEKDAYS[lower]) % 7
        return (published - timedelta(days=back)).date().isoformat()
    if lower in _RELATIVE and published is not None:
        return (published - timedelta(days=_RELATIVE[lower])).date().isoformat()
    return None
