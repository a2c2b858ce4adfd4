r"""Characters a reader never sees, taken out of text without gluing its words together.

Pages and feeds carry zero-width spaces, soft hyphens and direction marks inside and between
words ("A\u200brwa", "geo\u00adgraphic"): invisible on the page, they split words for every
program that reads the text and travel into summaries. :func:`visible` is applied where text is
cleaned on its way into the store (``feeds.entries.plain_text``, ``feeds.clean.clean_page_text``)
and to every story's articles before they are summarised (``summarize.stories.make_story``), so
that text stored before is clean too.
"""
from __future__ import annotations

import re

__all__ = ["visible"]

# Characters a reader never sees: a soft hyphen (U+00AD), zero-width spaces and joiners, the word
# joiner and invisible operators (U+2060-2064), a byte-order mark inside the text (U+FEFF), and
# direction marks and embeddings (U+200E-200F, U+202A-202E, U+2066-2069). Left in stored text they
# split words for every program that reads it ("A\u200brwa", "geo\u00adgraphic").
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+")
# Those that carry meaning between two letters of a script that uses them (a zero-width non-joiner
# in Persian, a joiner inside an emoji sequence, a direction mark in Hebrew or Arabic text): kept
# there, removed next to ASCII text, a space or the text's edge.
_SCRIPT_MARKS = frozenset("\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# After these a zero-width space stood for the space between two words ("said.\u200bThe").
_WORD_END = frozenset(".!?,;:)]\"\u201d\u2019")
# A run between two spaces goes with one of them.
_BETWEEN_SPACES = re.compile(" [\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+(?= )")


def visible(text: str) -> str:
    r"""``text`` without the characters a reader never sees, words kept apart.

    A zero-width space after punctuation and before a letter becomes a space; anywhere else
    it joined nothing a reader saw ("A\u200brwa" is "Arwa") and goes. Joiners and direction
    marks stay only between two letters of a script that needs them (see ``_SCRIPT_MARKS``).
    """
    if text.isascii() or not _INVISIBLE.search(text):
        return text

    def replace(match: re.Match) -> str:
        whole, run, start, end = match.string, match.group(0), match.start(), match.end()
        before = whole[start - 1] if start else " "
        after = whole[end] if end < len(whole) else " "
        if before.isspace() or after.isspace():
            return ""
        if "\u200b" in run and before in _WORD_END and after.isalpha():
            return " "
        if all(ch in _SCRIPT_MARKS for ch in run) and not before.isascii() and not after.isascii():
            return run
        return ""

    return _INVISIBLE.sub(replace, _BETWEEN_SPACES.sub("", text))
