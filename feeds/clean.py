"""Cleaning stored page text down to the article body.

Stored articles arrive as the page's whole visible text, one block a line: navigation menus, cookie
and login notices, newsletter and donation pleas, author bios, comment widgets, teaser lists and even
whole unrelated stories appended after the article.  This module keeps the article body and drops the
rest, from the text alone (no HTML), with general signals only:

* sentence-likeness of each line: length, terminal punctuation, stopword density;
* position: the body is one contiguous central region, boilerplate sits before and after it, so the
  region is found as the maximum-sum run of line scores (good prose scores positive, short
  title-like lines negative);
* runs of short title-like lines (menus, teaser and "related" lists) are barriers the region only
  crosses when strong prose lies on the far side;
* lexical cohesion: a paragraph sharing almost no vocabulary with the headline and the body's core is
  an appended story or a plea, not part of the article;
* repetition: exact or near duplicate paragraphs, and lines recurring across pages of one site.

Everything here is pure (no I/O); ``CleanOptions`` carries the few knobs, with one default
configuration for all data.
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from feeds.invisible import visible

log = logging.getLogger(__name__)

__all__ = ["CleanOptions", "clean_page_text", "repeated_lines", "normalise_line"]

_WORD = re.compile(r"\w+", re.UNICODE)
# Scripts written without spaces between words: count characters instead of words.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
# A line that ends like a sentence (allowing closing quotes/brackets after the stop).
_SENTENCE_END = re.compile(r"[.!?。！？…:;][\"'”’»)\]]*$")
_HASHTAG = re.compile(r"#\w")
_INNER_STOP = re.compile(r"\w[.!?。！？](?:\s|$)")

_MAX_POSTINGS = 4

_STOPWORD_LANGUAGES = ("english", "german", "french", "spanish", "portuguese", "italian", "swedish",
                       "polish", "czech", "slovak", "ukrainian", "greek", "korean")


@dataclass(frozen=True)
class CleanOptions:
    """Heuristic knobs for :func:`clean_page_text`; the defaults serve all sites and languages."""

    #: a line with fewer words than this is never prose on its own (menus, bylines, headings)
    min_prose_words: int = 8
    #: stopword share above which a line reads as running text in the page's language
    min_stopword_density: float = 0.22
    #: cost of each title-like or boilerplate line inside the body region
    line_penalty: float = 6.0
    #: words of prose that saturate a paragraph's score (one huge block must not carry the region)
    max_paragraph_score: float = 60.0
    #: extra share of the penalty for each further line of a run of non-prose lines (menus, lists)
    run_penalty: float = 1.0
    #: Jaccard overlap of word trigrams above which a paragraph repeats an earlier one
    near_duplicate: float = 0.7
    #: share of a paragraph's content words in the article's core vocabulary below which it is
    #: off topic (trimmed at the body's edges, and a divider between blocks inside it)
    min_cohesion: float = 0.1
    #: word overlap (Jaccard) with the headline for a line to count as the headline itself
    headline_match: float = 0.7
    #: mass multiplier for the first region after a line repeating the headline
    headline_bonus: float = 2.0
    #: share of the main block's prose below which a block past a boilerplate cluster is dropped
    minor_segment: float = 0.3
    #: how many alternative regions compete for being the body
    candidates: int = 4
    #: weight a region keeps even when it shares no word with the headline
    topic_floor: float = 0.25


def normalise_line(line: str) -> str:
    """Return ``line`` lower-cased, NFKC-folded and with whitespace collapsed (the repetition key)."""
    if not line.isascii():
        line = unicodedata.normalize("NFKC", line)
    return " ".join(line.casefold().split())


@functools.lru_cache(maxsize=1)
def _stopword_lists() -> dict[str, frozenset[str]]:
    """Load sumy's packaged stopword lists (read from the installed package, no network)."""
    try:
        from sumy.utils import get_stop_words
    except ImportError:  # pragma: no cover - sumy is a project dependency
        log.warning("sumy is not installed: cleaning without stopword lists")
        return {}
    lists = {}
    for language in _STOPWORD_LANGUAGES:
        try:
            lists[language] = frozenset(w.casefold() for w in get_stop_words(language))
        except LookupError:
            continue
    return lists


@dataclass(frozen=True)
class _Line:
    """One non-empty line of the page with the features the scorer needs."""

    index: int
    text: str
    key: str
    words: tuple[str, ...]
    size: float
    sentence: bool
    #: content words (not stopwords), filled in once the page's language is known
    content: frozenset[str] | None = None


def _features(index: int, text: str) -> _Line:
    words = tuple(_WORD.findall(text.casefold()))
    unspaced = 0 if text.isascii() else len(_UNSPACED.findall(text))
    # Chinese/Japanese/Thai lines are one "word" per run of characters; approximate a word count.
    size = max(len(words), unspaced / 2.0) if unspaced else float(len(words))
    sentence = bool(_SENTENCE_END.search(text) or _INNER_STOP.search(text))
    return _Line(index, text, normalise_line(text), words, size, sentence)


def _pick_stopwords(lines: list[_Line]) -> frozenset[str]:
    """Choose the stopword list that covers most of the page's words (the page's language).

    A page in a language without a list (Indonesian, Japanese...) gets an empty set, and the
    stopword test is skipped for it rather than rejecting every line.
    """
    counts = Counter(w for line in lines for w in line.words)
    total = sum(counts.values())
    if not total:
        return frozenset()
    best, best_share = frozenset(), 0.0
    frequent = counts.most_common(300)  # function words are among a page's most frequent words
    for words in _stopword_lists().values():
        share = sum(n for w, n in frequent if w in words) / total
        if share > best_share:
            best, best_share = words, share
    # Below this share the page's language has no list (a Korean page matched its list only this
    # weakly, particles being glued to words).
    return best if best_share >= 0.15 else frozenset()


def _stop_density(line: _Line, stopwords: frozenset[str]) -> float:
    if not line.words:
        return 0.0
    return sum(1 for w in line.words if w in stopwords) / len(line.words)


def _is_prose(line: _Line, stopwords: frozenset[str], options: CleanOptions) -> bool:
    """Whether a line reads like running text: long enough, punctuated, full of function words."""
    if line.size < options.min_prose_words:
        return False
    if not line.sentence and line.size < 2 * options.min_prose_words:
        # Teaser headlines are longish but carry no sentence punctuation.
        return False
    if stopwords and line.words and _stop_density(line, stopwords) < options.min_stopword_density:
        return False
    # A trail of hashtags marks a social-media teaser, not article prose.
    if len(_HASHTAG.findall(line.text)) >= 3:
        return False
    return True


def _trigrams(line: _Line) -> frozenset[tuple[str, ...]]:
    w = line.words
    return frozenset(zip(w, w[1:], w[2:]))


def _drop_repeats(lines: list[_Line], site_lines: frozenset[str], options: CleanOptions) -> list[bool]:
    """Mark lines that repeat an earlier line (exactly or nearly) or recur across the site's pages."""
    boiler = []
    seen: set[str] = set()
    by_gram: dict[tuple[str, ...], list[int]] = {}
    grams: list[frozenset] = []
    for i, line in enumerate(lines):
        repeat = line.key in seen or line.key in site_lines
        seen.add(line.key)
        g = _trigrams(line) if len(line.words) >= 8 and not repeat else frozenset()
        grams.append(g)
        if not g:
            boiler.append(repeat)
            continue
        # Trigrams shared by many lines say nothing about which line this one copies; skipping
        # them keeps the search linear on pages with a small vocabulary.
        shared: dict[int, int] = {}
        for t in g:
            postings = by_gram.get(t)
            if postings is None:
                by_gram[t] = [i]
            elif len(postings) <= _MAX_POSTINGS:
                for j in postings:
                    shared[j] = shared.get(j, 0) + 1
                postings.append(i)
        for j, n in shared.items():
            if n >= options.near_duplicate * len(g) and n / len(g | grams[j]) >= options.near_duplicate:
                repeat = True
                break
        boiler.append(repeat)
    return boiler


def _best_region(scores: list[float]) -> tuple[int, int, float]:
    """Return [start, end) and the sum of the maximum-sum contiguous run of scores (Kadane)."""
    best, best_span = float("-inf"), (0, 0)
    running, start = 0.0, 0
    for i, s in enumerate(scores):
        if running <= 0:
            running, start = s, i
        else:
            running += s
        if running > best:
            best, best_span = running, (start, i + 1)
    return best_span[0], best_span[1], best


def _candidate_regions(scores: list[float], count: int) -> list[tuple[int, int, float]]:
    """The ``count`` best non-overlapping positive regions, found by masking each one in turn."""
    masked = list(scores)
    found = []
    for _ in range(count):
        start, end, mass = _best_region(masked)
        if end <= start or mass <= 0:
            break
        found.append((start, end, mass))
        masked[start:end] = [float("-inf")] * (end - start)
    return found


def _headline_lines(lines: list[_Line], title: str, options: CleanOptions) -> set[int]:
    """Positions of lines that repeat the headline (the page's own h1, or a teaser linking to it).

    The headline printed on the page opens the article, so no body region spans it: what comes
    before it is navigation and teasers (a local news page listed twenty story summaries above its
    headline, and a teaser list below it repeated the same headline).
    """
    words = set(_features(-1, title).words)
    if not words:
        return set()
    found = set()
    for i, line in enumerate(lines):
        mine = set(line.words)
        if mine and len(mine & words) / len(mine | words) >= options.headline_match:
            found.add(i)
        elif mine and mine <= words and len(mine) >= options.headline_match * len(words):
            found.add(i)
        elif len(line.words) > len(words):
            # A teaser card: the headline run together with its summary on one line.
            opening = set(line.words[:len(words)])
            if len(opening & words) / len(opening | words) >= options.headline_match:
                found.add(i)
    return found


def _region_scores(lines: list[_Line], prose: list[bool], options: CleanOptions,
                   barriers: set[int] = frozenset()) -> list[float]:
    """Score each line: prose earns its (capped) word count, anything else costs a growing penalty."""
    scores = []
    run = 0  # non-prose lines in a row so far
    for i, (line, good) in enumerate(zip(lines, prose)):
        if i in barriers:
            run = 0
            scores.append(float("-inf"))
        elif good:
            run = 0
            scores.append(min(line.size, options.max_paragraph_score))
        else:
            # Each further line of a run costs more: one heading or caption inside the body is cheap
            # to cross, a menu or a "related articles" block is a wall.
            scores.append(-options.line_penalty * (1 + options.run_penalty * run))
            run += 1
    return scores


def _content_words(line: _Line, stopwords: frozenset[str]) -> frozenset[str]:
    if line.content is not None:
        return line.content
    return frozenset(w for w in line.words if len(w) > 2 and not w.isdigit()) - stopwords


def _choose_region(lines: list[_Line], scores: list[float], prose: list[bool], topic: set[str],
                   core: set[str], headline: set[int], options: CleanOptions,
                   stopwords: frozenset[str]) -> tuple[int, int]:
    """Pick the body among the strongest regions: mass weighted by how on-topic its paragraphs are.

    The case that needed it: a page whose footer (or header) holds a long list of teaser summaries
    outweighs a short article on mass alone, but the teasers share few words with the headline and
    the vocabulary of the paragraphs that do mention it.
    """
    candidates = _candidate_regions(scores, options.candidates)
    if not candidates:
        return 0, 0

    # The region that opens soonest after the printed headline is where articles begin (the h1 is
    # followed by byline and date, then the body); comment threads and teaser grids come later.
    after_headline = set()
    for h in headline:
        following = [c for c in candidates if c[0] > h]
        if following:
            after_headline.add(min(following)[:2])

    def weight(candidate: tuple[int, int, float]) -> float:
        start, end, mass = candidate
        if (start, end) in after_headline:
            mass *= options.headline_bonus
        total = on_topic = 0.0
        vocabulary = set()
        for line, good in zip(lines[start:end], prose[start:end]):
            if good:
                words = _content_words(line, stopwords)
                vocabulary |= words
                total += line.size
                on_topic += line.size * (len(words & core) / len(words) if words else 0.0)
        cohesion = on_topic / total if total and core else 0.0
        coverage = len(topic & vocabulary) / len(topic) if topic else 0.0
        return mass * (options.topic_floor + cohesion + coverage)

    best = max(candidates, key=weight)
    if log.isEnabledFor(logging.DEBUG):
        for c in candidates:
            log.debug("region %d-%d mass %.0f weight %.0f%s", lines[c[0]].index, lines[c[1] - 1].index,
                      c[2], weight(c), " *" if c is best else "")
    return best[0], best[1]


def _core_vocabulary(lines: list[_Line], prose: list[bool], topic: set[str],
                     stopwords: frozenset[str]) -> set[str]:
    """Words of the article's subject: the headline's, plus recurring words of on-topic paragraphs.

    A word counts when it recurs in two paragraphs and one of them mentions the headline (relevance
    feedback), or when it recurs in three paragraphs: body paragraphs that never repeat a headline
    word still count as on topic, while a blurb using its own jargon once does not.  The second
    route matters when the "headline" is itself page furniture (a login notice).
    """
    df: Counter[str] = Counter()
    linked: set[str] = set()
    for line, good in zip(lines, prose):
        if not good:
            continue
        words = _content_words(line, stopwords)
        df.update(words)
        if words & topic:
            linked |= words
    # In a short body three paragraphs are most of it; two then show a word recurring.
    need = 3 if sum(prose) > 5 else 2
    return set(topic) | {w for w in linked if df[w] >= 2} | {w for w, n in df.items() if n >= need}


def clean_page_text(text: str, title: str | None = None, site_lines: frozenset[str] = frozenset(),
                    options: CleanOptions = CleanOptions()) -> str:
    """Return the article body: kept paragraphs joined by '\\n'.

    ``text`` is the page's visible text, one block a line; ``title`` is the headline when known (it
    helps to tell the article from appended stories); ``site_lines`` are normalised lines known to recur
    across pages of the same site (see :func:`repeated_lines`), treated as boilerplate.
    """
    lines = [_features(i, raw.strip()) for i, raw in enumerate(visible(text).splitlines()) if raw.strip()]
    if not lines:
        return ""
    stopwords = _pick_stopwords(lines)
    lines = [_Line(line.index, line.text, line.key, line.words, line.size, line.sentence,
                   _content_words(line, stopwords)) for line in lines]
    repeat = _drop_repeats(lines, site_lines, options)
    prose = [_is_prose(line, stopwords, options) and not r for line, r in zip(lines, repeat)]
    topic = _content_words(_features(-1, title), stopwords) if title else set()

    headline = _headline_lines(lines, title, options) if title else set()
    # The page's own <title> as its first line says nothing about where the article starts.
    headline.discard(0)
    core = _core_vocabulary(lines, prose, topic, stopwords)
    # Pass 1: the strongest region that covers the headline.
    start, end = _choose_region(lines, _region_scores(lines, prose, options, headline), prose, topic,
                                core, headline, options, stopwords)
    if end <= start:
        return ""
    # A line whose copy also sits outside the body (a login notice at the top and bottom of the
    # page) is page furniture; a paragraph repeated only inside the body keeps its first copy.
    outside = {line.key for line in lines[:start] + lines[end:]}
    repeat = [r or line.key in outside for line, r in zip(lines, repeat)]
    inside = range(start, end)
    core = _core_vocabulary([lines[i] for i in inside], [prose[i] for i in inside], topic, stopwords)
    # Edges: pleas and bios sit where the body starts and ends; trim them while they are off topic.
    off_topic = [_is_weak(lines[i], prose[i], core, stopwords, options.min_cohesion) for i in inside]
    if all(off_topic[k] for k, i in enumerate(inside) if prose[i]):
        # No paragraph shares the "core" vocabulary: without a headline, a body whose paragraphs
        # each move on to new names (an essay, a short report) has no core to measure against,
        # and cohesion would drop the whole article. Then cohesion says nothing.
        core = set()
        off_topic = [_is_weak(lines[i], prose[i], core, stopwords, options.min_cohesion) for i in inside]
    drop = [False] * len(off_topic)
    for order in (range(len(off_topic)), range(len(off_topic) - 1, -1, -1)):
        for k in order:
            if not off_topic[k]:
                break
            drop[k] = True
    # Interior: two or more non-prose lines in a row are calls to action, captions or link lists;
    # a lone subheading stays.
    drop = [a or b for a, b in zip(drop, _runs([not prose[i] for i in inside]))]
    # Segments: the body's main block is cut off from teasers and bios by clusters of weak lines,
    # counting off-topic paragraphs as weak too, and each block is weighed by its on-topic words.
    loose = _runs(off_topic)
    on_topic = [0.0 if off else _cohesion(lines[i], core, stopwords) for i, off in zip(inside, off_topic)]
    drop = [a or b for a, b in zip(drop, _minor_segments(lines[start:end], loose, prose[start:end],
                                                         on_topic, options))]
    return "\n".join(lines[i].text for i, gone in zip(inside, drop) if not gone and not repeat[i])


def _cohesion(line: _Line, core: set[str], stopwords: frozenset[str]) -> float:
    """Share of the line's content words that belong to the article's core vocabulary (1.0 if unknown)."""
    if _UNSPACED.search(line.text) or not core:
        # Unspaced scripts have no word boundaries to compare vocabularies with.
        return 1.0
    words = _content_words(line, stopwords)
    return len(words & core) / len(words) if words else 1.0


def _is_weak(line: _Line, prose: bool, core: set[str], stopwords: frozenset[str],
             min_cohesion: float) -> bool:
    """Whether a line inside the body region may be boilerplate: not prose, or off the article's topic."""
    return not prose or _cohesion(line, core, stopwords) < min_cohesion


def _minor_segments(lines: list[_Line], clusters: list[bool], prose: list[bool],
                    on_topic: list[float], options: CleanOptions) -> list[bool]:
    """Mark the weak segments beyond the region's main block of prose.

    Clusters of weak lines split the region into segments; the one with the most on-topic prose is
    the body's core.  A segment past a cluster that holds much less prose than the core is a teaser summary or
    a reader comment that the region finder let in (one news aggregator page listed one-paragraph
    reports from other outlets right after its own summary), and is dropped with everything beyond.
    """
    segments = []  # [first, last) ranges between clusters
    i = 0
    while i < len(lines):
        if clusters[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and not clusters[j]:
            j += 1
        mass = sum(line.size * topical
                   for line, good, topical in zip(lines[i:j], prose[i:j], on_topic[i:j]) if good)
        segments.append((i, j, mass))
        i = j
    drop = [False] * len(lines)
    if len(segments) < 2:
        return drop
    main = max(range(len(segments)), key=lambda k: segments[k][2])
    floor = options.minor_segment * segments[main][2]
    last = main
    while last + 1 < len(segments) and segments[last + 1][2] >= floor:
        last += 1
    if last + 1 < len(segments):
        after = segments[last][1]
        drop[after:] = [True] * (len(lines) - after)
    first = main
    while first > 0 and segments[first - 1][2] >= floor:
        first -= 1
    if first > 0:
        before = segments[first][0]
        drop[:before] = [True] * before
    return drop


def _runs(weak: list[bool]) -> list[bool]:
    """Mark the runs of two or more consecutive weak lines.

    Boilerplate inside the body region comes in clusters (a newsletter heading with its blurb, a
    caption with its credit, a bio after a sign-up box); a lone weak line is more often a subheading
    or a paragraph that wanders off topic, which measuring showed costs more body text to drop than
    it removes noise.
    """
    drop = [False] * len(weak)
    i = 0
    while i < len(weak):
        if not weak[i]:
            i += 1
            continue
        j = i
        while j < len(weak) and weak[j]:
            j += 1
        if j - i >= 2:
            drop[i:j] = [True] * (j - i)
        i = j
    return drop


def repeated_lines(pages: Iterable[str], min_pages: int = 2) -> frozenset[str]:
    """Lines (normalised) that recur across several pages of the same site: boilerplate candidates,
    to pass as site_lines when cleaning each of those pages.

    A line counts once per page however often it appears there; lines found on at least ``min_pages``
    pages are returned, normalised with :func:`normalise_line`.
    """
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({normalise_line(line) for line in page.splitlines() if line.strip()})
    return frozenset(line for line, n in counts.items() if n >= max(1, min_pages))
