"""The sentences of a story that may enter its summary, with where each stands and what it needs.

Every article is split into sentences (:mod:`summarize.sentences`); page furniture
(:mod:`summarize.furniture`) is dropped and wire datelines are cut; each remaining sentence
is kept with its place (article, position, lead index, paragraph), whether it reads as news
prose, and what it leans on (:mod:`summarize.coherence`): a word pointing back, a quotation
left open, a definite subject its article introduced, a question it answers. Per article
only the first ``lead_sentences`` usable sentences are read.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from core.models import Article
from summarize import coherence, furniture
from summarize.sentences import paragraph_spans

if TYPE_CHECKING:
    from summarize.summary import SummaryOptions


@dataclass(frozen=True)
class Candidate:
    """A sentence that may enter the summary, with where it came from and what it needs."""

    text: str
    article: int      # index of the article in the story
    position: int     # index of the sentence among all sentences of its article
    lead: int         # index among the article's usable sentences (0 = its lead)
    paragraph: int
    words: int
    usable: bool      # False when kept only as a fallback to reach min_sentences
    start: int = 0    # where the sentence starts in its article's text (past a wire dateline)
    back: bool = False               # opens on a word pointing back to the sentence before
    quote: int = 0                   # +1 opens a quotation left open, -1 closes one opened before
    inside: bool = False             # stands inside a quotation opened by an earlier sentence
    heads: tuple[str, ...] = ()      # a definite subject ("The deadline") its article introduced earlier
    preview: bool = False            # tells what is expected, not what happened
    answers: bool = False            # follows a question it answers ("A fellow ..., of course.")


def is_prose(text: str, words: int, options: SummaryOptions) -> bool:
    """Whether a sentence looks like a complete sentence of news prose."""
    if not options.min_sentence_words <= words <= options.max_sentence_words:
        return False
    stripped = text.rstrip("\"'\u201d\u2019)] ")
    if not stripped or stripped[-1] not in ".!" or text.rstrip().endswith(":"):
        # headings, captions and button rows have no full stop; a question is a teaser, not a finding
        return False
    if stripped[-1] == "!" and not any(q in text for q in "\"\u201c\u201d"):
        return False  # an exclamation outside a quotation is a plea or a promotion, not a report
    first = text.lstrip("\"'\u201c\u2018([- ")[:1]
    if first.islower() or not first:
        return False  # starts mid-sentence: a fragment left by a broken line or quote
    if coherence.writer_voice(text, plural_only=True):
        return False  # the writer's own voice ("we at the company", "our journey"): a letter or a blog
    # SHOUTED teaser or heading
    return sum(map(str.isupper, text)) <= 0.5 * sum(map(str.isalpha, text))


def _article_candidates(a: int, text: str, options: SummaryOptions, limit: int | None) -> list[Candidate]:
    """The sentences of one article that are not furniture, with their place and quotation state.

    Splitting stops once ``limit`` usable sentences (and room for what the last ones lean
    on) are found: on a big story most of an article is never read.
    """
    kept: list[Candidate] = []
    lead, position = 0, 0
    previous_end = (False, False)  # whether the two sentences before were questions
    previous_label = False          # whether the sentence before was a speaker's label ("PELLEY:")
    stop = None if limit is None else limit + options.max_unit_sentences
    for paragraph, line in enumerate(paragraph_spans(text)):
        # A picture credit ("Photo: ...") makes its whole line a caption block: the
        # sentences beside it describe the picture ("The envoy speaks to reporters.").
        # (A credit alone on its line is furniture by itself.)
        caption = len(line) > 1 and any(furniture.is_credit(text[s:e]) for s, e in line)
        open_quote = False
        for k, (start, end) in enumerate(line):
            position += 1
            cut = furniture.prose_start(text[start:end])
            sentence = text[start + cut:end]
            words = len(sentence.split())  # whitespace tokens: cheap, and close enough for length rules
            balance = coherence.quote_balance(sentence)
            inside = open_quote and balance == 0
            if balance:
                open_quote = balance > 0
            # a question one or two sentences back (a speaker's label may stand between)
            asked = previous_end[-1] or previous_end[-2] and previous_label
            previous_label = sentence.rstrip().endswith(":")
            previous_end = (previous_end[-1], sentence.rstrip("\"'\u201d\u2019) ").endswith("?"))
            if words < 3 or caption or furniture.is_furniture(sentence, len(line) == 1):
                continue
            usable = is_prose(sentence, words, options)
            # an answer leans on its question: one asked just before in its paragraph, or on
            # the line before when the answer is short
            answers = asked and (k > 0 or words < 12)
            kept.append(Candidate(sentence, a, position - 1, lead, paragraph, words, usable, start + cut,
                                   quote=balance, inside=inside, answers=answers))
            lead += usable
        if stop is not None and lead > stop:
            break
    return kept


def _mentioned(noun: str, lowered: str, before: int) -> bool:
    """Whether ``noun`` (or its plural or singular) occurs in the lower-cased article text before ``before``."""
    stem = noun[:-1] if noun.endswith("s") and len(noun) > 3 else noun
    start = lowered.find(stem, 0, before)
    while start >= 0:
        after = start + len(stem)
        tail = lowered[after:after + 3]
        if (start == 0 or not lowered[start - 1].isalnum()) and \
                (not tail[:1].isalnum() or tail[:1] == "s" and not tail[1:2].isalnum()
                 or tail[:2] == "es" and not tail[2:3].isalnum()):
            return True
        start = lowered.find(stem, after, before)
    return False


def candidates(articles: Sequence[Article], options: SummaryOptions) -> list[Candidate]:
    """Split the articles and keep the sentences worth ranking, lead sentences first."""
    limit = options.lead_sentences
    if limit is not None and len(articles) * limit > options.max_candidates:
        # The round-robin cap below keeps about max_candidates / articles leads of each
        # article; reading twice that many (at least ten) leaves room for short articles
        # to hand their share to longer ones.
        limit = min(limit, max(10, 2 * math.ceil(options.max_candidates / len(articles))))
    per_article = [_article_candidates(a, article.text or "", options, limit) for a, article in enumerate(articles)]
    usable = [[c for c in cands if c.usable] for cands in per_article]
    if sum(map(len, usable)) < options.min_sentences:
        # short story: let the looser sentences compete too, each standing on its own
        usable = [[dataclasses.replace(c, usable=True) for c in cands] for cands in per_article]
    if options.lead_sentences is not None:
        usable = [cands[:options.lead_sentences] for cands in usable]
    # round-robin by lead position so a cap keeps every article's opening
    merged = sorted((c for cands in usable for c in cands), key=lambda c: (c.lead, c.article, c.position))
    merged = merged[:options.max_candidates]
    # What a sentence leans on is read only for the sentences that made the cut: on a big
    # story most sentences never do.
    lowered: dict[int, str] = {}
    annotated = []
    for c in merged:
        if c.article not in lowered:
            lowered[c.article] = (articles[c.article].text or "").lower()
        heads = tuple(h for h in coherence.definite_heads(c.text) if _mentioned(h, lowered[c.article], c.start))
        annotated.append(dataclasses.replace(c, back=coherence.points_back(c.text), heads=heads[:1],
                                             preview=coherence.is_preview(c.text)))
    return sorted(annotated, key=lambda c: (c.article, c.position))
