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

log = logging.getLogger(__name__)

__all__ = ["CleanOptions", "clean_page_text", "repeated_lines", "normalise_line"]

_WORD = re.compile(r"\w+", re.UNICODE)
# Scripts written without spaces between words: count characters instead of words.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
# A line that ends like a sentence (allowing closing quotes/brackets after the stop).
_SENTENCE_END = re.compile(r"[.!?。！？…:;][\"'”’»)\]]*$")
_HASHTAG = re.compile(r"#\w")
_INNER_STOP = re.compile(r"\w[.!?。！？](?:\s|$)")

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
    #: extra share of the penalty per non-prose line among the previous few (teaser lists, menus)
    run_penalty: float = 1.0
    #: how many previous lines that count looks at
    penalty_window: int = 4
    #: Jaccard overlap of word trigrams above which a paragraph repeats an earlier one
    near_duplicate: float = 0.8
    #: lowest share of a paragraph's content words found in the headline/body core to keep it
    min_cohesion: float = 0.1
    #: the same for paragraphs in the middle of the body region (they wander off topic more)
    min_inner_cohesion: float = 0.0
    #: word overlap (Jaccard) with the headline for a line to count as the headline itself
    headline_match: float = 0.7
    #: mass multiplier for the first region after a line repeating the headline
    headline_bonus: float = 2.0
    #: how many alternative regions compete for being the body
    candidates: int = 4
    #: weight a region keeps even when it shares no word with the headline
    topic_floor: float = 0.25


def normalise_line(line: str) -> str:
    """Return ``line`` lower-cased, NFKC-folded and with whitespace collapsed (the repetition key)."""
    return " ".join(unicodedata.normalize("NFKC", line).casefold().split())


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


def _features(index: int, text: str) -> _Line:
    words = tuple(w.casefold() for w in _WORD.findall(text))
    unspaced = len(_UNSPACED.findall(text))
    # Chinese/Japanese/Thai lines are one "word" per run of characters; approximate a word count.
    size = max(len(words), unspaced / 2.0) if unspaced else float(len(words))
    sentence = bool(_SENTENCE_END.search(text) or _INNER_STOP.search(text))
    return _Line(index, text, normalise_line(text), words, size, sentence)


def _pick_stopwords(lines: list[_Line]) -> frozenset[str]:
    """Choose the stopword list that covers most of the page's words (the page's language).

    A page whose language has no list (e.g. Indonesian) gets its own most frequent short words instead,
    which behave like function words in any language written with spaces.
    """
    counts = Counter(w for line in lines for w in line.words)
    total = sum(counts.values())
    if not total:
        return frozenset()
    best, best_share = frozenset(), 0.0
    for words in _stopword_lists().values():
        share = sum(n for w, n in counts.items() if w in words) / total
        if share > best_share:
            best, best_share = words, share
    # Below this share the page's language has no list (Korean particles, Indonesian...): the
    # stopword test is then skipped rather than rejecting every line.
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
    return frozenset(tuple(w[i:i + 3]) for i in range(max(0, len(w) - 2)))


def _drop_repeats(lines: list[_Line], site_lines: frozenset[str], options: CleanOptions) -> list[bool]:
    """Mark lines that repeat an earlier line (exactly or nearly) or recur across the site's pages."""
    boiler = []
    seen: set[str] = set()
    by_gram: dict[tuple[str, ...], list[int]] = {}
    grams: list[frozenset] = []
    for i, line in enumerate(lines):
        repeat = line.key in seen or line.key in site_lines
        seen.add(line.key)
        g = _trigrams(line) if len(line.words) >= 8 else frozenset()
        grams.append(g)
        if g and not repeat:
            candidates = Counter(j for t in g for j in by_gram.get(t, ()))
            for j, shared in candidates.most_common(3):
                if shared / len(g | grams[j]) >= options.near_duplicate:
                    repeat = True
                    break
            if not repeat:
                for t in g:
                    by_gram.setdefault(t, []).append(i)
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
    recent: list[bool] = []  # whether each of the last few lines was non-prose
    for i, (line, good) in enumerate(zip(lines, prose)):
        if i in barriers:
            scores.append(float("-inf"))
        elif good:
            scores.append(min(line.size, options.max_paragraph_score))
        else:
            # A non-prose line costs more the more non-prose lines precede it: one heading or caption
            # inside the body is cheap to cross, a menu is a wall, and so is a teaser list where
            # headlines alternate with one-paragraph summaries.
            scores.append(-options.line_penalty * (1 + options.run_penalty * sum(recent)))
        recent = (recent + [not good])[-options.penalty_window:] if not good or options.penalty_window \
            else []
    return scores


def _content_words(line: _Line, stopwords: frozenset[str]) -> set[str]:
    return {w for w in line.words if len(w) > 2 and w not in stopwords and not w.isdigit()}


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
    feedback), so body paragraphs that never repeat a headline word still count as on topic while a
    newsletter blurb repeating its own jargon does not.  Without a headline (or no paragraph
    mentioning it), words recurring in three paragraphs stand in for it.
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
    if linked:
        return set(topic) | {w for w in linked if df[w] >= 2}
    return set(topic) | {w for w, n in df.items() if n >= 3}


def clean_page_text(text: str, title: str | None = None, site_lines: frozenset[str] = frozenset(),
                    options: CleanOptions = CleanOptions()) -> str:
    """Return the article body: kept paragraphs joined by '\\n'.

    ``text`` is the page's visible text, one block a line; ``title`` is the headline when known (it
    helps to tell the article from appended stories); ``site_lines`` are normalised lines known to recur
    across pages of the same site (see :func:`repeated_lines`), treated as boilerplate.
    """
    lines = [_features(i, raw.strip()) for i, raw in enumerate(text.splitlines()) if raw.strip()]
    if not lines:
        return ""
    stopwords = _pick_stopwords(lines)
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
    inside = range(start, end)
    core = _core_vocabulary([lines[i] for i in inside], [prose[i] for i in inside], topic, stopwords)
    # Edges: pleas and bios sit where the body starts and ends; trim them while they are off topic.
    off_topic = [_is_weak(lines[i], prose[i], core, stopwords, options.min_cohesion) for i in inside]
    drop = [False] * len(off_topic)
    for order in (range(len(off_topic)), range(len(off_topic) - 1, -1, -1)):
        for k in order:
            if not off_topic[k]:
                break
            drop[k] = True
    # Interior: clusters of calls to action, captions and link lists.
    weak = [_is_weak(lines[i], prose[i], core, stopwords, options.min_inner_cohesion) for i in inside]
    drop = [a or b for a, b in zip(drop, _boilerplate_clusters(weak))]
    return "\n".join(lines[i].text for i, gone in zip(inside, drop) if not gone and not repeat[i])


def _is_weak(line: _Line, prose: bool, core: set[str], stopwords: frozenset[str],
             min_cohesion: float) -> bool:
    """Whether a line inside the body region may be boilerplate: not prose, or off the article's topic."""
    if not prose:
        return True
    if _UNSPACED.search(line.text) or not core:
        # Unspaced scripts have no word boundaries to compare vocabularies with.
        return False
    words = _content_words(line, stopwords)
    return bool(words) and len(words & core) / len(words) < min_cohesion


def _boilerplate_clusters(weak: list[bool]) -> list[bool]:
    """Mark runs of two or more weak lines that hold at least one off-topic paragraph... for dropping.

    Newsletter blurbs, donation pleas and author bios sit inside the body region as clusters: a
    short call to action next to a paragraph about something else (the outlet, the author).  A lone
    subheading or a lone paragraph that happens to share no words with the rest stays: articles do
    wander, and dropping every such line cost more body text than it removed noise.
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
