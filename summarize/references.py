"""References a reader must have met before a sentence can use them: a thing of a kind.

:mod:`summarize.names` reads people's names; this module reads the other things a sentence
takes as known: a term it explains whose use the summary left out ("Juche is the ideology of
..." with no Juche told), and a comparison with "Other ..." things of a kind the summary has
not named ("Other denizens of the forum").
"""
from __future__ import annotations

import re
from typing import Sequence

from core.models import Article


def named(noun: str, known: set[str]) -> bool:
    """Whether the summary's words hold the noun, in the singular or the plural."""
    stem = noun[:-1] if noun.endswith("s") and len(noun) > 3 else noun
    forms = {noun, stem, stem + "s", stem + "es"}
    if noun.endswith("ies"):
        forms.add(noun[:-3] + "y")
    elif noun.endswith("y"):
        forms.add(noun[:-1] + "ies")
    return not forms.isdisjoint(known)


# "Juche is the ideology of ...", "Sharia refers to ...": a sentence that explains a term.
_DEFINITION = re.compile(r"^[\"\u201c]?([A-Z][\w'\u2019-]+)\s+(?:is|are|was|were|refers\s+to|means)\s+(?:a|an|the)\s")


def articles_using(text: str, articles: Sequence[Article]) -> int:
    """How many of the story's articles use the term a sentence explains (:data:`_DEFINITION`)."""
    match = _DEFINITION.match(text.lstrip())
    if not match:
        return 0
    term = re.compile(rf"\b{re.escape(match.group(1))}\b")
    return sum(1 for article in articles if term.search(article.text or ""))


# "Other types of artificial heart have been ...", "Other denizens of the forum ...": a comparison
# with a thing of the same kind told before.
_OTHER = re.compile(r"^[\"\u201c]?Other\s+([a-z][\w-]*)(?:\s+of\s+(?:the\s+|a\s+|an\s+)?(?:[a-z][\w'\u2019-]*\s+)?([a-z][\w-]*))?")


def compares_unnamed(text: str, known: set[str]) -> bool:
    """Whether a sentence opens on "Other ..." comparing with something the summary has not
    named: "Other denizens of the forum" with no forum told. "Other types of artificial heart"
    after an artificial heart was told compares with what the reader has met."""
    match = _OTHER.match(text.lstrip())
    if not match:
        return False
    return not any(word and named(word, known) for word in match.groups())


def defines_unnamed(text: str, before: str, known: set[str]) -> bool:
    """Whether a sentence explains a term its article used before (in ``before``, its text up
    to the sentence) and the summary has not: the explanation of a word the reader never met.
    (:func:`summarize.lead.compose` applies it to a term only one article of the story uses: a term the
    story's sources share is the story's own, and its explanation helps the reader.)"""
    match = _DEFINITION.match(text.lstrip())
    if not match or match.group(1).lower() in known:
        return False
    return re.search(rf"\b{re.escape(match.group(1))}\b", before) is not None
