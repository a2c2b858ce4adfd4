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

import itertools
import logging
import operator
import re
import sys
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np

from summarize.wordsplit import APOSTROPHE, BEFORE, CAPITAL, DECIMAL, SPACE, UNDERSCORE, WORD, Split, Words, split_article
from summarize.wordsplit import split_words  # noqa: F401  (read here by callers and tests)

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


# A name word counts by its first letters (``word[:STEM]``), so that spellings and forms of
# one name meet. Why: transliterations differ by outlet (Zelensky, Zelenskiy, Zelenskyy) and
# a country comes as a noun or an adjective (Ukraine, Ukrainian); six letters keep them
# together while different names rarely share their first six.
STEM = 6


_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")


def _figure(digits: str) -> str:
    """A number as a particular: thousands separators dropped."""
    if "," in digits and _THOUSANDS.fullmatch(digits):
        digits = digits.replace(",", "")
    return digits


def _figure_key(digits: str) -> str:
    """A number as written, as its particular (``#``)."""
    return "#" + _figure(digits)


_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
# Per class byte (``wordsplit``), whether it has a bit: one table lookup per array, not two operations.
_HAS = {bit: (np.arange(256) & bit) != 0 for bit in (WORD, DECIMAL, CAPITAL, BEFORE, SPACE, UNDERSCORE, APOSTROPHE)}
_DECIMAL_BIT = np.uint8(DECIMAL)
_DAY_WORDS = frozenset(_WEEKDAYS) | frozenset(_RELATIVE)
_DATE_WORDS = _DAY_WORDS | frozenset(_MONTHS)
# Capitalised inside a sentence but no name for all that.
_NOT_INNER = _NOT_NAMES | frozenset(_MONTHS) | frozenset(_WEEKDAYS)


def particulars(title: str, text: str, published: datetime | None = None,
                published_from: str = "metadata") -> Counter[str]:
    """Counts of the particulars of one article, as prefixed terms.

    ``n:`` a name word (its first letters, see ``STEM``), ``nn:`` two name words
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

    ``whole`` and ``offset``: the article as ``split_article`` or ``split_articles`` gives it.
    """
    split = whole.split
    if split.names is None:
        split.names = _Names(split)
    names: _Names = split.names
    first, last = whole.first, whole.first + whole.count
    # This article's name-like words: the run's from ``begin`` to ``stop``.
    begin, stop = bisect_left(names.index, first), bisect_left(names.index, last)
    cap_lower = names.lower[begin:stop]
    # Which words the text capitalises inside a sentence: only those count as names where
    # capitals say nothing (first word of a sentence, headline case, ALL-CAPS datelines);
    # headline words (before ``offset``) are no evidence.
    text_from = bisect_left(names.index, first + offset, begin, stop)
    inner = set(itertools.compress(names.lower[text_from:stop], names.inside[text_from:stop]))
    inner -= _NOT_INNER
    # Counted in C (``Counter.update`` of an iterable), each word or pair through its key made
    # once per run (``_Names``): the keys come in the order of their first occurrence, as
    # counting the distinct words and then adding up their keys gave them.
    counts: Counter[str] = Counter()
    counts.update(map(names.name_keys.__getitem__, filter(inner.__contains__, cap_lower)))
    pairs_from, pairs_to = bisect_left(names.seconds, first), bisect_left(names.seconds, last)
    if pairs_to > pairs_from:
        both = map(operator.and_, map(inner.__contains__, names.pair_firsts[pairs_from:pairs_to]),
                   map(inner.__contains__, names.pair_seconds[pairs_from:pairs_to]))
        counts.update(itertools.compress(names.pair_keys[pairs_from:pairs_to], both))
    figures = names.figures[bisect_left(names.figures, first):bisect_left(names.figures, last)]
    if figures:
        counts.update(map(_figure_key, _figures(whole, figures)))
    get = counts.get
    when = published if published is not None and published_from not in _UNDATED else None
    ends = _SentenceEnds(whole, offset, names.unspaced)
    lead_end = _lead_end(whole, offset, ends)
    lead: Counter[str] = Counter()
    dates = names.dates[bisect_left(names.dates, first):bisect_left(names.dates, last)]
    for end, date in _dates(whole, when, [at - first for at in dates]) if dates else ():
        if date:
            key = "d:" + date
            counts[key] = get(key, 0) + 1
            if end <= lead_end:
                lead[key] = lead.get(key, 0) + 1
    name_end = _name_lead_end(whole, offset, ends)
    # The lead's own words, as a fingerprint: wire copies printed by many outlets (with
    # their own headlines) share it, and count once as evidence of whom an event is about.
    lead["h:%08x" % zlib.crc32(" ".join(whole.lower_range(offset, name_end)).encode("utf-8", "surrogatepass"))] = 1
    lead.update(map(names.lead_keys.__getitem__,
                    filter(inner.__contains__, names.lower[begin:bisect_left(names.index, first + name_end, begin, stop)])))
    return counts, lead


class _Names:
    """The words of a run of texts (``wordsplit.Split``) that begin with a capital or a digit,
    read at once: numpy over all the words, nothing in Python per word (a loop over them was
    most of reading an article). Word numbers are the run's; every list is in their order.

    ``index``: the name-like words (a capital first: see ``wordsplit.CAPITAL``), ``lower``
    each lower-cased (the letters before a figure glued to it: "A320" -> "a"), ``inside``
    whether each has one space before it and before that a lower-case letter, a figure, a
    comma, a colon, a bracket, a quote or a dash (capitalised inside a sentence). ``pairs``:
    two name-like words with one space between them ("Vladimir Putin", also "Putin's
    Kremlin"), overlapping (the second of a pair may begin the next), the first with no
    figure glued to it, lower-cased (``pair_firsts``, ``pair_seconds``); ``seconds`` the
    number of the second word of each.
    ``figures``: the words that begin with a digit; ``dates`` the words of ``_DATE_WORDS``. ``unspaced``: the words before which
    the text is not one space (only there can a sentence end). A word right after an
    underscore is none of these (no word boundary before it: an underscore is a word character).
    """

    def __init__(self, split: Split) -> None:
        starts, ends, classes = split.starts, split.ends, split.classes
        # The classes of each word's first character, of the one before it and of the one
        # before that (``classes`` has two zeros in front).
        first, before, second = classes[2:][starts], classes[1:][starts], classes[starts]
        capital, figure = _HAS[CAPITAL][first], _HAS[DECIMAL][first]
        if "_" in split.text:
            joined = _HAS[UNDERSCORE][before]
            capital &= ~joined
            figure &= ~joined
        self.figures = figure.nonzero()[0].tolist()
        # The text before a word is one space when that space comes right after a word
        # (for a text's first word, with no word before it, this says no: nothing below
        # looks at it there).
        one_char = _HAS[WORD][second]
        spaced = one_char & _HAS[SPACE][before]
        self.unspaced = (~spaced).nonzero()[0].tolist()
        # The words that may name a day, found by their numbers (``Split.ids``): no string per word.
        ids, _ = split.ids()
        self.dates = split.among(_DATE_WORDS)[ids].nonzero()[0].tolist()
        index = capital.nonzero()[0]
        self.index = index.tolist()
        cap_lower = split.lower_of(index)
        # Whether a name-like word has a digit in it: the next digit after its start is
        # before its end (the digit after the texts is beyond every word).
        digits = (classes & _DECIMAL_BIT).nonzero()[0] - 2
        glued = digits[digits.searchsorted(starts[index])] < ends[index]
        text = split.text
        for k in glued.nonzero()[0].tolist():  # "A320": the letters before the figure
            at = self.index[k]
            cap_lower[k] = _LETTERS.match(text, split.start_list[at], split.end_list[at]).group().lower()
        self.lower = cap_lower
        self.inside = (_HAS[SPACE][before[index]] & _HAS[BEFORE][second[index]]).tolist()
        # Pairs: the word before is name-like and whole ("Arvid Lenk"), or the one before
        # that, with "'s" between ("Lenk's Tallor").
        whole_name = np.zeros(len(starts) + 2, dtype=bool)  # two more: index -1 and -2 are False
        whole_name[index] = ~glued
        spaced_names = index[spaced[index]]
        seconds = spaced_names[whole_name[spaced_names - 1]]
        firsts = seconds - 1
        if "'s " in text or "’s " in text:
            possessive = spaced_names[whole_name[spaced_names - 2]]
            letter = possessive - 1  # the "s", one letter after an apostrophe alone
            possessive = possessive[(ends[letter] - starts[letter] == 1) & one_char[letter]
                                    & _HAS[APOSTROPHE][before[letter]]]
            possessive = [i for i in possessive.tolist() if text[split.start_list[i - 1]] == "s"]
            if possessive:
                seconds = np.concatenate((seconds, possessive))
                firsts = np.concatenate((firsts, np.array(possessive, dtype=firsts.dtype) - 2))
                order = np.argsort(seconds, kind="stable")
                firsts, seconds = firsts[order], seconds[order]
        self.seconds = seconds.tolist()
        # The two words of each pair apart (a tuple per pair, kept, cost more than the rest).
        self.pair_firsts = list(map(cap_lower.__getitem__, index.searchsorted(firsts).tolist()))
        self.pair_seconds = list(map(cap_lower.__getitem__, index.searchsorted(seconds).tolist()))
        # Each name word's and pair's particular, made once per run (``read_particulars``); a
        # lead's names are one string each for all articles read in one process (a day's
        # readings are held together while grouping).
        distinct = set(cap_lower)
        self.name_keys = {word: "n:" + word[:STEM] for word in distinct}
        self.lead_keys = {word: sys.intern("l:" + word[:STEM]) for word in distinct}
        self.pair_keys = ["nn:" + one[:STEM] + "_" + two[:STEM] for one, two in zip(self.pair_firsts, self.pair_seconds)]


def _figures(whole: Words, starts: list[int]) -> list[str]:
    """Numbers as written ("6.1", "100,000"), from the words at ``starts`` (numbered in the
    run, see ``_Names``) that begin with a digit."""
    found = []
    split = whole.split
    text, word_starts, word_ends = split.text, split.start_list, split.end_list
    last = whole.first + whole.count - 1
    taken = -1
    for i in starts:
        if i <= taken:
            continue  # the decimals or thousands of the number before
        written = text[word_starts[i]:word_ends[i]]
        number = written if written.isdecimal() else _DIGITS.match(written).group()
        complete = len(number) == len(written)
        # "6.1", "100,000": a point or a comma between digits, and the digits after it
        while complete and i < last and word_starts[i + 1] - word_ends[i] == 1:
            between = text[word_ends[i]]
            if between != "." and between != ",":
                break
            nxt = text[word_starts[i + 1]:word_ends[i + 1]]
            if not nxt[0].isdecimal():
                break
            part = nxt if nxt.isdecimal() else _DIGITS.match(nxt).group()
            number += between + part
            complete = len(part) == len(nxt)
            i += 1
        taken = i
        found.append(number)
    return found


class _SentenceEnds:
    """The words of an article's text (from ``offset``) before which a sentence ends, in
    order, found as they are asked for and kept for the next to ask: only a separator that
    is not one space can end one."""

    def __init__(self, whole: Words, offset: int, unspaced: list[int]) -> None:
        self.whole, self.unspaced = whole, unspaced
        first = whole.first
        self.next = bisect_left(unspaced, first + offset + 1)  # the next candidate to look at
        self.stop = bisect_left(unspaced, first + whole.count, self.next)
        self.found: list[int] = []

    def __iter__(self):
        yield from self.found
        whole, unspaced, found = self.whole, self.unspaced, self.found
        first, known = whole.first, _ENDS_SENTENCE.get
        text, starts, ends = whole.split.text, whole.split.start_list, whole.split.end_list
        while self.next < self.stop:
            at = unspaced[self.next]
            self.next += 1
            between = text[ends[at - 1]:starts[at]]  # Words.sep: ``at`` is never a text's first word
            end = known(between)
            if end is None:
                end = _ends_sentence(between)
            if end:
                found.append(at - first)
                yield at - first


def _lead_end(whole: Words, offset: int, ends: _SentenceEnds) -> int:
    """The index after the last word of the lead: the text's words (from ``offset``) in its
    first two sentences and its first 800 characters."""
    count = whole.count
    if offset == count:
        return offset
    # The text's own characters: the separator before its first word holds the headline's end.
    before = whole.sep(offset)
    position = len(before) - before.find("\n") - 1 if offset else len(before)
    split, first = whole.split, whole.first
    # The first word that ends beyond the 800th character is cut off (or beyond).
    cut = bisect_right(split.end_list, 800 - position + split.start_list[first + offset],
                       first + offset, first + count) - first
    seen = 0
    for i in ends:
        if i >= cut:
            break
        seen += 1
        if seen == 2:
            return i
    return cut


def _name_lead_end(whole: Words, offset: int, ends: _SentenceEnds) -> int:
    """The index after the last word of the lead in which names are read: the text's first
    two sentences of five words or more, and no more than 60 words.

    Why not ``_lead_end``: stored pages and some feeds open their text on a dateline, a
    byline or the page's address, which say nothing of who the report is about; the first
    two sentences of some length do (the headline comes before ``offset`` and counts too).
    """
    counted, read, last = 0, 0, whole.count
    address = False  # within a line that is a web address: no sentence
    start = offset
    for end in itertools.chain(ends, (last,)):
        if start >= last:
            break
        # the sentence of words start..end-1
        if whole.word(start) in _ADDRESS:
            address = True
        if not address:
            if read + end - start > 60:
                return start + 60 - read
            read += end - start
        if end == last:
            break
        if end - start >= 5 and not address:
            counted += 1
            if counted == 2:
                return end
        if "\n" in whole.sep(end):
            address = False
        start = end
    return last


_ADDRESS = frozenset({"http", "https", "www"})


def _dates(whole: Words, when: datetime | None, positions: Iterable[int]) -> list[tuple[int, str | None]]:
    """The days named (``_named_day``), each with the index after its last word: a month
    with its day ("February 22", "22 Feb", "Feb. 22"), a weekday, today, tonight, yesterday.
    ``positions``: where the text has a word of ``_DATE_WORDS``, in order."""
    lower, sep = whole.lower_word, whole.sep
    found = []
    last = whole.count - 1
    taken = -1
    # What a day names depends on the publication's date alone (not its time).
    day = when.date() if when is not None else None
    if len(_NAMED) > 4096:
        _NAMED.clear()
    for i in positions:
        if i <= taken or sep(i)[-1:] == "_" or sep(i + 1)[:1] == "_":
            continue
        word = lower(i)
        groups = None
        if word in _MONTHS:
            before = i - 1
            if (before > taken and sep(i) == " " and _day_number(lower(before))
                    and sep(before)[-1:] != "_"):
                groups, start, end = (None, None, lower(before), word, None), i, i + 1
            elif i < last and (sep(i + 1) == " " or sep(i + 1) == ". ") and _day_number(lower(i + 1)) \
                    and sep(i + 2)[:1] != "_":
                groups, start, end = (word, lower(i + 1), None, None, None), i, i + 2
        elif word in _DAY_WORDS:
            groups, start, end = (None, None, None, None, word), i, i + 1
        if groups is None:
            continue
        taken = end - 1
        # "May" is a month only when capitalised (else the verb): the one place case matters.
        capital = whole.word(start)[0].isupper() if groups[4] is None else False
        key = (groups, capital, day)
        # Articles name the same few days again and again ("on Monday").
        date = _NAMED.get(key, _UNKNOWN)
        if date is _UNKNOWN:
            date = _NAMED[key] = _named_day(groups, capital, when)
        found.append((end, date))
    return found


# The days named, by (groups, capital, publication date): see ``_dates``.
_NAMED: dict[tuple, str | None] = {}
_UNKNOWN = object()


def _day_number(word: str) -> bool:
    """Whether a word is a day of the month as written: one or two digits."""
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
