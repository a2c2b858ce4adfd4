"""Tests for sentence splitting, extractive story summaries and headline choice.

All fixtures are invented for this project: a made-up water-sharing accord between two
made-up countries, told by three outlets, one of which reprints wire copy.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from itertools import combinations

import pytest

from core.errors import ConfigError
from core.models import Article
from summarize.headline import choose_headline
from summarize.sentences import SentenceSplitter, split_sentences, stemmer, stop_words
from summarize.summary import (METHODS, FastLexRankSummarizer, FastTextRankSummarizer, SummaryOptions,
                               summarize_story)

T0 = datetime(2031, 3, 4, 8, 0, tzinfo=timezone.utc)

WIRE = ("Norvania and Keldor signed a treaty on Tuesday to share the waters of the Ostra river "
        "after four years of talks.")

HARBOUR = Article(
    id="https://harbour.example/treaty",
    title="Norvania and Keldor sign Ostra river water treaty",
    outlet="Harbour Times",
    published=T0,
    text="\n".join([
        "share tweet email",
        WIRE,
        "The accord sets a fixed share of the river's flow for each country during the dry season.",
        "Photo: Delegates shake hands in the old customs hall",
        "Farmers in the southern valleys had warned that their wells were running dry.",
        "The foreign ministers of both countries praised the mediators from the U.S. and the lake states.",
        "A joint commission will measure the flow at three dams and publish the figures every month.",
        "Critics said the deal leaves the question of new dams unresolved.",
    ]),
)

COURIER = Article(
    id="https://courier.example/ostra",
    title="Water deal ends long dispute",
    outlet="Valley Courier",
    published=T0 + timedelta(hours=2),
    text="\n".join([
        WIRE,
        "Keldor's parliament must still ratify the treaty before the summer session closes.",
        "Opposition leaders in Keldor said they would vote against ratification unless fishing rights are added.",
        "The treaty was drafted in Jan. by a panel of hydrologists from both sides.",
        "Read more: Our full coverage of the region",
    ]),
)

LEDGER = Article(
    id="https://ledger.example/markets",
    title="Markets shrug off rain forecast",
    outlet="Daily Ledger",
    published=T0 + timedelta(hours=5),
    text="\n".join([
        "Grain prices in Norvania rose sharply after the treaty promised a steady supply of irrigation water.",
        "Traders expect the first harvest under the new rules to be the largest in a decade.",
        "Insurance firms cut the premiums they charge farmers for drought cover.",
    ]),
)

STORY = (HARBOUR, COURIER, LEDGER)


def words(text: str) -> set[str]:
    """Lower-cased content words of a sentence, for an independent overlap check."""
    return {w for w in re.findall(r"[a-z']+", text.lower()) if w not in stop_words()}


# ---- sentence splitting ----------------------------------------------------------------

def test_splitter_keeps_abbreviations_inside_sentences():
    text = "The U.S. envoy arrived on Jan. 5 in the capital. Talks began at once.\nA new line starts here."
    assert split_sentences(text) == [
        "The U.S. envoy arrived on Jan. 5 in the capital.",
        "Talks began at once.",
        "A new line starts here.",
    ]


def test_splitter_is_a_sumy_tokenizer():
    splitter = SentenceSplitter()
    assert splitter.language == "english"
    assert splitter.to_sentences("One sentence here. Another one there.") == (
        "One sentence here.", "Another one there.")
    assert splitter.to_words("Keldor's 12 dams didn't fail.") == ("Keldor's", "dams", "didn't", "fail")


def test_stemmer_and_stop_words_load_from_packages():
    assert stemmer("english")("treaties") == stemmer("english")("treaty")
    assert "the" in stop_words("english")


# ---- summaries -------------------------------------------------------------------------

def test_summary_has_three_to_five_sentences():
    summary = summarize_story(STORY)
    assert 3 <= len(summary) <= 5


def test_summary_draws_on_several_sources():
    summary = summarize_story(STORY)
    assert len({s.outlet for s in summary}) >= 2


def test_summary_has_no_near_duplicates():
    summary = summarize_story(STORY)
    texts = [s.text for s in summary]
    assert texts.count(WIRE) <= 1
    for a, b in combinations(texts, 2):
        overlap = len(words(a) & words(b)) / len(words(a) | words(b))
        assert overlap < 0.6, (a, b)


def test_every_sentence_is_verbatim_from_its_article():
    by_id = {a.id: a for a in STORY}
    for sentence in summarize_story(STORY):
        article = by_id[sentence.article_id]
        assert sentence.outlet == article.outlet
        assert sentence.text in article.text
        # the sentence at its position, perhaps less a wire dateline cut from its start
        assert split_sentences(article.text)[sentence.position].endswith(sentence.text)


def test_summary_opens_with_the_event_then_reads_article_by_article():
    by_id = {a.id: a for a in STORY}
    summary = summarize_story(STORY)
    assert summary[0].text == WIRE  # what happened comes first
    # the opening's article goes on in its own order, then the other articles by time
    articles = list(dict.fromkeys(s.article_id for s in summary))
    assert [by_id[a].published for a in articles[1:]] == sorted(by_id[a].published for a in articles[1:])
    for a in articles:
        positions = [s.position for s in summary if s.article_id == a]
        assert positions == sorted(positions)


def test_boilerplate_lines_never_enter_the_summary():
    summary = summarize_story(STORY, SummaryOptions(max_sentences=None, max_words=400))
    texts = " ".join(s.text for s in summary)
    assert "Photo:" not in texts
    assert "share tweet" not in texts
    assert "Read more" not in texts
    assert len(summary) >= 5  # the budget was spent on real sentences


def test_word_budget_is_filled_and_not_overrun():
    summary = summarize_story(STORY, SummaryOptions(max_sentences=None, max_words=60))
    counts = [len(s.text.split()) for s in summary]
    assert sum(counts) <= 60  # never over the budget once min_sentences is reached
    assert sum(counts) >= 45  # and the budget is used: no room left for another sentence of the story
    assert len(summary) >= SummaryOptions().min_sentences


def test_short_story_gives_what_it_has():
    article = Article(id="a", title="Brief", outlet="Wire", published=T0,
                      text="Keldor recalled its ambassador from Norvania on Monday evening.")
    summary = summarize_story([article])
    assert [s.text for s in summary] == [article.text]
    assert summarize_story([]) == ()


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_registered_method_summarises(method):
    summary = summarize_story(STORY, SummaryOptions(method=method))
    assert 3 <= len(summary) <= 5


def test_unknown_method_is_a_config_error():
    with pytest.raises(ConfigError, match="lexrank"):
        summarize_story(STORY, SummaryOptions(method="no-such-method"))


def test_no_nltk_download_is_attempted(monkeypatch):
    import nltk

    def refuse(*args, **kwargs):
        raise AssertionError("NLTK data was requested")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.data, "load", refuse)
    monkeypatch.setattr(nltk.data, "find", refuse)
    assert summarize_story(STORY)
    assert choose_headline(STORY)


# ---- agreement with stock sumy ---------------------------------------------------------

SMALL = [
    "The river treaty gives each country a fixed share of water.",
    "Both countries signed the river treaty after long talks.",
    "Water from the river feeds farms in both countries.",
    "The talks were hosted by a neutral lake state.",
    "Farmers welcomed the water treaty and the end of the talks.",
    "A commission will measure the river flow each month.",
    "The weather was mild in the capital on the day of signing.",
    "Critics said the treaty ignores new dams on the river.",
    "The lake state offered to host future talks on dams.",
    "Grain prices fell as farms expect more water.",
]


def small_document():
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    splitter = SentenceSplitter()
    return ObjectDocumentModel([Paragraph([Sentence(s, splitter) for s in SMALL])])


@pytest.mark.parametrize("fast_class, stock_path", [
    (FastLexRankSummarizer, "sumy.summarizers.lex_rank.LexRankSummarizer"),
    (FastTextRankSummarizer, "sumy.summarizers.text_rank.TextRankSummarizer"),
])
def test_vectorised_ranking_agrees_with_stock_sumy(fast_class, stock_path):
    import importlib
    module, name = stock_path.rsplit(".", 1)
    stock_class = getattr(importlib.import_module(module), name)
    document = small_document()
    results = []
    for cls in (fast_class, stock_class):
        summarizer = cls(stemmer("english"))
        summarizer.stop_words = stop_words("english")
        results.append([str(s) for s in summarizer(document, 4)])
    assert results[0] == results[1]


# ---- headline --------------------------------------------------------------------------

def test_headline_is_the_most_representative_title():
    assert choose_headline(STORY) == HARBOUR.title
    # neither list order nor being first in time decides it
    later = Article(id=HARBOUR.id, title=HARBOUR.title, text=HARBOUR.text, outlet=HARBOUR.outlet,
                    published=T0 + timedelta(days=1))
    assert choose_headline([LEDGER, COURIER, later]) == HARBOUR.title


def test_headline_ignores_empty_titles():
    untitled = Article(id="x", title="  ", text=WIRE, outlet="Wire", published=T0)
    assert choose_headline([untitled, COURIER]) == COURIER.title
    # With no title at all the headline is the opening of the text, cut at a word boundary.
    made = choose_headline([untitled])
    assert made.endswith("…") and WIRE.startswith(made[:-1]) and len(made.split()) <= 16
