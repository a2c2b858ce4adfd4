"""Sentence and word splitting for the summariser, with no downloads at run time.

sumy's stock ``Tokenizer`` loads NLTK's punkt model, which NLTK fetches from the
internet the first time it is needed; the briefing must run offline, so it is never
used here. Sentences come from blingfire instead (its model ships inside the wheel),
words from a small regular expression, stop words and the stemmer from what sumy and
NLTK carry in their packages.

Any object with ``to_sentences(text)``, ``to_words(sentence)`` and ``language`` is a
tokenizer to sumy, so :class:`SentenceSplitter` can be handed to sumy's document
model directly.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Iterator

import blingfire
from sumy.nlp.stemmers import Stemmer
from sumy.utils import get_stop_words

log = logging.getLogger(__name__)

# A word is a run of letters/digits, optionally joined by an apostrophe or hyphen
# ("didn't", "co-operate"); it must contain a letter so that "3.5" or "2019" do not
# become shared "words" linking unrelated sentences.
_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences: first at line breaks (paragraphs), then with blingfire.

    Each sentence is an exact slice of ``text`` (inner spacing kept), so it can be
    found verbatim in the article it came from. Abbreviations such as "U.S." and
    "Jan." stay inside their sentence.
    """
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` character offsets of each sentence of ``text``.

    Line breaks always end a sentence: stored articles keep one paragraph a line and
    headings, captions and bylines sit on lines of their own, so a line is never glued
    to the next one (blingfire alone would join a heading to the first sentence).
    """
    return [span for line in paragraph_spans(text) for span in line]


def paragraph_spans(text: str) -> Iterator[list[tuple[int, int]]]:
    """The ``(start, end)`` offsets of the sentences of ``text``, one list per non-empty line.

    A generator, so that a reader who needs only an article's opening stops splitting there.
    """
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            base = offset + line.index(stripped)
            spans = [(base + start, base + end) for start, end in _line_spans(stripped)]
            if spans:
                yield spans
        offset += len(line) + 1


# Two sentences glued without a space: a stop after a word of two or more letters in lower case
# after the first (not an abbreviation: "Mr.", "Jan.", nor one written with stops, "a.m.") or
# after a number, or a stop and a closing quotation mark, then a capital, perhaps behind an
# opening quotation mark ("said.The", "Liberia.They", 'out."Anne', "2014.City").
_GLUED = re.compile(r"(?:\b(?!(?:Mr|Mrs|Ms|Dr|St|Sr|Jr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Prof|Rev|Ft|Mt|No|Inc|Co|Ltd|Corp|"
                    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Ave|Blvd|Rd|Dept|Univ|Fig|Vol)\.)[A-Za-z][a-z]+"
                    r"|\b\d+|\))[.!?]+[\"\u201d]?(?=[\"\u201c\u2018']?[A-Z])"
                    r"|[.!?][\"\u201d](?=[\"\u201c\u2018']?[A-Z])")
# A sentence after a stop that opens on a number, which the sentence model leaves joined to the one
# before ("... her second child. 30 Rock returns ...", "... ended. 10:45 AM PT: The ..."): a
# lower-case word before the stop, not an abbreviation ("approx. 40 barges").
_NUMBER_OPENS = re.compile(r"\b(?!(?:approx|est|incl|figs?|vol|nos|etc)\.)[a-z]{3,}[.!?]\s+"
                           r"(?=\d+(?:\s*,\s*\d+)*\s+[A-Za-z]"
                           # or a live blog's time stamp: "... ended. 10:45 AM PT: The envoys ..."
                           r"|\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:[A-Z]{1,4}T)?\s*[:\u2013\u2014|-])")


# Cheap first tests: a stop with a capital right after it, and a stop, a space and a digit.
_MAYBE_GLUED = re.compile(r"[.!?][\"\u201d]?[\"\u201c\u2018']?[A-Z]")
_MAYBE_NUMBER = re.compile(r"[.!?]\s+\d")


def _opening_quote(piece: str, cut: int) -> int:
    """``cut``, or one character earlier when the straight quotation mark before it opens the next
    sentence's quotation rather than closing this one's (an even number of them stands before it)."""
    return cut - 1 if piece[cut - 1] == '"' and piece.count('"', 0, cut - 1) % 2 == 0 else cut


def _split_glued(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span ``(start, end)`` of ``line`` cut where two sentences are glued (see ``_GLUED``)."""
    piece = line[start:end]
    if not (_MAYBE_GLUED.search(piece) and _GLUED.search(piece)
            or _MAYBE_NUMBER.search(piece) and _NUMBER_OPENS.search(piece)):
        return [(start, end)]
    cuts = sorted({_opening_quote(piece, m.end()) for m in _GLUED.finditer(piece)}
                  | {m.end() for m in _NUMBER_OPENS.finditer(piece)})
    spans, at = [], 0
    for cut in cuts:
        head = piece[at:cut].rstrip()
        if head:
            spans.append((start + at, start + at + len(head)))
        at = cut
    spans.append((start + at, end))
    return spans


def _line_spans(line: str) -> list[tuple[int, int]]:
    """Sentence offsets within one stripped line.

    blingfire's own offset function maps bytes to characters in a Python loop (most of
    the splitting time on a big story), so the sentences are found in the line with
    ``str.find`` instead; blingfire keeps the text as it is, and should a piece ever not
    be found verbatim the slow, exact function is used for that line.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    # A paragraph cut off with an ellipsis is a teaser of another page, its sentences run together
    # by the page that cut it: split finer, its pieces would read as the article's own sentences.
    split_glued = not line.endswith(("...", "\u2026"))
    for piece in blingfire.text_to_sentences(line).split("\n"):
        piece = piece.strip()
        if not piece:
            continue
        start = line.find(piece, cursor)
        if start < 0:
            log.debug("blingfire changed a sentence; using its offsets for this line")
            return [span for a, b in blingfire.text_to_sentences_and_offsets(line)[1] if line[a:b].strip()
                    for span in (_split_glued(line, a, b) if split_glued else [(a, b)])]
        spans.extend(_split_glued(line, start, start + len(piece)) if split_glued else [(start, start + len(piece))])
        cursor = start + len(piece)
    return spans


def split_words(sentence: str) -> tuple[str, ...]:
    """Return the words of a sentence (tokens that contain at least one letter)."""
    # most words start with a letter; only digit-led tokens ("1990s", "12-year-old") need the search
    return tuple(w for w in _WORD.findall(sentence) if w[0].isalpha() or _HAS_LETTER.search(w))


class SentenceSplitter:
    """A sumy-compatible tokenizer backed by blingfire; never touches NLTK data."""

    def __init__(self, language: str = "english") -> None:
        self.language = language

    def to_sentences(self, text: str) -> tuple[str, ...]:
        """Return the sentences of ``text`` (see :func:`split_sentences`)."""
        return tuple(split_sentences(text))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Return the words of one sentence (see :func:`split_words`)."""
        return split_words(sentence)


@lru_cache(maxsize=8)
def stop_words(language: str = "english") -> frozenset[str]:
    """sumy's packaged stop-word list for ``language`` (read from the sumy wheel)."""
    return frozenset(get_stop_words(language))


@lru_cache(maxsize=8)
def stemmer(language: str = "english"):
    """sumy's Stemmer for ``language`` wrapped in a cache.

    Snowball stemming costs microseconds a call and a large story has a few hundred
    thousand word tokens but only a few thousand distinct words, so caching keeps
    stemming off the profile.
    """
    return lru_cache(maxsize=200_000)(Stemmer(language))
