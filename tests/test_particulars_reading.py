"""The particulars of hand-made texts at the edges of the one pass over capitalised words,
and splitting texts into words: every character as the regular expression of
``textvec.words`` would, and texts split together as each alone."""
from datetime import datetime, timezone

from summarize import textvec
from summarize.particulars import particulars, read_particulars, split_article, split_words
from summarize.reading import read_articles
from summarize.wordsplit import split_articles

WHEN = datetime(2026, 5, 20, 9, 0, tzinfo=timezone.utc)


def test_pairs_need_one_space_and_no_figure_glued_to_the_first_word():
    found = particulars("", "The crew of the Kx320 Brill left. Then envoy Arvid 12 Lenk spoke, "
                        "and envoy Arvid Lenk and the Kx320 Brill were named again.", WHEN)
    # "Arvid Lenk" once (the figure between the first two breaks the pair) ...
    assert found["nn:arvid_lenk"] == 1
    # ... and a word with a figure glued to it starts no pair, though it is a name.
    assert not any(term.startswith("nn:kx") for term in found)
    assert found["n:kx"] == 2 and found["n:brill"] == 2


def test_headline_capitals_are_no_evidence_but_count_once_the_text_gives_them():
    found, lead = read_particulars(*split_article("Tallor Talks End In Kessin",
                                                  "Envoys left the talks in Kessin on Monday."), WHEN)
    # Kessin is capitalised inside a sentence, Tallor and Talks only in the headline.
    assert found["n:kessin"] == 2 and "n:tallor" not in found and "n:talks" not in found
    assert "l:kessin" in lead and "l:tallor" not in lead


def test_texts_with_and_without_an_underscore_split_into_the_same_words():
    for text in ("Envoys met in Kessin, then in İstanbul and Łódź; 1,200 left.",
                 "Lenk_Tallor met A320 crews in Kessin__again, ² and ½ too.",
                 "_leading and trailing_ underscores_ and Ωμέγα words"):
        whole = split_words(text)
        assert whole.words == textvec.words(text)
        assert whole.lower == [word.lower() for word in whole.words]
        assert "".join(part for pair in zip(whole.seps, whole.words + [""]) for part in pair) == text


def test_every_character_splits_as_the_word_pattern_says():
    # Each character of the Basic Multilingual Plane once, between two letters (so a word
    # character joins them into one word), and a few beyond it (emoji, mathematical digits).
    chars = [chr(code) for code in range(0x10000)] + ["\U0001F600", "\U0001D7D8", "\U00010400", "\U0002070E"]
    text = "".join(f"a{char}b " for char in chars)
    whole = split_words(text)
    assert whole.words == textvec.words(text)
    assert whole.lower == [word.lower() for word in whole.words]
    assert "".join(part for pair in zip(whole.seps, whole.words + [""]) for part in pair) == text


ARTICLES = [
    ("Envoy Arvid Lenk's plan", "Talks in Kessin ended on Monday. Envoy Arvid Lenk said 6.1 per cent would leave."),
    ("", "Lenk"),  # a text that is one name, then one that starts with a name
    ("Tallor", "Tallor met Brill in Kessin on May 30, and 100,000 troops left_"),
    ("Talks", "_Orsk and Tallor's Brill: 12 envoys. https://example.org/a Then Mr Orsk spoke on Friday."),
    ("", ""),
    ("Quiet day", "nothing named here at all."),
]


def test_articles_read_together_read_as_each_alone():
    when = datetime(2026, 5, 20, 9, 0, tzinfo=timezone.utc)
    together = split_articles([(title, text) for title, text in ARTICLES])
    for (title, text), (whole, offset) in zip(ARTICLES, together):
        alone, alone_offset = split_article(title, text)
        assert (whole.words, whole.seps, offset) == (alone.words, alone.seps, alone_offset)
        assert read_particulars(whole, offset, when) == read_particulars(alone, alone_offset, when)
    # No name pair, figure or name reaches from one text into the next.
    [run] = read_articles([(title, text, when, "metadata", textvec.Weighting()) for title, text in ARTICLES])
    facts = run.facts.documents()
    assert "nn:lenk_lenk" not in facts[0] and "nn:lenk_tallor" not in facts[1]
    assert facts[2]["#100000"] == 1 and facts[3]["nn:tallor_brill"] == 1
    assert facts[4] == {} and not any(term.startswith("n:") for term in facts[5])


def test_reading_leaves_nothing_for_the_garbage_collector():
    # Reading pauses the collector: a run's split text must be freed as soon as it is read,
    # or a day of 20,000 articles keeps every run's words (hundreds of megabytes).
    import gc

    from summarize.wordsplit import Split
    when = datetime(2026, 5, 20, 9, 0, tzinfo=timezone.utc)
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            read_articles([(title, text, when, "metadata", textvec.Weighting()) for title, text in ARTICLES])
        assert not any(type(thing) is Split for thing in gc.get_objects())
    finally:
        gc.enable()
    assert gc.isenabled()
