"""What a sentence states, as marks that survive rewording: figures, names and content words.

Two outlets tell one fact in different words ("agreed to raise spending to 5% of output by
2035" / "will lift defence budgets to five per cent of GDP within a decade"): TF-IDF cosine
over all words misses many such pairs because the wording differs where the fact does
not. What stays the same is what marks the fact: its **figures** (amounts, percentages,
years, dates), its **names** (people, places, organisations), and the stems of its content
words, the action among them. :func:`restates` compares sentences on those marks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from summarize.sentences import split_words, stemmer, stop_words

_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
                 "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "dozen": "12",
                 "half": "0.5", "quarter": "0.25", "once": "1", "twice": "2"}
_SCALES = {"thousand": "e3", "million": "e6", "billion": "e9", "trillion": "e12", "m": "e6", "bn": "e9"}
_FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(%|per\s*cent|percent|thousand|million|billion|trillion|bn\b|m\b)?",
                     re.IGNORECASE)
_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})\b")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
# A capitalised word that is not the sentence's first: a name, or part of one.
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'\u2019-]*[a-z][\w'\u2019-]*|\b[A-Z]{2,}\b")


@dataclass(frozen=True)
class Marks:
    """The marks of one sentence: figures, names, and content-word stems."""

    figures: frozenset[str]
    names: frozenset[str]
    terms: frozenset[str]


def _figures(text: str) -> set[str]:
    """Normalised figures: "5%", "five per cent" -> "5%"; "$1.2 billion" -> "1.2e9"; "2035"; "Jun 3"."""
    found = set()
    for number, unit in _FIGURE.findall(text):
        value = number.replace(",", "")
        unit = (unit or "").lower().replace(" ", "")
        if unit == "%" or unit.startswith("per"):
            found.add(value + "%")
        elif unit:
            found.add(value + _SCALES.get(unit, ""))
        elif len(value) > 1 or value not in "0123456789":
            found.add(value)  # single digits are too common to mark a fact ("2 of the 3 ...")
    words = [w.lower() for w in split_words(text)]
    for i, word in enumerate(words):
        if word in _NUMBER_WORDS and i + 1 < len(words):
            following = words[i + 1]
            if following in ("percent", "per") and _NUMBER_WORDS[word] not in ("0.5", "0.25"):
                found.add(_NUMBER_WORDS[word] + "%")
            elif following in _SCALES:
                found.add(_NUMBER_WORDS[word] + _SCALES[following])
    # An ordinal ("her 20th title", "the 18th package") names one thing in a series: as
    # specific as an amount.
    found.update(f"{n}th" for n in _ORDINAL.findall(text) if len(n) > 1 or n not in "123")
    for month, day in _MONTH.findall(text):
        found.add(f"{month[:3].lower()} {int(day)}")
    found.update(d.lower() for d in _WEEKDAY.findall(text))
    return found


@lru_cache(maxsize=100_000)
def marks(text: str, language: str = "english") -> Marks:
    """The figures, names and content-word stems of ``text``."""
    stem, stop = stemmer(language), stop_words(language)
    names = {stem(n.lower()) for n in _NAME.findall(text) if n.lower() not in stop}
    terms = {stem(w.lower()) for w in split_words(text) if w.lower() not in stop and len(w) > 2}
    return Marks(frozenset(_figures(text)), frozenset(names), frozenset(terms))


def _containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the other (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def same_words(a: str, b: str, language: str = "english") -> bool:
    """Whether most content words of the shorter sentence are in the other: the same thing said
    in much the same words (the first test of :func:`restates`)."""
    return _containment(marks(a, language).terms, marks(b, language).terms) >= 0.5


def restates(a: str, b: str, language: str = "english") -> bool:
    """Whether two sentences state much the same fact, in the same words or in others.

    The same fact: most of the shorter sentence's content words in the other; or two
    shared figures (amounts, years, dates are specific enough to identify a fact) with
    some shared wording; or the same names doing the same thing (all names of the one
    with fewer names in the other, and a good share of content words in common).
    """
    x, y = marks(a, language), marks(b, language)
    terms = _containment(x.terms, y.terms)
    if terms >= 0.5:
        return True
    shared_figures = x.figures & y.figures - WEEKDAYS
    # an amount, a share or a year is specific enough that two sentences giving it about
    # the same things ("5% ... defence spending") tell the same fact
    specific = {f for f in shared_figures if not f.isdigit() or len(f) >= 4}
    if len(shared_figures) >= 2 and terms >= 0.2 or specific and terms >= 0.2:
        return True
    if shared_figures and terms >= 0.3:
        return True
    names = _containment(x.names, y.names)
    return min(len(x.names), len(y.names)) >= 2 and names >= 0.99 and terms >= 0.25


WEEKDAYS = frozenset(d.lower() for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                           "Sunday"))
MONTHS = frozenset("january february march april may june july august september october november december".split())
# The names of days and months, lower-cased: a date's words, no sign of who or what a text is about.
CALENDAR = WEEKDAYS | MONTHS
