"""Clean sentences: what a reader would call glued, invisible or page furniture never reaches a summary.

Every fixture is invented for this project: talks between two made-up countries, Norvania and
Keldor, over the waters of the Ostra river, told by made-up outlets.
"""
from __future__ import annotations

from datetime import datetime, timezone

from core.models import Article
from feeds.clean import clean_page_text
from feeds.invisible import visible
from feeds.entries import clean_title, html_to_text, plain_text
from summarize import furniture
from summarize.sentences import split_sentences
from summarize.stories import make_story

T0 = datetime(2031, 5, 12, 7, 0, tzinfo=timezone.utc)
ZWSP, SHY, BOM, ZWNJ, ZWJ, LRM, WJ = "\u200b", "\u00ad", "\ufeff", "\u200c", "\u200d", "\u200e", "\u2060"
INVISIBLE = (ZWSP, SHY, BOM, ZWNJ, ZWJ, LRM, WJ)


def cut(sentence: str) -> str:
    """The sentence as a summary shows it: past whatever prose_start cuts from its front."""
    return sentence[furniture.prose_start(sentence):]


# ---- characters nobody sees --------------------------------------------------------------

def test_invisible_characters_leave_the_text_words_kept_apart():
    # inside a word it joined nothing: the word is whole again
    assert visible(f"Envoy I{ZWSP}lse Aalto met her Keldor coun{SHY}terpart.") == \
        "Envoy Ilse Aalto met her Keldor counterpart."
    # beside a space it goes without leaving two spaces
    assert visible(f"The talks {ZWSP}resumed{ZWSP} {ZWSP}in Brill{ZWSP}.") == "The talks resumed in Brill."
    # after a stop it stood for the space between two sentences
    assert visible(f"The talks ended.{ZWSP}The envoys left.") == "The talks ended. The envoys left."
    assert visible(f"{BOM}Norvania{LRM} and Keldor{WJ} agreed.") == "Norvania and Keldor agreed."
    # a non-joiner inside a Persian word, and a joiner inside an emoji sequence, mean something
    persian = f"\u0645\u06cc{ZWNJ}\u062e\u0648\u0627\u0647\u0645"
    family = f"\U0001F468{ZWJ}\U0001F469"
    assert visible(persian) == persian and visible(family) == family
    plain = "Nothing hidden here: Norvania and Keldor signed."
    assert visible(plain) is plain


def test_feed_text_and_titles_come_without_invisible_characters():
    assert html_to_text(f"<p>Keldor&#8203; closed the Ostra&shy;bridge.</p><p>Traders wait{ZWSP}ed.</p>") == \
        "Keldor closed the Ostrabridge.\nTraders waited."
    assert plain_text(f"Barges{ZWSP} {ZWSP}wait  at Brill.\n{ZWSP}\n") == "Barges wait at Brill."
    assert clean_title(f"Keldor{ZWSP} reopens the{SHY} Varn dam") == "Keldor reopens the Varn dam"


def test_a_stored_page_is_cleaned_of_invisible_characters():
    body = [
        f"Norvania and Keldor signed a treaty on Tuesday that shares the wa{ZWSP}ter of the Ostra river, "
        "ending months of talks that had stalled twice over the dam at Varn.",
        f"The foreign ministers of both countries met in the border town of Brill, where the treaty was{ZWSP} "
        f"{ZWSP}signed in front of envoys from four neighbour{SHY}ing states.",
        "Under the treaty, Keldor will release an agreed share of the river during the dry season, and "
        "Norvania will fund half of the repairs to the dam, which both sides say is close to failing.",
    ]
    out = clean_page_text("\n".join(["Home", "World", *body, "About us"]),
                          title="Norvania and Keldor sign Ostra river treaty")
    assert "water of the Ostra" in out and "treaty was signed" in out and "neighbouring states" in out
    assert not any(ch in out for ch in INVISIBLE)


def test_text_stored_with_invisible_characters_reads_clean_in_the_summary_and_headline():
    stored = Article(
        id="https://lakewire.example/dam", title=f"Keldor{ZWSP} reopens the Varn dam",
        text=f"Keldor {ZWSP}reopened the Varn dam on Monday after a dispute with Norvania over the Ostra river.\n"
             f"The en{ZWSP}voy, Ilse Aalto, said the gates would stay open until the autumn rains.\n"
             f"Farmers on both banks wel{SHY}comed the decision, which ends a drought of two summers.",
        outlet="Lake Wire", published=T0)
    story = make_story("dam", [stored])
    assert story.summary
    shown = " ".join(s.text for s in story.summary) + story.headline
    assert not any(ch in shown for ch in INVISIBLE)
    assert story.summary[0].text.startswith("Keldor reopened the Varn dam")


# ---- sentences glued together ------------------------------------------------------------

def test_sentences_glued_without_a_space_are_two_sentences():
    assert split_sentences("The gates opened on Monday.The farmers cheered at the dam.") == \
        ["The gates opened on Monday.", "The farmers cheered at the dam."]
    assert split_sentences('Aalto said, "The river is ours to share."Brandt did not reply.') == \
        ['Aalto said, "The river is ours to share."', "Brandt did not reply."]
    assert split_sentences('"I like the treaty.""It is fair," said Aalto.') == \
        ['"I like the treaty."', '"It is fair," said Aalto.']
    # a straight quotation mark after the stop may open the next sentence's quotation
    assert split_sentences('Aalto was offered the post."The river needs her," an aide said.') == \
        ["Aalto was offered the post.", '"The river needs her," an aide said.']
    assert split_sentences('Aalto was offered the post."Ostra Today" first reported it.') == \
        ["Aalto was offered the post.", '"Ostra Today" first reported it.']
    # a name before the stop, and a year
    assert split_sentences("The envoy flew to Keldor.They met at noon.") == \
        ["The envoy flew to Keldor.", "They met at noon."]
    assert split_sentences("The treaty was signed in May 2031.Farmers then went home.") == \
        ["The treaty was signed in May 2031.", "Farmers then went home."]


def test_abbreviations_and_teasers_are_not_split():
    for text in ("The envoy met Mr.Varga in Brill.", "The talks ended at 5 p.m.The envoys left.",
                 "Talks with the U.S.The end came later."):
        assert split_sentences(text) == [text]
    # a teaser cut off with an ellipsis runs another page's sentences together: left as it is
    teaser = "Keldor closes a bridge.Traders wait at Brill.Officials say the bridge will ..."
    assert "Traders wait at Brill." not in split_sentences(teaser)


def test_a_sentence_opening_on_a_number_after_a_stop_is_its_own():
    assert split_sentences("The minister left the talks early. 40 barges wait at Brill since Monday.") == \
        ["The minister left the talks early.", "40 barges wait at Brill since Monday."]
    # a paper's reference numbers before the next sentence are cut from it
    cited = split_sentences("Earlier treaties failed. 12 , 14 Later work found the flow had changed.")[1]
    assert cut(cited) == "Later work found the flow had changed."


# ---- what is glued before a sentence -----------------------------------------------------

def test_datelines_of_every_shape_are_cut():
    assert cut("VARN, Keldor, May 3 (Lake Wire) -- Ilse Aalto has signed the annex on the dam.") == \
        "Ilse Aalto has signed the annex on the dam."
    assert cut("BRILL CITY, Nor. (LKTV) The mother of the missing envoy said she was relieved.") == \
        "The mother of the missing envoy said she was relieved."
    assert cut("BRILL, Nor. Parents of the flooded villages have filed a claim against the dam.") == \
        "Parents of the flooded villages have filed a claim against the dam."
    assert cut("VARN/BRILL Former envoy Olle Brandt arrived in Keldor on Tuesday for talks.") == \
        "Former envoy Olle Brandt arrived in Keldor on Tuesday for talks."
    # a byline before the dateline goes with it
    assert cut("By Ana Lind and Jon Ferris, Lake Wire BRILL (Lake Wire) - Talks resumed on Monday after a pause.") == \
        "Talks resumed on Monday after a pause."
    assert cut("By the time the talks ended, the envoys had left Brill for the capital.").startswith("By the time")
    # a live blog's next entry glued after a stop is a sentence of its own, its time stamp cut
    entry = split_sentences("The envoys met at noon. 10:45 AM PT: The envoys left the hall without a statement.")[1]
    assert cut(entry) == "The envoys left the hall without a statement."
    # a name in capitals that is the sentence's subject stays
    for sentence in ("NATO leaders met on Monday in Brill for talks.",
                     "LKTV 5 legal analyst Mara Lind said the ruling was new."):
        assert cut(sentence) == sentence


def test_a_heading_run_into_the_text_is_cut():
    assert cut("Why it matters The talks resumed on Monday after a pause of a week.") == \
        "The talks resumed on Monday after a pause of a week."
    assert cut("Envoy of Keldor recalled after dam dispute The envoy was told to return within a day.") == \
        "The envoy was told to return within a day."
    assert cut("Continue reading the main story At the dam The gates have been opened by engineers.") == \
        "The gates have been opened by engineers."
    assert cut("Missing boatman found alive, rescued off Brill coast A man who went missing has been rescued.") == \
        "A man who went missing has been rescued."
    assert cut("COUNTDOWN TO 2032 The race for the river commission starts now.") == \
        "The race for the river commission starts now."
    assert cut("LIVE BLOG On Monday, Aalto had suggested that Brandt had left Keldor.") == \
        "On Monday, Aalto had suggested that Brandt had left Keldor."
    assert cut("LAKEPICTURES.COM 'Open the gates' was the message farmers sent to the minister.") == \
        "'Open the gates' was the message farmers sent to the minister."


def test_capitals_inside_a_sentence_that_are_no_heading_stay():
    for sentence in ("Farmers with low vitamin A levels were more likely to fall ill this summer.",
                     "She moved to The Hague in 2030 and worked at the court for a year.",
                     'Aalto said "I want this message out here This is my river," and left.',
                     "Keldor signed the treaty in Brill on Monday after talks lasting a year."):
        assert cut(sentence) == sentence
    # a title run into its subtitle has no stop: cutting it is the headline's business
    title = "Keldor reopens the Varn dam after two dry summers The gates were raised on Monday"
    assert furniture.prose_start(title) == 0
    # a caption's label before the text keeps the caption whole, and whole it is furniture
    caption = "Image copyright Lake Wire Image caption The gates of the dam were raised by engineers on Monday."
    assert furniture.prose_start(caption) == 0 and furniture.is_furniture(caption)


# ---- notes about the page, the writer and other pages ------------------------------------

def test_notes_about_the_page_and_its_writer_are_furniture():
    for note in ("Lake TV's Mara Lind has the details.",
                 "To read the minister's full statement on the dam, click here.",
                 "A map of the dam can be found on the commission's site (click here).",
                 "Updated at 9:15 a.m. to correct the name of the envoy.",
                 "Update, May 3, 12:03 PT: adds the ministry's statement.",
                 "Mara Lind is a Lake Courier staff writer.",
                 "Contact her at 555-0100.",
                 "Continue reading the main story",
                 "Below is the full text of the treaty, provided by the ministry.",
                 "A post shared by Ilse Aalto (@ilse) on May 3, 2031 at 10:33am",
                 "Ilse Aalto Ilse Maria AaltoAalto signs treaty Keldor farmers protest MORE warned Keldor on Monday "
                 "that the gates must open."):
        assert furniture.is_furniture(note), note


def test_captions_player_notices_and_instructions_to_the_reader_are_furniture():
    for note in ("In this May 3, 2031, photo, envoy Ilse Aalto arrives for talks at the dam in Brill.",
                 "Minister Ilse Aalto speaks to farmers at the Varn dam on May 3, 2031.",
                 "The interactive transcript could not be loaded.",
                 "The river news that matters, delivered weekday mornings.",
                 "When you post with a location, the site stores that location.",
                 "If you are not a member yet, please consider subscribing today."):
        assert furniture.is_furniture(note), note
    for sentence in ("In this case, the photo of the dam was a fake, the court in Brill said.",
                     "Farmers opened the sluices of the Varn dam on May 3, 2031.",
                     "Grain was delivered to the villages, delivered every morning by barge.",
                     '"If you visit the dam, you see how low the river is," Aalto said.',
                     "If Keldor closes the dam again, farmers say they will march on Brill."):
        assert not furniture.is_furniture(sentence), sentence


def test_news_that_looks_like_a_note_is_kept():
    for sentence in ("The update was released on Monday to correct a flaw in the dam's sensors.",
                     "Updated figures show the river's flow rose by a fifth in the spring.",
                     "Corrected figures were published by the commission on Monday.",
                     "Mara Lind is a staff writer who was detained in Keldor on Friday.",
                     "The minister said there is MORE to come in the talks.",
                     "The commission has the details of every barge on file.",
                     "Below the dam, farmers dug new wells over the summer."):
        assert not furniture.is_furniture(sentence), sentence


def test_a_story_told_by_messy_pages_reads_clean():
    messy = Article(
        id="https://valleycourier.example/dam", title="Keldor reopens the Varn dam", outlet="Valley Courier",
        published=T0,
        text="BRILL, Nor. Keldor reopened the Varn dam on Monday after a dispute with Norvania over the Ostra river.\n"
             "Why it matters The river feeds the farms of both countries, and two summers have been dry.\n"
             "Engineers raised the gates in the morning.They said the flow would be back to normal in a week.\n"
             "Mara Lind is a Valley Courier staff writer.\n"
             "Updated at 9:15 a.m. to correct the name of the dam.")
    story = make_story("dam", [messy])
    shown = [s.text for s in story.summary]
    assert shown[0].startswith("Keldor reopened the Varn dam")
    assert "The river feeds the farms of both countries, and two summers have been dry." in shown
    assert not any(".They" in s or "Why it matters" in s or "staff writer" in s or "Updated" in s for s in shown)
