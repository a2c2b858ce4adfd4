"""Text that a corpus split into tokens, joined again the way it is written.

Some archives and research corpora store articles tokenised: a space before every stop
and comma, clitics cut off ("Israel 's", "does n't"), hyphenated words split ("top - secret"),
spaces inside quotation marks and brackets. The store keeps the text as it came, and grouping
reads it so; what a reader sees of it, a summary's sentences, is respaced. Ordinary prose is left alone: whether an article is
tokenised is decided on its whole text, counting the marks of tokenisation against the
ordinary forms, and only a text where the tokenised forms dominate is touched.
"""
from __future__ import annotations

import re

__all__ = ["is_tokenised", "respaced_marks", "untokenised"]

# A stop or comma standing alone between spaces (or before a line's end): "said , the" / "talks ."
_LOOSE_STOP = re.compile(r"(?<=\w) [,.;:!?](?= |$)", re.MULTILINE)
# The same marks where prose writes them: straight after a word.
_TIGHT_STOP = re.compile(r"\w[,.;:!?](?= |$)", re.MULTILINE)
# A clitic split from its word.
_LOOSE_CLITIC = re.compile(r"(?<=\w) (?:['\u2019](?:s|re|ve|ll|d|m)|n['\u2019]t)\b", re.IGNORECASE)

_STOPS = re.compile(r" +([,.;:!?%])(?= |$|['\"\u2019\u201d)\]])", re.MULTILINE)
_CLITICS = re.compile(r"(?<=\w) +((?:['\u2019](?:s|re|ve|ll|d|m)|n['\u2019]t)\b)", re.IGNORECASE)
_HYPHEN = re.compile(r"(?<=\w) - (?=\w)")
_OPEN_BRACKET = re.compile(r"([(\[]) +")
_CLOSE_BRACKET = re.compile(r" +([)\]])")
_CURRENCY = re.compile(r"([$\u00a3\u20ac]) +(?=\d)")
# Straight double quotation marks standing apart from words: pair them, open then close.
_LOOSE_QUOTE = re.compile(r'(?:(?<=\s)|^)"(?=\s|$)', re.MULTILINE)
# A straight single mark standing apart from words: a quotation mark, or a plural's
# possessive ("Workers ' Party") when it follows an s.
_LOOSE_SINGLE = re.compile(r"(?:(?<=\s)|^)'(?=\s|$)", re.MULTILINE)
# Curly quotation marks with a space on their inner side.
_CURLY_OPEN = re.compile(r"([\u201c\u2018]) +")
_CURLY_CLOSE = re.compile(r" +([\u201d])")


def is_tokenised(text: str) -> bool:
    """Whether a text is written the way a tokeniser leaves it: stops, commas and clitics set
    apart by spaces, far more often than written against their word."""
    loose = len(_LOOSE_STOP.findall(text)) + len(_LOOSE_CLITIC.findall(text))
    tight = len(_TIGHT_STOP.findall(text))
    return loose >= 3 and loose > tight


def _paired(line: str, mark: str, pattern: re.Pattern[str]) -> str:
    """Quotation marks ``mark`` standing alone, joined to the words they enclose: opening and
    closing in turn from the line's start (a quotation running on from the line before only
    closes when the line's first mark is not at its start)."""
    parts = pattern.split(line)
    if len(parts) < 2:
        return line
    out = [parts[0]]
    opening = not parts[0].strip() or len(parts) % 2 == 1
    for part in parts[1:]:
        if opening:  # glue the mark to what follows
            out.append(mark + part.lstrip(" "))
        else:  # glue the mark to what precedes
            out[-1] = out[-1].rstrip(" ") + mark
            out.append(part)
        opening = not opening
    return "".join(out)


def _singles(line: str) -> str:
    """Straight single marks standing alone: an odd one after a plural's s is its possessive
    ("Workers' Party"); the others are quotation marks, paired like double ones."""
    if len(_LOOSE_SINGLE.findall(line)) % 2 == 1:
        line = re.sub(r"(?<=\ws) '(?= [A-Z])", "'", line, count=1)
    return _paired(line, "'", _LOOSE_SINGLE)


def respaced_marks(text: str) -> str:
    """``text`` with no space before a stop, a comma, a per cent sign or a clitic ("Trump 's
    visit ." reads "Trump's visit."): the part of respacing that is safe on any title."""
    return _STOPS.sub(r"\1", _CLITICS.sub(r"\1", text))


def untokenised(text: str, tokenised: bool | None = None) -> str:
    """``text`` respaced the way prose is written if it is tokenised, else as it is.

    ``tokenised`` says whether the text comes from a tokenised article (a sentence alone
    holds too few marks to tell); ``None`` asks :func:`is_tokenised` of the text itself."""
    if not text or not (is_tokenised(text) if tokenised is None else tokenised):
        return text
    lines = []
    for line in text.split("\n"):
        line = _singles(_paired(line, '"', _LOOSE_QUOTE))
        line = _HYPHEN.sub("-", line)
        line = _OPEN_BRACKET.sub(r"\1", line)
        line = _CLOSE_BRACKET.sub(r"\1", line)
        line = _CURRENCY.sub(r"\1", line)
        line = _CURLY_OPEN.sub(r"\1", line)
        line = _CURLY_CLOSE.sub(r"\1", line)
        line = respaced_marks(line)
        lines.append(line)
    return "\n".join(lines)
