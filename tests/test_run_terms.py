"""A run of articles' weighted terms counted at once, by word numbers, against one article at a time."""
import pickle
from datetime import datetime, timezone

import numpy as np

from summarize import textvec
from summarize.reading import read_articles, read_one
from summarize.wordsplit import split_articles

WHEN = datetime(2026, 5, 20, 9, 0, tzinfo=timezone.utc)

ARTICLES = [
    ("Envoys Meet In Kessin", "The envoys met in Kessin on Monday and the talks went on; envoys said a deal was near."),
    ("", "Kessin kessin KESSIN: one word three ways, and a b c single letters, the of and stop words."),
    ("Tallor Tallor", "Headline words count twice, body words once: Tallor."),
    ("Only A Headline", ""),
    ("", ""),
    ("İstanbul talks", "İstanbul and ISTANBUL are not one word lower-cased; Σίσυφος ΣΊΣΥΦΟΣ are."),
    ("A long one", "x" * 300 + " and " + "x" * 300 + " again, then " + "y" * 40 + "."),
    ("Figures", "In 2026 some 1,200 envoys met 12 times; 2026 again."),
]


def _one_at_a_time(articles, weighting):
    """Each article's terms as ``weighted_terms`` counts them, in order."""
    out = []
    for whole, offset in split_articles(articles):
        counts = textvec.weighted_terms(whole.lower[:offset], whole.lower[offset:], weighting)
        out.append([(term, float(count)) for term, count in counts.items() if count > 0])
    return out


def _at_once(articles, weighting):
    run = textvec.weighted_split(split_articles(articles), [weighting] * len(articles))
    return run, [list(document.items()) for document in run.documents()]


def test_a_run_counts_every_article_as_alone_in_the_same_order():
    for weighting in (textvec.Weighting(), textvec.Weighting(title=3.0, lead=2.0, lead_words=5),
                      textvec.Weighting(title=0.0, lead=0.0, lead_words=0)):
        run, found = _at_once(ARTICLES, weighting)
        assert found == _one_at_a_time(ARTICLES, weighting)
        # the run's vocabulary in the order its articles first use each term
        assert run.vocabulary == list(dict.fromkeys(term for document in found for term, _ in document))
    # some articles of a split only, not from its first
    some = textvec.weighted_split(split_articles(ARTICLES)[2:5], [textvec.Weighting()] * 3)
    assert [list(d.items()) for d in some.documents()] == _one_at_a_time(ARTICLES, textvec.Weighting())[2:5]


def test_headline_and_lead_words_weigh_more_and_stop_words_and_letters_are_no_terms():
    _, found = _at_once(ARTICLES, textvec.Weighting())
    first, second, third = dict(found[0]), dict(found[1]), dict(found[2])
    # "envoys": headline (2) + twice in the body, both in its lead (2 x 2)
    assert first["envoys"] == 6.0 and first["kessin"] == 2.0 + 2.0
    assert second["kessin"] == 6.0 and not {"a", "b", "c", "the", "of", "and"} & set(second)
    assert third["tallor"] == 2.0 * 2 + 2.0
    assert dict(found[3]) == {"headline": 2.0} and found[4] == []  # ("only" is a stop word)


def test_reading_a_run_gives_what_reading_each_article_gives():
    items = [(title, text, WHEN, "metadata", textvec.Weighting()) for title, text in ARTICLES]
    [run] = read_articles(items)
    for item, words, facts, days in zip(items, run.words.documents(), run.facts.documents(), run.lead_days):
        alone_words, alone_facts, alone_days = read_one(*item)
        assert list(words.items()) == [(t, float(c)) for t, c in alone_words.items()]
        assert list(facts.items()) == [(t, float(c)) for t, c in alone_facts.items()]
        assert days == alone_days


def test_word_numbers_are_equal_exactly_for_equal_words_and_stop_words_are_found_exactly():
    plain = " ".join(text for _, text in ARTICLES if "İ" not in text and "x" * 300 not in text)
    # numbered by hash; by string where lower-casing lengthens a letter, or a word is very long
    for text, hashed in ((plain, True), ("İİ and ii " + plain, False), ("x" * 500 + " the " + "x" * 500 + " z", False)):
        [(whole, _)] = split_articles([("", text)])
        split = whole.split
        numbers, firsts = split.ids()
        assert (split._hashes is not None) == hashed
        lower = whole.lower
        assert len(numbers) == len(lower)
        for i, j in [(i, j) for i in range(len(lower)) for j in range(len(lower))]:
            assert (numbers[i] == numbers[j]) == (lower[i] == lower[j])
        assert len(firsts) == len(set(lower)) and all(lower.index(lower[k]) == k for k in firsts)
        stop = split.among(textvec.STOP_WORDS)
        assert sorted(lower[k] for k in firsts[stop]) == sorted(set(lower) & textvec.STOP_WORDS)
        assert (split.lower_lengths() == [len(lower[k]) for k in firsts]).all()


def test_counted_terms_travel_between_processes_unchanged():
    for vocabulary in ([], ["envoy"], ["", "talks"], ["line\nbreak", "talks"]):
        terms = textvec.CountedTerms(vocabulary, np.arange(len(vocabulary), dtype=np.int32),
                                     np.ones(len(vocabulary)), np.array([len(vocabulary)], dtype=np.int64))
        again = pickle.loads(pickle.dumps(terms))
        assert again.vocabulary == vocabulary and again.documents() == terms.documents()
