"""The particulars of hand-made texts at the edges of the one pass over capitalised words,
and the two ways of splitting a text into words (with and without an underscore in it)."""
from datetime import datetime, timezone

from summarize import textvec
from summarize.particulars import particulars, read_particulars, split_article, split_words

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
