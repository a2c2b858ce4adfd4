"""What kind of document a story's article is: a report, or a page that is no article at all.

A story's summary starts from one article's lead and adds other sources' sentences, so a
document that is not a report of the story must give it nothing. Blind readers marked a
summary 1 of 5 when it was built on such a page. Three kinds are recognised here, each by its
shape rather than by any site's phrases:

* a **page notice**: the stored text is a web archive's note about its crawls and
  collections (kept in place of a page it did not capture), a note that the page is not
  available, or the like: most of its sentences talk about crawling, archiving and the
  page's own data rather than about events;
* a **reference page**: an encyclopedia's or a paper's text, recognised by its section
  "[ edit ]" links and footnote marks ("[3]", "(ref. 12)"): background, not a report;
* an **isolated text**: in a story of three or more texts whose others share names (people,
  places, bodies), a text that shares no name with any of them tells of something else (a
  site's plug for its own databases beside an obituary, an unrelated study).
"""
from __future__ import annotations

import re
from typing import AbstractSet as Set, Sequence

from summarize import facts
from summarize.sentences import sentence_spans, stemmer, stop_words

# What a web archive's or a site's notice about itself talks about: crawls, archived pages,
# its collections and data, whether they can be reached.
_NOTICE_WORDS = re.compile(
    r"\b(?:crawl(?:s|ed|er|ers|ing)?|wayback\s+machine|web[\s-]+archiv\w*|internet\s+archive|archive-it|"
    r"seed\s*-?list|warc\s+files?|web\s+collections?|(?:this|these)\s+(?:collection|data\s+set|files)\b|"
    r"not\s+(?:currently\s+)?publicly\s+accessible|(?:page|url)\b[^.]{0,40}\bcould\s+not\s+be\s+found|"
    r"seed\s+for\b|URLs\b|inter-?domain)",
    re.IGNORECASE)
# The share of a page's sentences about such things from which the page is a notice, not an article.
NOTICE_SHARE = 0.3
# A notice says what it is at once: only its first sentences are read.
NOTICE_SENTENCES = 20

# Words of the calendar are shared by texts on any subject: they are no sign of one story.
_CALENDAR = facts.CALENDAR | frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
_CAPITALISED = re.compile(r"\b[A-Z][\w'\u2019-]*[a-z][\w'\u2019-]*|\b[A-Z]{2,}\b")


def page_notice(text: str) -> bool:
    """Whether a stored page is a notice about the page or its archive rather than an article.

    ``NOTICE_SHARE`` or more of its first ``NOTICE_SENTENCES`` sentences speak of crawls,
    archived pages, the page's collection or data, or a page that cannot be found.
    """
    spans = sentence_spans(text or "")[:NOTICE_SENTENCES]
    if not spans:
        return False
    hits = sum(1 for start, end in spans if _NOTICE_WORDS.search(text, start, end))
    return hits > 0 and hits >= NOTICE_SHARE * len(spans)


# A reference page copied as text: its sections' "[ edit ]" links and its footnote marks "[3]".
# A paper marks them "(ref. 12)" or glues their numbers to a word ("beneath the volcano9,17").
_REFERENCE_MARKS = re.compile(r"\[\s*edit\s*\]|\[\d{1,3}\]|\(refs?\.\s*\d{1,3}|[a-z]\d{1,2}(?:,\d{1,2})+\b")
# How many such marks in a page's opening make it a reference page rather than a report.
REFERENCE_MARKS = 3
REFERENCE_CHARS = 5000


def reference_page(text: str) -> bool:
    """Whether a page is an encyclopedia's or a paper's text, with its "[ edit ]" links and
    footnote marks ("[3]", "(ref. 12)", "volcano9,17"): background on a subject, not a report."""
    return len(_REFERENCE_MARKS.findall((text or "")[:REFERENCE_CHARS])) >= REFERENCE_MARKS


def no_article(text: str) -> bool:
    """Whether a stored page is no report at all: a notice (:func:`page_notice`) or a
    reference page (:func:`reference_page`)."""
    return page_notice(text) or reference_page(text)


def capitalised(text: str, language: str = "english") -> set[str]:
    """The stems of every capitalised word of ``text``, a sentence's first word included (a
    name that opens a sentence is still a name another text may share)."""
    stem, stop = stemmer(language), stop_words(language)
    return {stem(w.lower()) for w in _CAPITALISED.findall(text) if w.lower() not in stop}


def isolated(names: Sequence[Set[str]], capitals: Sequence[Set[str]] | None = None) -> list[bool]:
    """Per text: whether it shares no name with the story's other texts while they share names.

    ``names`` are each text's names (as :func:`summarize.facts.marks` gives them: not the
    first word of a sentence), ``capitals`` each text's capitalised words (:func:`capitalised`,
    the names by default): two texts share a name when a name of one is among the other's
    capitalised words. Only a story of three or more texts with names can tell which text
    is the odd one: of two texts that share nothing, neither is more the story than the
    other. A text with no names at all gives no sign either way and is kept.
    """
    marks = [set(n) - _CALENDAR for n in names]
    loose = [set(c) - _CALENDAR for c in (capitals if capitals is not None else names)]

    def share(a: int, b: int) -> bool:
        return bool(marks[a] & loose[b] or marks[b] & loose[a])

    live = [a for a, n in enumerate(marks) if n]
    result = [False] * len(marks)
    if len(live) < 3:
        return result
    for a in live:
        others = [b for b in live if b != a]
        if any(share(a, b) for b in others):
            continue
        # the others must be one story: some two of them share a name
        result[a] = any(share(b, c) for k, b in enumerate(others) for c in others[k + 1:])
    return result
