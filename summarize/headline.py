"""Choosing a story's headline from its sources' own titles.

The briefing never writes headlines: it shows the title of one source, the one that
best names what the whole story is about *and* that its summary supports. A title
naming people, places or bodies the summary never mentions ("Baltic ministers press
Fico..." over a summary about Slovakia's veto) tells the reader something the briefing
does not show them, so such a title is passed over while another title will do.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import timezone
from typing import Sequence

import numpy as np

from core.models import Article
from summarize import coherence, furniture
from summarize.sentences import split_sentences, stop_words
from summarize.summary import content_terms, tfidf_vectors
from summarize.tokenised import respaced_marks

log = logging.getLogger(__name__)


def choose_headline(articles: Sequence[Article], language: str = "english", summary: Sequence[str] = ()) -> str:
    """Return the most representative of the articles' own titles that the summary supports.

    Each non-empty title is compared (TF-IDF cosine over stemmed content words) with
    the text of the *other* articles, so an outlet's title is not favoured just for
    matching its own article; with a single titled article its own text is used.
    With ``summary`` (the story's summary sentences), a title naming someone or
    somewhere the summary does not mention is only chosen when every title does
    (then the one naming fewest such), and titles whose words the summary shares are
    preferred. Ties go to the earliest article, then the shorter title. When the best title
    still announces what the summary reports as done, the
    summary's opening sentence is the headline (:func:`from_sentence`), and so it is when no
    article has a title; a title that is a caption, credit or gallery label is no title, nor,
    when there is a summary, an opening sentence cut off with an ellipsis.
    Without a summary or a title, the first clean sentence of the earliest article stands
    in (``""`` when even that is missing).
    """
    titled = [(i, a) for i, a in enumerate(articles) if a.title and a.title.strip() and not is_label(a.title)
              and not (summary and _truncated(a.title))]
    if not titled:
        return from_sentence(_stand_in_opening(summary[0], articles)) if summary else _fallback(articles)
    if len(titled) == 1 and not summary:
        return tidy_title(titled[0][1].title)

    title_terms = [content_terms(a.title, language) for _, a in titled]
    text_terms = [content_terms(f"{a.title}\n{a.text}", language) for a in articles]
    vectors = tfidf_vectors(title_terms + text_terms)
    titles, texts = vectors[:len(titled)], vectors[len(titled):]
    similarity = (titles @ texts.T).toarray()  # title x article

    scores = []
    for row, (index, _) in enumerate(titled):
        others = [j for j in range(len(articles)) if j != index]
        scores.append(float(np.mean(similarity[row, others])) if others else float(similarity[row, index]))

    unsupported = [0] * len(titled)
    if summary:
        told = " ".join(summary)
        told_terms = set(content_terms(told, language))
        proper = proper_nouns([a.text for a in articles], language)
        for row, (_, article) in enumerate(titled):
            unsupported[row] = len(unsupported_names(article.title, told, proper, language))
            terms = set(title_terms[row])
            # Share of the title's content words the summary also uses: a title the summary
            # bears out beats one that is only typical of the articles.
            scores[row] += len(terms & told_terms) / len(terms) if terms else 0.0

    # A summary that tells what happened wants a headline that does too: "X and Y to hold
    # talks" over a summary of how the talks ended reads as yesterday's news.
    outcome = bool(summary) and coherence.tells_outcome(summary[0])
    foretells = [outcome and headline_is_preview(a.title) for _, a in titled]

    def order(row: int):
        index, article = titled[row]
        return (unsupported[row], foretells[row], -round(scores[row], 9), _timestamp(article),
                len(article.title.strip()), index)

    best = min(range(len(titled)), key=order)
    log.debug("headline scores %s, unsupported names %s", [round(s, 3) for s in scores], unsupported)
    if foretells[best]:
        # the best title announces what the summary reports as done: the summary's own
        # opening tells the reader what happened
        opening = from_sentence(summary[0])
        if opening:
            return opening
    return tidy_title(titled[best][1].title)


def _stand_in_opening(opening: str, articles: Sequence[Article]) -> str:
    """A summary's opening as a headline's source: where an article had no title of its own (a
    stand-in cut from its first line), that line may be its headline glued to what follows it
    ("Caravan reaches the border despite threats The White House sent troops ..."): the
    headline is the part before."""
    if any(_truncated(a.title or "") for a in articles):
        tidy = " ".join(opening.split())
        cut = glued_subtitle(tidy)
        if cut < len(tidy):
            return tidy[:cut]
    return opening


def _truncated(title: str) -> bool:
    """Whether a title is an opening sentence cut off with an ellipsis (a stand-in a page or an
    importer made for an untitled article): the summary's own opening tells its story better."""
    return title.rstrip().endswith(("\u2026", "..."))


def tidy_title(title: str) -> str:
    """A title as a headline: without a wire dateline glued before it ("TOKYO (AP) — ...",
    seen where a record's title is its first sentence) and, past ``HEADLINE_WORDS`` words,
    cut at a clause like a sentence made headline (:func:`from_sentence`)."""
    title = _respaced(" ".join(title.split()))
    start = furniture.prose_start(title)
    if start:
        rest = title[start:].lstrip()
        title = rest[:1].upper() + rest[1:]
    title = title[:glued_subtitle(title)].rstrip(" :-\u2013\u2014") or title
    if len(title.split()) > HEADLINE_WORDS:
        return from_sentence(title)
    return title


def _respaced(title: str) -> str:
    """A title as written: text split into tokens for a corpus ("Trump 's visit", "test site .")
    joined again with no space before a stop, a comma or a clitic."""
    respaced = respaced_marks(title)
    # a headline ends without a full stop (one that a stray space set apart was none of the title's)
    return respaced[:-1] if title.endswith(" .") else respaced


# Where a subtitle glued to a sentence-case title may begin: an article, or a title of office.
_SUBTITLE_START = re.compile(r"(?<=[a-z]) (?=(?:The|A|An|President|Prime|Chancellor|Foreign|Secretary|Minister)\s)")


def glued_subtitle(title: str) -> int:
    """Where a subtitle glued to a title begins ("... as protests planned The US President will ..."),
    else the title's length: a capitalised article after a lower-case word that is not a small
    word, in a title written in sentence case, with a clause after it; or a title of office
    starting a clause that shares words with the title (a subtitle retells its title)."""
    words = title.split()
    if len(words) < 10 or sum(w[:1].isupper() for w in words) > 0.5 * len(words):
        return len(title)  # short, or title case: capitals say nothing there
    for match in _SUBTITLE_START.finditer(title):
        head, rest = title[:match.start()], title[match.end():]
        before = head.split()[-1]
        if before in stop_words() or len(head.split()) < 5 or len(rest.split()) < 6:
            continue
        shared = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", head)} & \
                 {w.lower() for w in re.findall(r"[A-Za-z]{4,}", rest)}
        if rest.split()[0] in ("The", "A", "An") or shared - stop_words():
            return match.start()
    return len(title)


# What a caption, a credit or a gallery label looks like when it stands where a title should.
_LABEL_TITLE = re.compile(r"^(?:image|photo|picture|video|gallery|slideshow|watch|listen|close|caption)\b"
                          r"|\u00a9|\bcaption\b|\bphotos?\s+gallery\b|\bgallery\s+\d|\b\d+\s+photos?\b",
                          re.IGNORECASE)


def is_label(title: str) -> bool:
    """Whether a title is a caption, a credit, a gallery label, a player's controls or someone's
    quoted words with who said them, not a headline."""
    title = title.strip()
    return bool(_LABEL_TITLE.search(title) or _QUOTED_TITLE.match(title)) or furniture.is_credit(title) \
        or furniture.player_controls(title)


# Someone's words as a title: '"Iran's leaders deny it," said Netanyahu.'
_QUOTED_TITLE = re.compile(r"^[\"\u201c].+[,.!?]\s*[\"\u201d]\s*,?\s*(?:said|says|told|added|wrote)\b")


HEADLINE_WORDS = 22


def from_sentence(sentence: str) -> str:
    """A headline from a summary's opening sentence: its spacing made regular, its full stop
    dropped, and past ``HEADLINE_WORDS`` words cut at a clause (or at a word with an ellipsis)."""
    text = _respaced(" ".join(sentence.split())).rstrip(" .")
    words = text.split()
    if len(words) <= HEADLINE_WORDS:
        return text
    opening = _INTRODUCTORY.match(text)
    if opening and len(text[opening.end():].split()) >= 8:
        # "With the stakes as high as ever, life for the men ...": the main clause is the news
        rest = text[opening.end():]
        text = rest[:1].upper() + rest[1:]
        words = text.split()
        if len(words) <= HEADLINE_WORDS:
            return text
    head = " ".join(words[:HEADLINE_WORDS])
    clause = max(head.rfind(", "), head.rfind("; "), head.rfind(" \u2014 "), head.rfind(" -- "))
    if clause > 0 and len(head[:clause].split()) >= 8 and furniture.has_finite_verb(head[:clause]):
        return head[:clause]
    return _cut(words)


# An opening phrase before the main clause: "With ..., ", "Faced with ..., ", "After ..., ".
_INTRODUCTORY = re.compile(r"^(?:With|Without|Faced\s+with|After|Before|As|While|When|Despite|Amid|Following|Since|"
                           r"Although|Though|Because|If|In|On|At|For|Over|Under|During)\b[^,;:]{3,120},\s+(?=[a-z\"\u201cA-Z])")


# Headline future: "Leaders to meet in Geneva", "Talks set to resume", "Ministers will sign".
_HEADLINE_FUTURE = re.compile(r"(?:^|[\s,:])(?:to|will|set\s+to|due\s+to|poised\s+to)\s+(?!be\s+\w+ed\b)[a-z]+",)


def headline_is_preview(title: str) -> bool:
    """Whether a headline announces what is expected rather than what happened."""
    title = title.strip()
    if coherence.is_preview(title):
        return True
    match = _HEADLINE_FUTURE.search(title)
    if not match:
        return False
    # "to" after a verb or a common noun ("EU moves to cut", "how to end the war") is not the
    # headline future: only count it where the words before are a subject of names ("Russia
    # and Ukraine to talk", "U.S., Russia to hold").
    before = re.findall(r"[\w.'’&-]+", title[:match.start()])
    return bool(before) and all(w[:1].isupper() or w.lower() in ("and", "of", "the", "&") for w in before)


_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'’.&-]*")


def _tokens(text: str) -> list[str]:
    """Words with their case; a possessive and trailing dots are dropped ("Fico's" -> "Fico")."""
    words = []
    for word in _WORD.findall(text):
        word = re.sub(r"['’]s$", "", word)
        if not re.fullmatch(r"(?:[A-Z]\.){2,}", word):  # keep "U.N." whole, else drop a full stop
            word = word.rstrip(".")
        words.append(word.strip("'’-"))
    return [w for w in words if w]


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def proper_nouns(texts: Sequence[str], language: str = "english") -> dict[str, bool]:
    """For each word the texts use, whether it is a name: capitalised in most of its uses
    inside a sentence (the first word of a sentence says nothing, every word starts
    capitalised there)."""
    upper, lower = Counter(), Counter()
    for text in texts:
        for sentence in split_sentences(text or ""):
            for word in _tokens(sentence)[1:]:
                (upper if _capitalised(word) else lower)[word.lower()] += 1
    return {w: upper[w] > lower[w] for w in set(upper) | set(lower)}


def _title_names(title: str, proper: dict[str, bool], language: str) -> list[str]:
    """The words of a title that name someone or something.

    In a sentence-case title ("Baltic ministers press Fico ...") a capitalised word past
    the first is a name unless the articles use it in lower case; in a title-case one
    ("Ministers Press Fico ...") capitalisation says nothing, so only words the articles
    use as names count. The first word counts when the articles use it as a name.
    """
    words = _tokens(title)
    stop = stop_words(language)
    long_words = [w for w in words if len(w) > 3 and w.lower() not in stop]
    title_case = bool(long_words) and sum(map(_capitalised, long_words)) >= 0.8 * len(long_words) > 1
    names = []
    for position, word in enumerate(words):
        if not _capitalised(word) or word.lower() in stop or len(word) < 2 and not word.isupper():
            continue
        known = proper.get(word.lower())
        if known is None and (position == 0 or title_case):
            continue  # no evidence either way
        if known is False:
            continue
        names.append(word)
    return names


def _same_word(a: str, b: str) -> bool:
    """Two forms of one name: equal, or sharing a stem ("Iran"/"Iranian", "China"/"Chinese",
    "Slovakia"/"Slovak") -- a common prefix of at least four letters that leaves at most
    two letters of the shorter word over. "Iran" and "Iraq" share only three."""
    a, b = a.lower().replace(".", ""), b.lower().replace(".", "")
    if a == b:
        return True
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= shorter - 2


def _initials(words: Sequence[str]) -> set[str]:
    """Initials of runs of capitalised words: "United Nations" -> "un", "Prime Minister" -> "pm"."""
    found, run = set(), []
    for word in list(words) + [""]:
        if word and _capitalised(word) and word.lower() not in ("of", "the", "and"):
            run.append(word[0].lower())
            continue
        if word.lower() in ("of", "the", "and") and run:
            continue
        for start in range(len(run)):
            for end in range(start + 2, len(run) + 1):
                found.add("".join(run[start:end]))
        run = []
    return found


def unsupported_names(title: str, summary: str, proper: dict[str, bool] | None = None,
                      language: str = "english") -> list[str]:
    """The names in ``title`` that ``summary`` does not mention (in any form of the word,
    or as an acronym of words it uses: "EU" for "European Union")."""
    told = _tokens(summary)
    initials = _initials(told)
    if proper is None:
        proper = proper_nouns([summary], language)
    missing = []
    for name in _title_names(title, proper, language):
        bare = name.replace(".", "")
        if any(_same_word(name, word) for word in told):
            continue
        if bare.isupper() and len(bare) >= 2 and bare.lower() in initials:
            continue
        missing.append(name)
    return missing


def _timestamp(article: Article) -> float:
    """Publication time in seconds, naive datetimes read as UTC."""
    when = article.published
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


# A stand-in headline is the opening of an article, so it is cut to headline length; one of
# fewer words is a kicker or a dateline ("DESPERATION:", "WASHINGTON -") rather than news.
FALLBACK_WORDS = 16
FALLBACK_MIN_WORDS = 5


def _cut(words: Sequence[str]) -> str:
    """The first ``FALLBACK_WORDS`` words, without trailing small words, and an ellipsis."""
    cut = list(words[:FALLBACK_WORDS])
    stop = stop_words()
    while len(cut) > FALLBACK_MIN_WORDS and cut[-1].lower().strip(",;:") in stop:
        cut.pop()  # "... divides the waters of the…" reads better as "... divides the waters…"
    return " ".join(cut).rstrip(",;:-–—") + "…"


def _fallback(articles: Sequence[Article]) -> str:
    """The opening sentence of the earliest article with text, cut to headline length at a
    word boundary, for stories without titles."""
    for article in sorted(articles, key=_timestamp):
        for sentence in split_sentences(article.text or ""):
            words = sentence.split()
            if len(words) < FALLBACK_MIN_WORDS:
                continue
            if furniture.is_furniture(sentence) or coherence.points_back(sentence):
                continue
            if len(words) <= FALLBACK_WORDS:
                return " ".join(words)
            return _cut(words)
    for article in sorted(articles, key=_timestamp):
        sentences = split_sentences(article.text or "")
        if sentences:
            return sentences[0]
    return ""
