"""A text split into its words, with where each word stands, for reading an article.

The words are ``textvec.words(text)``: maximal runs of letters and digits (``[^\\W_]+``).
Reading an article needs them lower-cased (its terms) and, for its particulars, what
stands around some of them: the character before a capitalised word, whether the text
between two words is one space. A regular expression splitting the text into words and
separators, and lower-casing each word, took two thirds of a second for 3,000 articles;
here each character's class comes from a table (numpy, one lookup for the whole text), the
lower-cased words are cut by ``str.split`` from a copy of the text with every other
character made a space, and a separator or a word as written is cut only where it is
looked at (``Words.sep``, ``Words.word``): nothing is done in Python per word.
"""
from __future__ import annotations

import numpy as np

# Classes of characters, as bits of one byte per character.
WORD = 1        # a word character: ``\w`` without the underscore (str.isalnum)
DECIMAL = 2     # a decimal digit (``\d``: str.isdecimal)
CAPITAL = 4     # a capital a name may begin with (the Latin ones, see ``particulars``)
BEFORE = 8      # may stand before the space in front of a name inside a sentence
SPACE = 16      # " "
UNDERSCORE = 32
APOSTROPHE = 64  # ' or ’
POINT = 128     # . or , (inside a figure)

_BMP = 0x10000
_WORD_BIT = np.uint8(WORD)
# What may stand before the space in front of a capitalised word inside a sentence: a
# lower-case letter, a figure, a comma, a colon, a bracket, a quote or a dash.
_BEFORE_INNER = "abcdefghijklmnopqrstuvwxyz0123456789,;:()`'\"“-" + "".join(map(chr, range(0xDF, 0x100)))
_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "".join(map(chr, range(0xC0, 0xDF)))


def _class_of(char: str) -> int:
    """The class bits of a character beyond the tables below (a word character, a digit)."""
    return (WORD if char.isalnum() else 0) | (DECIMAL if char.isdecimal() else 0)


# The classes of the Basic Multilingual Plane, and each of its characters as it stands in
# the spaced copy of a text (a word character itself, anything else a space).
_CLASS = (np.fromiter(map(str.isalnum, map(chr, range(_BMP))), dtype=bool, count=_BMP) * np.uint8(WORD)
          | np.fromiter(map(str.isdecimal, map(chr, range(_BMP))), dtype=bool, count=_BMP) * np.uint8(DECIMAL))
for _chars, _bit in ((_CAPITALS, CAPITAL), (_BEFORE_INNER, BEFORE), (" ", SPACE), ("_", UNDERSCORE),
                     ("'’", APOSTROPHE), (".,", POINT)):
    _CLASS[[ord(char) for char in _chars]] |= _bit
_SPACED = np.where(_CLASS & WORD, np.arange(_BMP), ord(" ")).astype(np.uint16)


def _codes(text: str) -> tuple[np.ndarray, np.ndarray, str]:
    """The classes of the characters of ``text`` with two zeros in front and one after, and
    its spaced copy."""
    raw = text.encode("utf-16-le", "surrogatepass")
    classes = np.zeros(len(text) + 3, dtype=np.uint8)
    classes[-1] = DECIMAL  # beyond the last word, for the search of a word's next digit
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


class Words:
    """A text as its words: ``lower`` lower-cased, and where each stands in ``text``.

    ``starts[i]``, ``ends[i]``: where word ``i`` begins and ends in ``text`` (numpy arrays);
    ``classes``: the class bits of each character of ``text``, with two zeros in front and
    a digit after (``classes[starts + 1]`` is the class of the character before each word, 0 for none).
    ``word(i)`` is word ``i`` as written, ``sep(i)`` the text before it (after the last word
    for ``i == len(lower)``); ``words`` and ``seps`` all of them, built on first use.
    """

    __slots__ = ("text", "lower", "starts", "ends", "classes", "_starts", "_ends")

    def __init__(self, text: str) -> None:
        self.text = text
        self.classes, spaced = _codes(text)
        # No word character is a space, and lower-casing a word on its own or among spaces
        # gives the same (a final sigma is decided by its neighbours, spaces here).
        self.lower = spaced.lower().split()
        inside = self.classes & _WORD_BIT
        # Where a word starts and where one ends, alternating (the classes' padding is no word).
        edges = np.flatnonzero(inside[1:] != inside[:-1]) - 1
        self.starts, self.ends = edges[0::2], edges[1::2]
        self._starts: list[int] = []
        self._ends: list[int] = []

    def _lists(self) -> None:
        self._starts, self._ends = self.starts.tolist(), self.ends.tolist()

    def word(self, i: int) -> str:
        """Word ``i`` as written."""
        if not self._starts:
            self._lists()
        return self.text[self._starts[i]:self._ends[i]]

    def sep(self, i: int) -> str:
        """The text before word ``i`` (after the last word for ``i == len(lower)``)."""
        if not self._starts:
            self._lists()
        start = self._ends[i - 1] if i > 0 else 0
        return self.text[start:self._starts[i]] if i < len(self._starts) else self.text[start:]

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
    return Words(text)


def split_article(title: str, text: str) -> tuple[Words, int]:
    """The headline and the text split as one (a line break between them), and the number
    of the headline's words: they come first."""
    if not title:
        return Words(text), 0
    whole = Words(f"{title}\n{text}")
    # The line break is no word character: a word starting before it is the headline's.
    return whole, int(np.searchsorted(whole.starts, len(title)))
