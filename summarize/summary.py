"""Extractive multi-document summaries of one story, picked the way an editor would.

The pipeline for one story:

1. the candidates (:mod:`summarize.candidates`): every article split into sentences
   (:mod:`summarize.sentences`, blingfire, offline), the sentences shaped like news prose
   kept, page furniture dropped (:mod:`summarize.furniture`: captions, credits, prompts,
   labels, player controls, editor's notes) and wire datelines and live-blog stamps cut; per
   article only the first ``lead_sentences``: news puts the event in its first paragraphs,
   and the cap keeps a 9,000-sentence story fast; a document that is no report of the story
   (an archive's note, a reference page, a text about something else: :mod:`summarize.doctype`)
   gives none;
2. rank the candidates with a sumy summarizer chosen by name
   (:data:`summarize.ranking.METHODS`), mixed with a lead prior, a bonus for the articles
   closest to the story as a whole and a small one for later reporting;
3. read what each sentence needs (:mod:`summarize.coherence`): a sentence that points back
   comes only with the sentence before it, a quotation only whole, an answer only with its
   question, and a preview of what was expected is left out when the story reports how it
   turned out;
4. compose (:mod:`summarize.lead`, the default): the lead of the article that best
   represents the story, in its own order, and from other sources only what adds news and
   can stand where it is placed; the reading order is that of the composition;
5. without ``home_lead`` (or when no article's lead stands on its own): anchor on the
   best-scored self-contained lead sentence, add the best remaining sentences (with what
   they need) that tell something not yet told — compared on figures, names and content
   words (:mod:`summarize.facts`) as well as TF-IDF cosine — within the sentence and word
   budget, and read the anchor's article first, then the others by time, each in article
   order.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Collection, Sequence

import numpy as np
from scipy import sparse

from core.models import Article, SummarySentence
from summarize import coherence, doctype, facts, lead as home_lead
from summarize.candidates import Candidate, candidates as candidate_sentences
from summarize.ranking import (METHODS, FastLexRankSummarizer, FastTextRankSummarizer, _RankRecorder,  # noqa: F401
                               _scale, build_document, content_terms, make_summarizer, rate_sentences,
                               tfidf_vectors)
from summarize.sentences import SentenceSplitter, split_words

log = logging.getLogger(__name__)

__all__ = ["METHODS", "FastLexRankSummarizer", "FastTextRankSummarizer", "SummaryOptions", "summarize_story",
           "build_document", "content_terms", "make_summarizer", "rate_sentences", "tfidf_vectors"]


@dataclass(frozen=True)
class SummaryOptions:
    """How a story's summary is made.

    ``max_sentences`` and ``max_words`` both cap the summary (either may be ``None``): a
    sentence is added only while the summary stays within ``max_words``, except that
    ``min_sentences`` may stretch it by 15 %. ``min_sentences`` is reached whenever
    the story has that many usable, self-contained, non-redundant sentences.
    """

    method: str = "lexrank"
    max_sentences: int | None = 5
    min_sentences: int = 3
    max_words: int | None = 120
    language: str = "english"
    lead_sentences: int | None = 30    # candidates taken from the start of each article
    max_candidates: int = 1500         # whole-story cap, filled round-robin by lead position
    min_sentence_words: int = 6
    max_sentence_words: int = 60
    lead_weight: float = 0.5           # weight of the lead prior against centrality (0..1 scale each)
    lead_decay: float = 8.0            # the lead prior halves at this many usable sentences in
    article_weight: float = 0.3        # bonus for sentences of the articles closest to the whole story
    recency_weight: float = 0.1        # bonus for the latest reporting (0 for the earliest article)
    min_article_closeness: float = 0.05  # cosine to the other articles below which an article is another text
    redundancy: float = 0.3            # TF-IDF cosine above which two sentences say the same thing
    repeat: float = 0.5                # TF-IDF cosine above which a sentence repeats one already sent
    anchor_leads: int = 2              # the opening sentence is among the first this many of its article
    max_unit_sentences: int = 3        # a sentence and what it leans on (antecedent, rest of a quotation)
    # True: add sentences while the summary is shorter than max_words, so the last one may
    # cross it (for a reader, or a scorer, that cuts the text at the budget itself)
    fill_budget: bool = False
    # True: the summary is the lead of the article that best represents the story, with what
    # other sources add (:mod:`summarize.lead`); False: the best-scored sentences of all sources
    home_lead: bool = True


# ---- scores ------------------------------------------------------------------------------

def _article_closeness(candidates: Sequence[Candidate], vectors: sparse.csr_matrix,
                       article_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per article: how close it is to the story as a whole (scaled 0..1), and to the other articles (cosine).

    A story often has one full report and several short follow-ups or side pieces; the
    article that shares most with the others tells the main event, so its sentences get
    a bonus. Articles are compared through their candidate sentences only, which keeps
    this cheap on big stories.
    """
    membership = sparse.csr_matrix((np.ones(len(candidates)), ([c.article for c in candidates],
                                    np.arange(len(candidates)))), shape=(article_count, len(candidates)))
    profiles = np.asarray((membership @ vectors).todense())
    norms = np.linalg.norm(profiles, axis=1, keepdims=True)
    profiles = np.divide(profiles, norms, out=np.zeros_like(profiles), where=norms > 0)
    others = profiles.sum(axis=0, keepdims=True) - profiles
    other_norms = np.linalg.norm(others, axis=1)
    to_others = np.divide((profiles * others).sum(axis=1), other_norms, out=np.zeros(article_count),
                          where=other_norms > 0)
    return _scale(profiles @ profiles.mean(axis=0)), to_others


def _off_story(candidates: Sequence[Candidate], articles: Sequence[Article], to_others: np.ndarray,
               options: SummaryOptions) -> np.ndarray:
    """Per candidate: whether its article is no report of the story.

    Pages stored with an article sometimes carry another text entirely (an archive's note
    about its crawls, a reader review, a sign-up page): such an article's sentences
    never reach the summary. An article is off the story when it shares next to nothing with
    the rest (cosine below ``min_article_closeness``), when it is no article (a page's or an
    archive's notice about itself, an encyclopedia's page: :func:`summarize.doctype.no_article`), or when, among three or more
    texts that share names, it shares none (:func:`summarize.doctype.isolated`). When that
    leaves no article, the fullest that is no notice stays, so a story of two unrelated texts
    is still told from its fuller one; a story told only by notices is told from them (it is
    about the archive).
    """
    count = len(to_others)
    sizes = np.bincount([c.article for c in candidates], minlength=count)
    notices = np.array([doctype.no_article(a.text or "") for a in articles], dtype=bool)
    if notices.all():
        notices[:] = False
    names: list[set[str]] = [set() for _ in range(count)]
    capitals: list[set[str]] = [set() for _ in range(count)]
    for c in candidates:
        if c.usable and not notices[c.article]:
            names[c.article] |= facts.marks(c.text, options.language).names
            capitals[c.article] |= doctype.capitalised(c.text, options.language)
    off = (to_others < options.min_article_closeness) & (sizes > 0) | notices \
        | np.array(doctype.isolated(names, capitals), dtype=bool)
    if off[sizes > 0].all():
        off[int(np.argmax(np.where(notices, -1, sizes)))] = False
    return off[[c.article for c in candidates]]


def _recency(candidates: Sequence[Candidate], articles: Sequence[Article]) -> np.ndarray:
    """Per candidate: how late its article was published among the story's (0 earliest .. 1 latest)."""
    times = np.array([_timestamp(articles[c.article].published) for c in candidates])
    return _scale(times) if len(times) and times.max() > times.min() else np.zeros(len(candidates))


def _superseded(candidates: Sequence[Candidate], articles: Sequence[Article], language: str) -> np.ndarray:
    """Per candidate: a preview whose outcome the story also reports.

    A preview ("are due to sit down on Monday") is superseded by a sentence that tells
    what happened (a past or perfect form, no expectation) and shares the event's marks
    with it: a good share of its content words and, where the preview names anyone, a
    name. Only outcomes from reports no older than the preview count, and only the
    first four sentences of an article, where an outcome is told.
    """
    result = np.zeros(len(candidates), dtype=bool)
    previews = [i for i, c in enumerate(candidates) if c.preview]
    if not previews:
        return result
    outcomes = [i for i, c in enumerate(candidates) if not c.preview and c.lead < 4
                and coherence.tells_outcome(c.text)]
    times = [_timestamp(a.published) for a in articles]
    for p in previews:
        mp = facts.marks(candidates[p].text, language)
        when = times[candidates[p].article]
        for o in outcomes:
            if times[candidates[o].article] < when:
                continue
            mo = facts.marks(candidates[o].text, language)
            shared = mp.terms & mo.terms
            if len(shared) >= 3 and len(shared) >= 0.25 * len(mp.terms) and (not mp.names or mp.names & mo.names):
                result[p] = True
                break
    return result


# ---- composing the summary -----------------------------------------------------------------

def _unit(i: int, candidates: Sequence[Candidate], at: dict[tuple[int, int], int], known: set[str],
          options: SummaryOptions) -> tuple[int, ...] | None:
    """The sentences that must enter together with candidate ``i``, in article order; None if impossible.

    Walk back while the first sentence leans on the one before it (a word pointing back, a
    definite subject the summary has not named, the middle or end of a quotation), and
    forward while a quotation is left open within its paragraph. Each step must find the
    very next sentence of the article among the candidates.
    """
    unit = [i]

    def needs_previous(j: int) -> bool:
        c = candidates[j]
        unresolved = c.heads and not any(h in known or h.rstrip("s") in known for h in c.heads)
        return c.back or c.inside or c.answers or c.quote < 0 or bool(unresolved)

    while needs_previous(unit[0]) or sum(candidates[j].quote for j in unit) < 0:
        first = candidates[unit[0]]
        previous = at.get((first.article, first.position - 1))
        if previous is None or len(unit) >= options.max_unit_sentences:
            return None
        if (first.inside or first.quote < 0) and candidates[previous].paragraph != first.paragraph:
            return None  # the quotation began in a paragraph of its own: no clean start
        unit.insert(0, previous)
    while sum(candidates[j].quote for j in unit) > 0:
        last = candidates[unit[-1]]
        following = at.get((last.article, last.position + 1))
        if following is None or candidates[following].paragraph != last.paragraph:
            return None  # the quotation runs on past its paragraph: no clean end
        if len(unit) >= options.max_unit_sentences:
            return None
        unit.append(following)
    return tuple(unit)


def _repeats_any(j: int, chosen: Sequence[int], candidates: Sequence[Candidate], vectors: sparse.csr_matrix,
                 options: SummaryOptions) -> bool:
    """Whether candidate ``j`` says again what a chosen sentence says (same words or same fact)."""
    if not chosen:
        return False
    similarity = (vectors[list(chosen)] @ vectors[j].T).toarray().ravel()
    if similarity.max() > options.redundancy:
        return True
    return any(facts.restates(candidates[j].text, candidates[k].text, options.language) for k in chosen)


def _compose(candidates: Sequence[Candidate], scores: np.ndarray, vectors: sparse.csr_matrix,
             options: SummaryOptions, blocked: np.ndarray,
             articles: Sequence[Article] = (),
             forms: dict[str, set[str]] | None = None) -> tuple[list[int], tuple[int, ...], bool]:
    """Pick the anchor and the sentences that follow it; returns (chosen, anchor unit, in reading order).

    With ``options.home_lead`` the home article's lead and what other sources add
    (:func:`summarize.lead.compose`, given the story's name ``forms`` when known); when no
    lead stands on its own, or without the option, the best-scored sentences of all sources
    after the best self-contained lead sentence.
    """
    at = {(c.article, c.position): i for i, c in enumerate(candidates)}
    if options.home_lead and articles:
        chosen, anchor = home_lead.compose(
            candidates, scores, blocked, articles, options,
            unit_of=lambda i, known: _unit(i, candidates, at, known, options),
            repeats=lambda j, chosen: _repeats_any(j, chosen, candidates, vectors, options),
            copies=lambda j, chosen: bool((vectors[chosen] @ vectors[j].T).max() > options.repeat) or any(
                facts.same_words(candidates[j].text, candidates[k].text, options.language) for k in chosen),
            forms=forms)
        if chosen and options.max_words is not None and options.max_words <= home_lead.EMAIL_WORDS:
            return chosen, anchor, True
        if chosen:
            # longer than an email's paragraph: the lead-composed opening, then the best
            # remaining sentences (each with what it leans on), article by article
            more = _fill(list(chosen), candidates, scores, vectors, options, blocked, at)[len(chosen):]
            more.sort(key=lambda i: (_timestamp(articles[candidates[i].article].published),
                                     candidates[i].article, candidates[i].position))
            return chosen + more, anchor, True
    order = [int(i) for i in np.argsort(-scores, kind="stable") if not blocked[i]]
    budget = options.max_words

    anchor: tuple[int, ...] = ()
    for i in order:
        c = candidates[i]
        if c.lead < options.anchor_leads and c.usable and _unit(i, candidates, at, set(), options) == (i,) \
                and (budget is None or c.words <= budget):
            anchor = (i,)
            break
    if not anchor:
        for i in order:
            unit = _unit(i, candidates, at, set(), options)
            if unit and not any(blocked[j] for j in unit):
                anchor = unit
                break
    if not anchor:
        return [], (), False
    return _fill(list(anchor), candidates, scores, vectors, options, blocked, at), anchor, False


def _fill(chosen: list[int], candidates: Sequence[Candidate], scores: np.ndarray, vectors: sparse.csr_matrix,
          options: SummaryOptions, blocked: np.ndarray, at: dict[tuple[int, int], int]) -> list[int]:
    """``chosen`` and after it the best-scored units (a sentence with what it leans on) that
    repeat nothing chosen, within the sentence and word budget."""
    order = [int(i) for i in np.argsort(-scores, kind="stable") if not blocked[i]]
    budget = options.max_words
    stretch = None if budget is None else budget * 1.15
    words = sum(candidates[j].words for j in chosen)
    known = {w.lower() for j in chosen for w in split_words(candidates[j].text)}
    units = []
    for i in order:
        unit = _unit(i, candidates, at, known, options)
        if unit and not any(blocked[j] for j in unit):
            units.append((float(np.mean(scores[list(unit)])), unit))
    units.sort(key=lambda pair: -pair[0])
    for _, unit in units:
        if options.max_sentences is not None and len(chosen) >= options.max_sentences:
            break
        new = [j for j in unit if j not in chosen]
        if not new:
            continue
        if options.max_sentences is not None and len(chosen) + len(new) > options.max_sentences:
            continue
        extra = sum(candidates[j].words for j in new)
        if budget is not None and options.fill_budget:
            if words >= budget:
                break
        elif budget is not None and words + extra > budget and \
                (len(chosen) >= options.min_sentences or words + extra > stretch):
            continue
        if any(_repeats_any(j, chosen, candidates, vectors, options) for j in new):
            continue
        chosen.extend(new)
        words += extra
    return chosen


def _reading_order(chosen: Sequence[int], anchor: Sequence[int], candidates: Sequence[Candidate],
                   articles: Sequence[Article]) -> list[int]:
    """The anchor's article first, then the other articles by time; each article's sentences in its order.

    A summary ordered by time alone opened with the fourth sentence of the earliest
    article ("Farmers had warned...") before any sentence said what happened; so the
    anchor's article goes first (the anchor is one of its first sentences, and only an
    earlier sentence of the same article goes before it). Keeping each article's
    sentences in their own order keeps every sentence that leans on the one before it
    right after it.
    """
    if not chosen:
        return []
    home = candidates[anchor[0]].article

    def key(i: int):
        c = candidates[i]
        if c.article == home:
            return (0, 0.0, c.article, c.position)
        return (1, _timestamp(articles[c.article].published), c.article, c.position)

    return sorted(chosen, key=key)


def _timestamp(when: datetime) -> float:
    """Seconds since the epoch, reading a naive datetime as UTC (feeds mix both kinds)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def _repeats(candidates: Sequence[Candidate], seen: Collection[str], options: SummaryOptions) -> np.ndarray:
    """Per candidate: whether it says again what a sentence already sent said.

    Same TF-IDF cosine as the redundancy check, fitted over the candidates and the sent
    sentences together, with its own threshold: a continuing story's new sentences share
    its names and topic words with yesterday's, so only a close match counts as a repeat.
    """
    seen = [text for text in seen if text and text.strip()]
    if not seen:
        return np.zeros(len(candidates), dtype=bool)
    vectors = tfidf_vectors([content_terms(t, options.language) for t in [c.text for c in candidates] + seen])
    count = len(candidates)
    similarity = (vectors[:count] @ vectors[count:].T).toarray()
    verbatim = {" ".join(t.split()) for t in seen}
    return (similarity.max(axis=1) > options.repeat) | np.array([" ".join(c.text.split()) in verbatim
                                                                  for c in candidates])


def _compose_new(candidates: Sequence[Candidate], scores: np.ndarray, vectors: sparse.csr_matrix,
                 options: SummaryOptions, repeats: np.ndarray, superseded: np.ndarray,
                 articles: Sequence[Article] = ()) -> tuple[list[int], tuple[int, ...], bool]:
    """``_compose`` among the sentences not sent before; repeats only fill up to ``min_sentences``.

    A story that goes on for days is retold in every follow-up ("The talks began on
    Monday in ..."); the briefing says what is new since the last one.
    """
    forms = home_lead.name_forms(articles) if options.home_lead and articles else None  # read once for both
    chosen, anchor, in_order = _compose(candidates, scores, vectors, options, repeats | superseded, articles, forms)
    if len(chosen) >= options.min_sentences or not repeats.any():
        return chosen, anchor, in_order
    # Too little new material for a readable summary: every new sentence still ranks
    # first, and repeated ones make up the minimum.
    penalised = scores - repeats * (float(scores.max() - scores.min()) + 1.0)
    fill = dataclasses.replace(options, max_sentences=max(options.min_sentences, len(chosen)))
    return _compose(candidates, penalised, vectors, fill, superseded, articles, forms)


def summarize_story(articles: Sequence[Article], options: SummaryOptions = SummaryOptions(),
                    seen: Collection[str] = ()) -> tuple[SummarySentence, ...]:
    """Extractive summary across the articles of one story.

    Sentences are ranked by the configured sumy summarizer over the usable lead
    sentences of all articles, mixed with a lead prior; the summary opens on the best
    self-contained lead sentence and adds the best sentences that tell something new,
    each with the sentence it leans on, within the sentence and word budget (see the
    module's description). Each :class:`SummarySentence` is a verbatim slice of its
    article's text. ``seen`` holds sentences sent before (the story in the last
    briefing): sentences that repeat them are left out while enough new ones exist.
    """
    if not articles:
        return ()
    candidates = candidate_sentences(articles, options)
    if not candidates:
        return ()
    tokenizer = SentenceSplitter(options.language)
    document = build_document(candidates, tokenizer)
    centrality = _scale(rate_sentences(document, options.method, options.language))
    # news writing puts the event first: the lead prior falls with the usable sentences before it
    lead = np.array([1.0 / (1.0 + c.lead / options.lead_decay) for c in candidates])
    scores = (1.0 - options.lead_weight) * centrality + options.lead_weight * lead
    vectors = tfidf_vectors([content_terms(c.text, options.language) for c in candidates])
    closeness, to_others = _article_closeness(candidates, vectors, len(articles))
    scores = scores + options.article_weight * closeness[[c.article for c in candidates]]
    scores = scores + options.recency_weight * _recency(candidates, articles)
    superseded = _superseded(candidates, articles, options.language) | _off_story(candidates, articles, to_others, options)
    if seen:
        chosen, anchor, in_order = _compose_new(candidates, scores, vectors, options, _repeats(candidates, seen, options),
                                      superseded, articles)
    else:
        chosen, anchor, in_order = _compose(candidates, scores, vectors, options, superseded, articles)
    ordered = chosen if in_order else _reading_order(chosen, anchor, candidates, articles)
    log.debug("summarised %d articles: %d candidates, %d superseded previews, %d chosen", len(articles),
              len(candidates), int(superseded.sum()), len(ordered))
    return tuple(SummarySentence(text=candidates[i].text, article_id=articles[candidates[i].article].id,
                                 outlet=articles[candidates[i].article].outlet,
                                 position=candidates[i].position) for i in ordered)
