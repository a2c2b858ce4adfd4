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


def _line_spans(line: str) -> list[tuple[int, int]]:
    """Sentence offsets within one stripped line.

    blingfire's own offset function maps bytes to characters in a Python loop (most of
    the splitting time on a big story), so the sentences are found in the line with
    ``str.find`` instead; blingfire keeps the text as it is, and should a piece ever not
    be found verbatim the slow, exact function is used for that line.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in blingfire.text_to_sentences(line).split("\n"):
        piece = piece.strip()
        if not piece:
            continue
        start = line.find(piece, cursor)
        if start < 0:
            log.debug("blingfire changed a sentence; using its offsets for this line")
            return [(a, b) for a, b in blingfire.text_to_sentences_and_offsets(line)[1]
                    if line[a:b].strip()]
        spans.append((start, start + len(piece)))
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
