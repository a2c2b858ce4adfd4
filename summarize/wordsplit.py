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

import functools
import itertools
import secrets
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

    __slots__ = ("text", "lowered", "aligned", "_lower", "starts", "ends", "start_list", "end_list", "classes",
                 "lengths", "names", "_ids", "_hashes", "_codes")

    def __init__(self, texts: Sequence[str]) -> None:
        self.text = text = _GAP.join(texts)
        self.classes, spaced = _codes(text)
        # No word character is a space, and lower-casing a word on its own or among spaces
        # gives the same (a final sigma is decided by its neighbours, spaces here). Lower-casing
        # never shortens a text; where it lengthens none (nearly always), a word lower-cased
        # stands where it stands in ``text``.
        self.lowered = spaced.lower()
        self.aligned = len(self.lowered) == len(spaced)
        self._lower: list[str] | None = None
        self._ids: tuple[np.ndarray, np.ndarray] | None = None
        self._hashes: np.ndarray | None = None  # of each word, when numbered by hash
        self._codes: np.ndarray | None = None   # then also: the lower-cased text's code points, and a space
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

    @property
    def lower(self) -> list[str]:
        """All the words lower-cased, in order (made when first asked for: reading does not)."""
        if self._lower is None:
            self._lower = self.lowered.split()
        return self._lower

    def lower_word(self, i: int) -> str:
        """Word ``i`` lower-cased."""
        if self.aligned:
            return self.lowered[self.start_list[i]:self.end_list[i]]
        return self.lower[i]

    def lower_words(self, numbers: Sequence[int]) -> list[str]:
        """The words numbered ``numbers``, lower-cased."""
        if self._codes is not None and len(numbers) > 32:
            # Many at once: their characters gathered from the lower-cased text, a space after
            # each, decoded as one string and split (a slice per word cost four times as much).
            chosen = np.asarray(numbers, dtype=np.int64)
            starts, lengths = self.starts[chosen], self.ends[chosen] - self.starts[chosen] + 1
            place = np.zeros(len(chosen), dtype=np.int64)
            np.cumsum(lengths[:-1], out=place[1:])
            at = np.arange(int(lengths.sum())) + np.repeat(starts - place, lengths)
            at[place + lengths - 1] = len(self._codes) - 1  # the space after the text's end
            return self._codes[at].tobytes().decode("utf-32-le", "surrogatepass").split()
        if self.aligned:
            starts, ends = self.start_list, self.end_list
            return list(map(self.lowered.__getitem__, map(slice, map(starts.__getitem__, numbers),
                                                               map(ends.__getitem__, numbers))))
        return list(map(self.lower.__getitem__, numbers))

    def lower_of(self, numbers: np.ndarray) -> list[str]:
        """The words numbered ``numbers`` (an array), lower-cased: one string per distinct
        word, shared by its occurrences (a string cut per occurrence cost more)."""
        if len(numbers) == 0:
            return []
        ids, firsts = self.ids()
        distinct, inverse = np.unique(ids[numbers], return_inverse=True)
        table = np.empty(len(distinct), dtype=object)
        table[:] = self.lower_words(firsts[distinct].tolist())
        return table[inverse.ravel()].tolist()

    def ids(self) -> tuple[np.ndarray, np.ndarray]:
        """Each word's number (int64; two words have one number when they are the same
        lower-cased), and for each number where its word first comes.

        Why numbers rather than strings: making a string of each of a run's hundred thousand
        words, and hashing it, was a third of reading. Each word's number comes from a
        polynomial hash of its lower-cased characters modulo 2 ** 64, in numpy over all the
        words at once (a random base per process); two different words of one run that
        share a 64-bit hash would count as one (as ``textvec.term_rows``' columns). Words
        longer than ``_LONGEST_HASHED`` (where collisions can be built for any base) and
        texts whose lower-casing lengthens a character are numbered by their strings."""
        if self._ids is None:
            lengths = self.ends - self.starts
            if self.aligned and (len(lengths) == 0 or int(lengths.max()) <= _LONGEST_HASHED):
                self._codes = np.frombuffer((self.lowered + " ").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
                labels = self._hashes = _hash_words(self._codes, self.starts, self.ends)
            else:
                first: dict[str, int] = {}
                labels = np.fromiter(map(first.setdefault, self.lower, itertools.count()), dtype=np.int64,
                                     count=len(self.starts))
            _, firsts, ids = np.unique(labels, return_index=True, return_inverse=True)
            self._ids = ids.ravel().astype(np.int64, copy=False), firsts
        return self._ids

    def among(self, words: frozenset[str]) -> np.ndarray:
        """For each number of ``ids``, whether its word (lower-cased) is one of ``words``."""
        _, firsts = self.ids()
        if self._hashes is not None:
            # Candidates by hash, then each candidate's string looked at: exact.
            found = np.isin(self._hashes[firsts], _hashed(words))
            for number in found.nonzero()[0].tolist():
                found[number] = self.lower_word(int(firsts[number])) in words
            return found
        return np.fromiter(map(words.__contains__, map(self.lower.__getitem__, firsts.tolist())), dtype=bool,
                           count=len(firsts))

    def lower_lengths(self) -> np.ndarray:
        """For each number of ``ids``, the length of its word lower-cased."""
        _, firsts = self.ids()
        if self.aligned:
            return self.ends[firsts] - self.starts[firsts]
        return np.fromiter(map(len, map(self.lower.__getitem__, firsts.tolist())), dtype=np.int64, count=len(firsts))

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

    __slots__ = ("split", "begin", "end", "first", "count", "_lower")

    def __init__(self, split: Split, begin: int, end: int, first: int, last: int) -> None:
        self.split, self.begin, self.end, self.first = split, begin, end, first
        self.count = last - first  # how many words
        self._lower: list[str] | None = None

    @property
    def lower(self) -> list[str]:
        """The words lower-cased."""
        if self._lower is None:
            self._lower = self.split.lower[self.first:self.first + self.count]
        return self._lower

    def lower_word(self, i: int) -> str:
        """Word ``i`` lower-cased."""
        return self.split.lower_word(self.first + i)

    def lower_range(self, start: int, stop: int) -> list[str]:
        """Words ``start`` to ``stop - 1`` lower-cased."""
        split, stop = self.split, min(stop, self.count)
        if start >= stop:
            return []
        if split.aligned:  # the lower-cased text from the first word's start to the last's end, split
            return split.lowered[split.start_list[self.first + start]:split.end_list[self.first + stop - 1]].split()
        return split.lower[self.first + start:self.first + stop]

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
        return split.text[start:split.start_list[at] if i < self.count else self.end]

    @property
    def words(self) -> list[str]:
        """The words as written."""
        return [self.word(i) for i in range(self.count)]

    @property
    def seps(self) -> list[str]:
        """The text between the words, all of it: one more than the words."""
        return [self.sep(i) for i in range(self.count + 1)]


# Words longer than this are numbered by their strings (``Split.ids``).
_LONGEST_HASHED = 256
# The hash's base: random per process, odd (so that no power of it is 0 modulo 2 ** 64).
_BASE = secrets.randbits(64) | 1


def _power_table(base: int, size: int) -> np.ndarray:
    """``base ** i`` modulo 2 ** 64 for i below ``size``."""
    table = np.full(size, base, dtype=np.uint64)
    table[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(table, dtype=np.uint64)


# ``_BASE ** i`` for every place in a hashed word.
_POWERS = _power_table(_BASE, _LONGEST_HASHED)


def _hash_words(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit polynomial hash (int64) of each word ``codes[start:end]`` (code points; no
    word longer than ``_LONGEST_HASHED``, none empty): the sum of ``code * _BASE ** i`` over
    its characters, modulo 2 ** 64, the same wherever the word stands."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    lengths = ends - starts
    place = np.zeros(len(starts), dtype=np.int64)  # where each word's characters begin below
    np.cumsum(lengths[:-1], out=place[1:])
    inside = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(place, lengths)
    with np.errstate(over="ignore"):
        terms = codes[inside + np.repeat(starts, lengths)].astype(np.uint64) * _POWERS[inside]
        return np.add.reduceat(terms, place).view(np.int64)


@functools.lru_cache(maxsize=16)
def _hashed(words: frozenset[str]) -> np.ndarray:
    """``_hash_words`` of each of ``words`` (as long as a word may be) alone."""
    listed = [word for word in words if 0 < len(word) <= _LONGEST_HASHED]
    ends = np.cumsum([len(word) for word in listed], dtype=np.int64)
    codes = np.frombuffer("".join(listed).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _hash_words(codes, ends - np.array([len(word) for word in listed], dtype=np.int64), ends)


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
