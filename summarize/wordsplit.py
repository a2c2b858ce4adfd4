"""Texts split into their words, with where each word stands, for reading articles.

The words are ``textvec.words(text)``: maximal runs of letters and digits (``[^\\W_]+``).
Reading an article needs them lower-cased (its terms) and, for its particulars, what
stands around some of them: the character before a capitalised word, whether the text
between two words is one space. A regular expression splitting each text into words and
separators, and lower-casing each word, took two thirds of a second for 3,000 articles.
Here a run of texts is split at once (``Split``): each character's class comes from a table
(numpy, one lookup for all the texts), the lower-cased words are cut by ``str.split`` from a
copy of the texts with every other character made a space, and a word as written or the
text between two words is cut only where it is looked at (``Words.word``, ``Words.sep``):
nothing is done in Python per word, and numpy's cost per call is paid once per run.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

# Classes of characters, as bits of one byte per character.
WORD = 1        # a word character: ``\w`` without the underscore (str.isalnum)
DECIMAL = 2     # a decimal digit (``\d``: str.isdecimal)
CAPITAL = 4     # a capital a name may begin with (the Latin ones, see ``particulars``)
BEFORE = 8      # may stand before the space in front of a name inside a sentence
SPACE = 16      # " "
UNDERSCORE = 32
APOSTROPHE = 64  # ' or ’

_BMP = 0x10000
_WORD_BIT = np.uint8(WORD)
# What may stand before the space in front of a capitalised word inside a sentence: a
# lower-case letter, a figure, a comma, a colon, a bracket, a quote or a dash.
_BEFORE_INNER = "abcdefghijklmnopqrstuvwxyz0123456789,;:()`'\"“-" + "".join(map(chr, range(0xDF, 0x100)))
_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "".join(map(chr, range(0xC0, 0xDF)))
# Between two texts split together: characters of no class, so that no text's words or
# their surroundings reach into the next (as two zeros in front of a text alone).
_GAP = "\x00\x00"


def _class_of(char: str) -> int:
    """The class bits of a character beyond the tables below (a word character, a digit)."""
    return (WORD if char.isalnum() else 0) | (DECIMAL if char.isdecimal() else 0)


# The classes of the Basic Multilingual Plane, and each of its characters as it stands in
# the spaced copy of a text (a word character itself, anything else a space).
_CLASS = (np.fromiter(map(str.isalnum, map(chr, range(_BMP))), dtype=bool, count=_BMP) * np.uint8(WORD)
          | np.fromiter(map(str.isdecimal, map(chr, range(_BMP))), dtype=bool, count=_BMP) * np.uint8(DECIMAL))
for _chars, _bit in ((_CAPITALS, CAPITAL), (_BEFORE_INNER, BEFORE), (" ", SPACE), ("_", UNDERSCORE),
                     ("'’", APOSTROPHE)):
    _CLASS[[ord(char) for char in _chars]] |= _bit
_SPACED = np.where(_CLASS & WORD, np.arange(_BMP), ord(" ")).astype(np.uint16)


def _codes(text: str) -> tuple[np.ndarray, str]:
    """The classes of the characters of ``text`` with two zeros in front and a digit after
    (see ``Split``), and its spaced copy."""
    raw = text.encode("utf-16-le", "surrogatepass")
    classes = np.zeros(len(text) + 3, dtype=np.uint8)
    classes[-1] = DECIMAL
    if len(raw) == 2 * len(text):  # no character beyond the BMP: one 16-bit unit each
        codes = np.frombuffer(raw, dtype=np.uint16)
        np.take(_CLASS, codes, out=classes[2:-1])
        return classes, _SPACED[codes].tobytes().decode("utf-16-le")
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes[2:-1] = _CLASS[np.minimum(codes, _BMP - 1)]
    for i in np.flatnonzero(codes >= _BMP).tolist():
        classes[i + 2] = _class_of(text[i])
    spaced = np.where(classes[2:-1] & WORD, codes, ord(" ")).astype(np.uint32)
    return classes, spaced.tobytes().decode("utf-32-le")


class Split:
    """A run of texts split at once: ``text`` the texts joined (with two characters of no
    class between them), ``lower`` all their words lower-cased, ``starts``/``ends`` where
    each word begins and ends in ``text`` (numpy arrays, and the same as ``array.array``:
    ``start_list``, ``end_list``), ``classes`` the class bits of each character of ``text``
    with two zeros in front and a digit after (``classes[starts + 1]`` is the class of the
    character before each word; the digit after the last ends a search for the next digit).
    ``names``: room for what ``particulars`` reads of all the words at once. ``words()``:
    each text as ``Words``; a ``Split`` keeps no reference to them, so that it is freed with
    its last ``Words`` (a cycle would wait for the garbage collector, which reading pauses).
    """

    __slots__ = ("text", "lower", "starts", "ends", "start_list", "end_list", "classes", "lengths", "names")

    def __init__(self, texts: Sequence[str]) -> None:
        self.text = text = _GAP.join(texts)
        self.classes, spaced = _codes(text)
        # No word character is a space, and lower-casing a word on its own or among spaces
        # gives the same (a final sigma is decided by its neighbours, spaces here).
        self.lower = spaced.lower().split()
        inside = self.classes & _WORD_BIT
        # Where a word starts and where one ends, alternating (the classes' padding is no word).
        edges = (inside[1:] != inside[:-1]).nonzero()[0] - 1
        self.starts, self.ends = edges[0::2], edges[1::2]
        # As arrays of machine integers, indexed from Python (a list of Python ints, made
        # from 100,000 words, cost more than everything looked up in it).
        self.start_list, self.end_list = array("q", self.starts.astype(np.int64).tobytes()), \
            array("q", self.ends.astype(np.int64).tobytes())
        self.lengths = [len(one) for one in texts]
        self.names = None

    def words(self) -> list[Words]:
        """Each text as ``Words``, in order."""
        out = []
        begin = first = 0
        for length in self.lengths:
            end = begin + length
            last = bisect_left(self.start_list, end, first)
            out.append(Words(self, begin, end, first, last))
            begin, first = end + len(_GAP), last
        return out


class Words:
    """One text of a ``Split``: ``lower`` its words lower-cased; ``word(i)`` word ``i`` as
    written, ``sep(i)`` the text before it (after the last word for ``i == len(lower)``);
    ``words`` and ``seps`` all of them. ``first``: the number of its first word in the
    ``Split``, ``begin``/``end`` where it stands in the ``Split``'s text."""

    __slots__ = ("split", "begin", "end", "first", "lower")

    def __init__(self, split: Split, begin: int, end: int, first: int, last: int) -> None:
        self.split, self.begin, self.end, self.first = split, begin, end, first
        self.lower = split.lower[first:last]

    @property
    def text(self) -> str:
        """The text itself."""
        return self.split.text[self.begin:self.end]

    def word(self, i: int) -> str:
        """Word ``i`` as written."""
        split = self.split
        return split.text[split.start_list[self.first + i]:split.end_list[self.first + i]]

    def sep(self, i: int) -> str:
        """The text before word ``i`` (after the last word for ``i == len(lower)``)."""
        split, at = self.split, self.first + i
        start = split.end_list[at - 1] if i > 0 else self.begin
        return split.text[start:split.start_list[at] if i < len(self.lower) else self.end]

    @property
    def words(self) -> list[str]:
        """The words as written."""
        return [self.word(i) for i in range(len(self.lower))]

    @property
    def seps(self) -> list[str]:
        """The text between the words, all of it: one more than the words."""
        return [self.sep(i) for i in range(len(self.lower) + 1)]


def split_words(text: str) -> Words:
    """``text`` as ``Words``; its words are ``textvec.words(text)``."""
    return Split([text]).words()[0]


def split_articles(articles: Sequence[tuple[str, str]]) -> list[tuple[Words, int]]:
    """Each (headline, text) split as one (a line break between them), with the number of
    the headline's words (they come first), all at once."""
    joined = [f"{title}\n{text}" if title else text for title, text in articles]
    split = Split(joined)
    out = []
    for (title, _), words in zip(articles, split.words()):
        # The line break is no word character: a word starting before it is the headline's.
        offset = bisect_left(split.start_list, words.begin + len(title), words.first) - words.first if title else 0
        out.append((words, offset))
    return out


def split_article(title: str, text: str) -> tuple[Words, int]:
    """The headline and the text split as one (a line break between them), and the number
    of the headline's words: they come first."""
    return split_articles([(title, text)])[0]
