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
import sys
import zlib
from bisect import bisect_left
from collections import Counter
from datetime import datetime, timedelta
from operator import itemgetter
from typing import NamedTuple

from summarize import textvec

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


# Whether a separator between two words ends a sentence (``_SENTENCE_END``), for the
# separators seen: a few dozen short ones (", ", ". ", ".\n\n") make up nearly all.
_ENDS_SENTENCE: dict[str, bool] = {}


def _ends_sentence(sep: str) -> bool:
    """Whether ``sep``, the text between two words, ends a sentence (one space never does)."""
    found = _ENDS_SENTENCE.get(sep)
    if found is None:
        found = sep != " " and _SENTENCE_END.search(sep) is not None
        if len(sep) <= 8 and len(_ENDS_SENTENCE) < 4096:
            _ENDS_SENTENCE[sep] = found
    return found


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


# Word tokens (letters and digits) and what lies between them: one pass of one compiled
# pattern per text gives everything the particulars need. Five patterns over the text (names,
# names inside a sentence, pairs of names, figures, days) took twice as long, and reading
# articles is half of grouping a big day.
_SPLIT = re.compile(f"({textvec.WORD.pattern})")
_SPLIT_PLAIN = re.compile(r"(\w+)")
# A capital as a name starts with one (the Latin ones: other scripts capitalise too rarely
# for the inside-a-sentence test to say much), then letters.
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "".join(map(chr, range(0xC0, 0xDF))))
_MARKED = re.compile(r"[A-Z\u00C0-\u00DE\d]")  # a name or a figure begins with these
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
# What may stand before the space in front of a capitalised word inside a sentence: a
# lower-case letter, a figure, a comma, a colon, a bracket, a quote or a dash.
_BEFORE_INNER = frozenset("abcdefghijklmnopqrstuvwxyz0123456789,;:()`'\"“-" + "".join(map(chr, range(0xDF, 0x100))))
_DAY_WORDS = frozenset(_WEEKDAYS) | frozenset(_RELATIVE)
_DATE_WORDS = _DAY_WORDS | frozenset(_MONTHS)


class Words(NamedTuple):
    """A text as word tokens: ``words`` as written, ``lower`` lower-cased, and ``seps``
    the text between them (``seps[i]`` comes before ``words[i]``; one more at the end)."""

    words: list[str]
    lower: list[str]
    seps: list[str]


def split_words(text: str) -> Words:
    """``text`` as ``Words``; its words are ``textvec.words(text)``."""
    # Without an underscore, word characters (\w) are the words' letters and digits, and
    # the plain class is matched faster than "word characters but not _".
    parts = (_SPLIT if "_" in text else _SPLIT_PLAIN).split(text)
    words = parts[1::2]
    return Words(words, list(map(str.lower, words)), parts[0::2])


def split_article(title: str, text: str) -> tuple[Words, int]:
    """The headline and the text split as one (a line break between them), and the number
    of the headline's words: they come first."""
    if not title:
        return split_words(text), 0
    return split_words(f"{title}\n{text}"), len(_SPLIT.findall(title))


def particulars(title: str, text: str, published: datetime | None = None,
                published_from: str = "metadata") -> Counter[str]:
    """Counts of the particulars of one article, as prefixed terms.

    ``n:`` a name word (its first letters, see ``_name_stem``), ``nn:`` two name words
    in a row, ``#`` a figure, ``d:`` a date (``d:2025-05-16``, ``d:05-16`` without a
    year, ``d:sunday`` when the article's own date is unknown).
    """
    return read_particulars(*split_article(title, text), published, published_from)[0]


def read_particulars(whole: Words, offset: int, published: datetime | None = None,
                     published_from: str = "metadata") -> tuple[Counter[str], Counter[str]]:
    """The particulars of an article (see ``particulars``) and, apart, what its lead names:
    the days named in the headline and the first two sentences (at most 800 characters),
    and as ``l:`` terms the names (first letters, as ``n:``) in the headline and the first
    two sentences of five words or more (see ``_name_lead_end``): who the report is about;
    ``h:`` a fingerprint of those sentences' words.

    ``whole`` and ``offset``: the article as ``split_article`` gives it.
    """
    words, lower, seps = whole
    # Which words the text capitalises inside a sentence: only those count as names where
    # capitals say nothing (first word of a sentence, headline case, ALL-CAPS datelines).
    # Words that begin with a capital or a digit, found by one pattern over the first
    # letters (a test of each word in Python took three times as long).
    marked = [m.start() for m in _MARKED.finditer("".join(map(itemgetter(0), words)))]
    # One pass over them: the name-like words (their indices, lower-cased), the figures,
    # the words the text capitalises inside a sentence (``inner``) and the pairs of names:
    # two name-like words with one space between them ("Vladimir Putin", also "Putin's
    # Kremlin"), overlapping (the second of a pair may begin the next), the first with no
    # figure glued to it. Passes of their own over the names took longer.
    cap_index: list[int] = []
    cap_lower: list[str] = []
    figures: list[int] = []
    pairs: list[tuple[str, str]] = []
    inner = set()
    add = inner.add
    before, before_lower, before_whole = -3, "", False  # the name-like word before
    for i in marked:
        sep = seps[i]
        if sep[-1:] == "_":
            continue  # no word boundary before it (an underscore is a word character)
        word = words[i]
        if word[0] in _UPPER:
            if word.isalpha():
                capital, whole_word = lower[i], True
            else:  # "A320": the letters before the figure
                letters = _LETTERS.match(word).group()
                capital, whole_word = letters.lower(), len(letters) == len(word)
            cap_index.append(i)
            cap_lower.append(capital)
            if sep == " ":
                if i > offset and words[i - 1][-1] in _BEFORE_INNER:
                    add(capital)
                if before_whole and (i == before + 1 or i == before + 2 and words[before + 1] == "s"
                                     and (seps[before + 1] == "'" or seps[before + 1] == "’")):
                    pairs.append((before_lower, capital))
            elif i >= offset and len(sep) > 1 and sep[-1] == " " and sep[-2] in _BEFORE_INNER:
                add(capital)  # headline words (before ``offset``) are no evidence
            before, before_lower, before_whole = i, capital, whole_word
        else:
            figures.append(i)
    inner -= _NOT_NAMES
    inner -= _MONTHS.keys()
    inner -= _WEEKDAYS.keys()
    # A plain dict with get, not Counter's +=: a missing key calls Counter.__missing__, a
    # Python method, for every new term. Counted first, filtered per distinct word: most
    # words recur, and Counter counts in C.
    counts: dict[str, float] = {}
    get = counts.get
    for word, count in Counter(cap_lower).items():
        if word in inner:
            key = "n:" + _name_stem(word)
            counts[key] = get(key, 0) + count
    for (one, two), count in Counter(pairs).items():
        if one in inner and two in inner:
            key = "nn:" + _name_stem(one) + "_" + _name_stem(two)
            counts[key] = get(key, 0) + count
    for figure, count in Counter(_figures(words, seps, figures)).items():
        key = "#" + _figure(figure)
        counts[key] = get(key, 0) + count
    when = published if published is not None and published_from not in _UNDATED else None
    lead_end = _lead_end(words, seps, offset)
    lead: dict[str, float] = {}
    for end, date in _dates(words, lower, seps, when):
        if date:
            key = "d:" + date
            counts[key] = get(key, 0) + 1
            if end <= lead_end:
                lead[key] = lead.get(key, 0) + 1
    name_end = _name_lead_end(words, seps, offset)
    # The lead's own words, as a fingerprint: wire copies printed by many outlets (with
    # their own headlines) share it, and count once as evidence of whom an event is about.
    lead["h:%08x" % zlib.crc32(" ".join(lower[offset:name_end]).encode("utf-8", "surrogatepass"))] = 1
    for capital in cap_lower[:bisect_left(cap_index, name_end)]:
        if capital in inner:
            # One string per name for all articles read in one process (a day's readings
            # are held together while grouping).
            key = sys.intern("l:" + _name_stem(capital))
            lead[key] = lead.get(key, 0) + 1
    return Counter(counts), Counter(lead)


def _figures(words: list[str], seps: list[str], starts: list[int]) -> list[str]:
    """Numbers as written ("6.1", "100,000"), from the words at ``starts`` that begin with a digit."""
    found = []
    last = len(words) - 1
    taken = -1
    for i in starts:
        if i <= taken:
            continue  # the decimals or thousands of the number before
        word = words[i]
        number = word if word.isdecimal() else _DIGITS.match(word).group()
        whole = len(number) == len(word)
        # "6.1", "100,000": a point or a comma between digits, and the digits after it
        while whole and i < last and (seps[i + 1] == "." or seps[i + 1] == ",") and words[i + 1][0].isdecimal():
            nxt = words[i + 1]
            part = nxt if nxt.isdecimal() else _DIGITS.match(nxt).group()
            number += seps[i + 1] + part
            whole = len(part) == len(nxt)
            i += 1
        taken = i
        found.append(number)
    return found


def _lead_end(words: list[str], seps: list[str], offset: int) -> int:
    """The index after the last word of the lead: the text's words (from ``offset``) in its
    first two sentences and its first 800 characters."""
    if offset == len(words):
        return offset
    # The text's own characters: the separator before its first word holds the headline's end.
    first = seps[offset]
    position, ends = len(first) - first.find("\n") - 1 if offset else len(first), 0
    for i in range(offset, len(words)):
        if i > offset:
            sep = seps[i]
            if sep != " " and _ends_sentence(sep):  # one space ends no sentence
                ends += 1
                if ends == 2:
                    return i
            position += len(sep)
        position += len(words[i])
        if position > 800:
            return i  # this word is cut off (or beyond)
    return len(words)


def _name_lead_end(words: list[str], seps: list[str], offset: int) -> int:
    """The index after the last word of the lead in which names are read: the text's first
    two sentences of five words or more, and no more than 60 words.

    Why not ``_lead_end``: stored pages and some feeds open their text on a dateline, a
    byline or the page's address, which say nothing of who the report is about; the first
    two sentences of some length do (the headline comes before ``offset`` and counts too).
    """
    counted, length, read, last = 0, 0, 0, len(words)
    address = False  # within a line that is a web address: no sentence
    for i in range(offset, last):
        if i > offset:
            sep = seps[i]
            if sep != " " and _ends_sentence(sep):  # one space ends no sentence
                if length >= 5 and not address:
                    counted += 1
                    if counted == 2:
                        return i
                length = 0
                if "\n" in sep:
                    address = False
        if length == 0 and words[i] in _ADDRESS:
            address = True
        length += 1
        if not address:
            read += 1
            if read > 60:
                return i
    return last


_ADDRESS = frozenset({"http", "https", "www"})


def _dates(words: list[str], lower: list[str], seps: list[str],
           when: datetime | None) -> list[tuple[int, str | None]]:
    """The days named (``_named_day``), each with the index after its last word: a month
    with its day ("February 22", "22 Feb", "Feb. 22"), a weekday, today, tonight, yesterday."""
    found = []
    last = len(words) - 1
    taken = -1
    named: dict[tuple, str | None] = {}
    for i in _positions(lower, _DATE_WORDS.intersection(lower)):
        if i <= taken or seps[i][-1:] == "_" or seps[i + 1][:1] == "_":
            continue
        word = lower[i]
        groups = None
        if word in _MONTHS:
            before = i - 1
            if (before > taken and seps[i] == " " and _day_number(lower, before)
                    and seps[before][-1:] != "_"):
                groups, start, end = (None, None, lower[before], word, None), i, i + 1
            elif i < last and (seps[i + 1] == " " or seps[i + 1] == ". ") and _day_number(lower, i + 1) \
                    and seps[i + 2][:1] != "_":
                groups, start, end = (word, lower[i + 1], None, None, None), i, i + 2
        elif word in _DAY_WORDS:
            groups, start, end = (None, None, None, None, word), i, i + 1
        if groups is None:
            continue
        taken = end - 1
        # "May" is a month only when capitalised (else the verb): the one place case matters.
        capital = words[start][0].isupper() if groups[4] is None else False
        key = (groups, capital)
        # One article names the same few days again and again ("on Monday").
        if key in named:
            date = named[key]
        else:
            date = named[key] = _named_day(groups, capital, when)
        found.append((end, date))
    return found


def _positions(words: list[str], wanted: set[str]) -> list[int]:
    """Where the ``wanted`` words stand in ``words``, in order. A search of the list (in C)
    per wanted word: most texts name one or two day words, a test of every word costs more."""
    found = []
    for word in wanted:
        i = -1
        try:
            while True:
                i = words.index(word, i + 1)
                found.append(i)
        except ValueError:
            pass
    found.sort()
    return found


def _day_number(lower: list[str], i: int) -> bool:
    """Whether word ``i`` is a day of the month as written: one or two digits."""
    word = lower[i]
    return len(word) <= 2 and word.isdecimal()


def _named_day(groups: tuple, capital: bool, published: datetime | None) -> str | None:
    """The date a match of ``_dates`` names (its lower-cased groups; ``capital``: the month is
    capitalised): a month with its day, a weekday, today or yesterday."""
    month_first, day_first, after, month_after, relative = groups
    if month_first or month_after:
        month = month_first or month_after
        if month == "may" and not capital:
            return None  # the verb
        day = int(day_first or after)
        if not 1 <= day <= 31:
            return None
        return _with_year(_MONTHS[month], day, published)
    if relative in _WEEKDAYS:
        if published is None:
            return relative
        # The latest such weekday up to the publication day: news reports what happened.
        back = (published.weekday() - _WEEKDAYS[relative]) % 7
        return (published - timedelta(days=back)).date().isoformat()
    if published is not None:
        return (published - timedelta(days=_RELATIVE[relative])).date().isoformat()
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
