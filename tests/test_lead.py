"""The summary is the lead of the article that best represents the story, and what others add.

Every fixture is invented for this project: a dam dispute between two made-up countries,
Norvania and Keldor, told by made-up outlets.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.models import Article
from summarize import furniture, lead
from summarize.headline import choose_headline, from_sentence, is_label
from summarize.summary import SummaryOptions, summarize_story

T0 = datetime(2032, 9, 14, 6, 0, tzinfo=timezone.utc)


def article(key: str, lines: list[str], hours: float = 0.0, title: str = "") -> Article:
    """An article of one paragraph per line, ``hours`` after T0."""
    return Article(id=f"https://{key}.example/story", title=title, text="\n".join(lines), outlet=key.title(),
                   published=T0 + timedelta(hours=hours))


MAIN = article("courier", [
    "Norvania and Keldor agreed on Monday to reopen the Varn dam after a two-year dispute over the flow of the "
    "Ostra river, ending a standoff that had dried out farms on both banks.",
    "Foreign minister Ilse Aalto announced the accord after a night of talks in the lakeside town of Brill.",
    "The dam will release water again from the first of October under a schedule drawn up by engineers.",
    "Farmers downstream had lost three harvests since the gates were closed.",
])
SIDE = article("ledger", [
    "Grain traders in Norvania welcomed the reopening of the Varn dam on Monday.",
    "Aalto said the accord would be put to the Norvanian parliament within a week.",
    "The figure holds few surprises for the farmers of the southern plain.",
    "Keldor will receive 40% of the river's summer flow under the accord, officials in both capitals said.",
])
ESSAY = article("quarterly", [
    "Rivers have always divided the peoples who live along them, and they always will.",
    "A river is a promise that the water upstream makes to the water downstream.",
    "Dams, in that light, are a broken promise set in concrete.",
])


def texts(summary) -> list[str]:
    return [s.text for s in summary]


def test_the_summary_opens_on_the_representative_lead_and_keeps_its_order():
    summary = summarize_story([SIDE, MAIN, ESSAY])
    assert summary[0].text == MAIN.text.split("\n")[0]
    own = [s.position for s in summary if s.article_id == MAIN.id]
    assert own == sorted(own) and len(own) >= 2
    assert not any(s.article_id == ESSAY.id for s in summary)


def test_the_home_lead_runs_on_before_other_sources_take_what_room_is_left():
    """Blind readers preferred the representative article's lead told on in its own order to
    one cut short for another source's sentence (bench/README.md, lead.HOME_SHARE)."""
    summary = summarize_story([SIDE, MAIN, ESSAY])
    own = [s.text for s in summary if s.article_id == MAIN.id]
    assert own == MAIN.text.split("\n")
    assert [s.article_id for s in summary][:len(own)] == [MAIN.id] * len(own)


def test_another_source_adds_a_figure_but_not_a_definite_thing_it_never_introduced():
    short = article("courier", MAIN.text.split("\n")[:2])  # a two-sentence lead leaves room
    summary = " ".join(texts(summarize_story([SIDE, short, ESSAY])))
    assert "40% of the river's summer flow" in summary
    assert "The figure holds" not in summary


def test_a_surname_alone_needs_the_sentence_that_introduced_the_person():
    forms = lead.name_forms([MAIN, SIDE])
    assert "Aalto" in forms
    assert lead.unintroduced_surname("Aalto said the accord would pass.", set(), forms) == "Aalto"
    assert lead.unintroduced_surname("Aalto said the accord would pass.", {"aalto"}, forms) is None
    assert lead.unintroduced_surname("Ilse Aalto said the accord would pass.", set(), forms) is None
    # "Ms." says nothing of who she is; a title of office does
    assert lead.unintroduced_surname("Ms. Aalto said the accord would pass.", set(), forms) == "Aalto"
    assert lead.unintroduced_surname("Minister Aalto said the accord would pass.", set(), forms) is None


def test_a_name_most_articles_use_alone_is_no_surname():
    band = [article(f"a{i}", ["Tamberlane, the singer of the Lake Choir, died on Sunday at 61.",
                              "Tamberlane had sung with the choir for forty years."]) for i in range(3)]
    band.append(article("b", ["The late singer Tamberlane was buried in Brill."]))
    assert "Tamberlane" not in lead.name_forms(band)


def test_a_person_is_not_introduced_twice():
    forms = {"Wong": {"Lawrence"}}
    told = "Mr Wong met the premier in the capital on Tuesday."
    assert lead.introduced_again("The prime minister, Lawrence Wong, has pressed for open trade.", told,
                                 {"wong"}, forms)
    assert not lead.introduced_again("Wong pressed for open trade.", told, {"wong"}, forms)


def test_a_person_named_in_full_is_not_introduced_again_by_who_they_are():
    forms = {"Aalto": {"Ilse"}}
    told = "Foreign minister Ilse Aalto announced the accord after a night of talks."
    assert lead.introduced_again("A statement by Ilse Aalto, the foreign minister, set out the schedule.", told,
                                 {"aalto"}, forms)
    assert not lead.introduced_again("Ilse Aalto said the schedule would be published.", told, {"aalto"}, forms)


def test_a_definite_thing_needs_its_introduction():
    assert lead.unintroduced_thing("The reboot, which opens in May, stars a new cast.", set()) == "reboot"
    assert lead.unintroduced_thing("For the farmers the figure holds few surprises.", set()) == "figure"
    assert lead.unintroduced_thing("For the farmers the figure holds few surprises.", {"figure"}) is None
    assert lead.unintroduced_thing("The foreign ministers of both countries met in Brill.", set()) is None
    assert lead.unintroduced_thing("The Keldor Liberal, who ran for premier twice, spoke against the dam.",
                                   set()) == "liberal"
    assert lead.unintroduced_thing("The Lake Council, which meets in Brill, approved the accord.", set()) is None


def test_a_story_over_two_days_leads_with_the_latest_day():
    # three reports of the first day tell the talks began; one of the next day tells the outcome
    began = [article(f"day1-{k}", [
        "Norvania and Keldor began talks on Sunday in Brill over reopening the Varn dam on the Ostra river.",
        f"Delegations from both capitals met in the lakeside town of Brill for a first round, report {k} said.",
        "Farmers on both banks of the Ostra river watched the talks over the dam closely.",
    ], hours=-26 + k) for k in range(3)]
    outcome = article("day2", [
        "Norvania and Keldor agreed in Brill on Monday to reopen the Varn dam.",
        "The gates will open on the first of October.",
    ])
    summary = summarize_story([*began, outcome])
    assert summary[0].article_id == outcome.id


def test_an_answer_never_comes_without_its_question():
    story = article("gazette", [
        "Keldor's president Mira Osk opened the new session of parliament in Brill on Monday with a speech on water.",
        "Whom does she want as her partner in the talks? A fellow engineer from the southern plain, of course.",
        "The session will vote on the dam accord before the end of the month, the speaker's office said.",
        "Opposition deputies said they would back the accord if fishing rights on the river were added.",
    ])
    told = texts(summarize_story([story]))
    assert len(told) >= 3
    assert not any("of course" in t for t in told)


def test_a_video_title_and_running_time_glued_before_the_text_are_cut():
    sentence = "Dam talks end in accord (3:40) Norvania and Keldor agreed on Monday to reopen the Varn dam."
    assert sentence[furniture.prose_start(sentence):].startswith("Norvania and Keldor agreed")
    plain = "Norvania and Keldor agreed on Monday (after talks) to reopen the dam."
    assert furniture.prose_start(plain) == 0


def test_captions_credits_player_controls_and_notes_are_furniture():
    assert furniture.is_furniture("Dam gates opened Jon Varga/THE LAKE PRESS A worker checks the sluice on Monday.")
    assert furniture.is_furniture("Image caption Ilse Aalto was driven to the talks under escort.")
    assert furniture.is_furniture("CLOSE Skip in Skip x Embed x Share Late Monday the gates were opened.")
    assert furniture.is_furniture("Farmers watch the dam open near Brill, Norvania, Monday, Sept. 13, 2032.")
    assert furniture.is_furniture("The following is an excerpt of an article from the Lake Quarterly.")
    assert not furniture.is_furniture("The talks in Brill/Varn ended on Monday with an accord on the dam.")
    assert furniture.is_furniture("Engineers inspect the sluice with minister Ilse Aalto (R) in Brill, Sept. 13, 2032.")
    assert furniture.is_furniture("Ilse Aalto (second row, left) listened to the engineers.")
    assert not furniture.is_furniture("The accord was signed in Brill on Sept. 13, 2032.")
    glued = "CLOSE Dry weather gripped the southern plain as the dam stayed shut for a third summer."
    assert glued[furniture.prose_start(glued):].startswith("Dry weather")
    stamped = "10:45 AM PT: Ilse Aalto has arrived at the dam for the reopening ceremony."
    assert stamped[furniture.prose_start(stamped):].startswith("Ilse Aalto")


def test_a_headline_is_never_a_caption_credit_or_gallery_label():
    for label in ("Gallery 12 photo Gallery \u00a9 Lake Press", "Image caption Ilse Aalto at the dam",
                  "Photo: the dam at dawn"):
        assert is_label(label)
    assert not is_label("Norvania and Keldor agree to reopen the Varn dam")
    labelled = article("pics", MAIN.text.split("\n"),
                       title="Norvania and Keldor reopen the Varn dam on the Ostra river: 12 photos \u00a9 Lake Press")
    titled = article("wire", SIDE.text.split("\n"), title="Traders cheer")
    assert choose_headline([labelled, titled]) == titled.title


def test_untitled_stories_are_headlined_by_their_summary_not_a_page_fragment():
    first = article("untitled", ["CLOSE Skip in Skip x Embed x Share video", *MAIN.text.split("\n")])
    summary = texts(summarize_story([first]))
    headline = choose_headline([first], summary=summary)
    assert headline == from_sentence(summary[0])
    assert "Skip" not in headline and not headline.endswith(".")
    assert from_sentence("Aalto promised water to the farmers themselves .") == \
        "Aalto promised water to the farmers themselves"
    assert len(from_sentence(MAIN.text.split("\n")[0]).split()) <= 22


def test_a_preview_title_gives_way_to_an_outcome_summary():
    preview = article("wire", MAIN.text.split("\n"), title="Norvania and Keldor to hold talks on the Varn dam")
    summary = texts(summarize_story([preview]))
    headline = choose_headline([preview], summary=summary)
    assert headline != preview.title
    assert "agreed" in headline


def test_the_old_composition_is_still_there_when_asked_for():
    summary = summarize_story([SIDE, MAIN, ESSAY], SummaryOptions(home_lead=False))
    assert 1 <= len(summary) <= 5


def test_a_column_s_voice_neither_opens_a_summary_nor_is_added_to_one():
    assert lead.writer_voice("If you know your rivers, you know the Ostra floods in spring.")
    assert lead.writer_voice("Let me just mention that the dam is ninety years old.")
    assert not lead.writer_voice('"You will have water by October," Aalto told the farmers.')
    column = article("column", [
        "If you have ever farmed the southern plain, you know what a closed dam means.",
        "Norvania and Keldor agreed on Monday to reopen the Varn dam after a two-year dispute.",
        "Let me just mention that the dam is older than both countries.",
    ])
    summary = summarize_story([column, MAIN])
    assert summary[0].article_id == MAIN.id
    assert not any(lead.writer_voice(s.text) for s in summary if s.article_id == column.id)


def test_an_addition_that_retells_the_lead_s_event_is_left_out():
    told = ("Ministers of Norvania, Keldor and Varnia pressed Ostland on Monday to lift its veto on the Lake "
            "Council's water package before leaders gather in Brill on Thursday.")
    again = ("Lake Council leaders meet in Brill on Thursday with the water package blocked by Ostland and a "
             "quarrel over fishing rights.")
    other = "Farmers in the southern plain said the veto would cost them a fourth harvest."
    assert lead.retells(again, told)
    assert not lead.retells(other, told)


def test_a_caption_left_at_the_top_of_a_page_never_opens_the_summary():
    # the caption and the credit run into the report on one line, as scraped pages have them
    captioned = article("gazette", [
        "The dam at Brill at dawn. Reuters Norvania and Keldor signed an accord in Brill on Monday to reopen "
        "the Varn dam, ending two years of dispute over the Ostra river that had dried out farms.",
        "Engineers will open the gates from the first of October under a schedule both sides approved.",
    ], hours=1)
    other = article("post", [
        "Keldor's farmers cheered the reopening of the Varn dam, which Norvania and Keldor agreed on Monday.",
        "The Ostra river had run dry for two summers as the dispute dragged on.",
    ])
    summary = texts(summarize_story([captioned, other], SummaryOptions(max_words=110)))
    assert summary and "The dam at Brill at dawn." not in summary
    assert len(" ".join(summary).split()) >= 20


def test_an_opening_that_answers_a_sentence_the_page_lost_does_not_lead():
    assert not lead.opens_a_report("Though Aalto and Brennik have also kept the schedule to themselves for now.")
    assert not lead.opens_a_report('Though Aalto and Brennik have also called the schedule a "state secret."')
    assert lead.opens_a_report("Though the talks ran late, Norvania and Keldor agreed on the dam on Monday.")
    assert not lead.opens_a_report("The harbour at Brill at dawn.")


def test_a_headline_glued_to_its_text_and_a_page_stamp_are_cut():
    glued = ("Dam gates open after two dry summers Dam keepers in Brill raised the sluices of the Varn dam "
             "on Monday morning.")
    assert glued[furniture.prose_start(glued):].startswith("Dam keepers in Brill")
    named = "Aalto (born Ilse Aalto) said the accord would be put to parliament within a week."
    assert furniture.prose_start(named) == 0
    place = "The accord was signed in the old customs hall in The Hague, the centre of the town, on Monday."
    assert furniture.prose_start(place) == 0
    stamped = "Updated | When the gates opened on Monday, the Ostra river rose by a metre within hours."
    assert stamped[furniture.prose_start(stamped):].startswith("When the gates opened")


def test_a_sentence_about_the_page_s_picture_or_a_promotion_is_furniture():
    assert furniture.is_furniture("Farmer Olle Brandt shared this photo of his dried-out field near Brill.")
    assert furniture.is_furniture("Lake TV's Mara Lind has the latest on the talks.")
    assert not furniture.is_furniture("The accord gives Keldor more of the river than it had before the dispute.")


def test_an_anecdote_does_not_open_the_summary():
    assert not lead.opens_a_report("One day in 1998, a young engineer named Ilse Aalto walked along the dry bed "
                                   "of the Ostra.")
    feature = article("magazine", [
        "One morning in the spring of 1998, a young engineer walked along the dry bed of the Ostra river.",
        "She would spend the next thirty years on the river and its dam, and on little else.",
        "Norvania and Keldor agreed on Monday to reopen the Varn dam after a two-year dispute.",
    ])
    summary = summarize_story([feature, MAIN])
    assert summary[0].article_id == MAIN.id


def test_the_home_article_is_the_one_whose_own_opening_is_the_report():
    # the kicker article's later sentences score as well as the report's, but its opening is a
    # riddle: the report's opening tells the news and leads
    kicker = article("weekly", [
        "It has been called the oldest quarrel on the continent.",
        "Norvania and Keldor have fought over the Varn dam on the Ostra river for two years, and farms on both "
        "banks dried out.",
        "But on Monday the two agreed in Brill to reopen the Varn dam on the Ostra river.",
        "The Varn dam will release the Ostra river's water again from October, Norvania and Keldor said.",
    ])
    report = article("wire", [
        "Norvania and Keldor agreed on Monday in Brill to reopen the Varn dam on the Ostra river.",
        "Grain prices fell in both capitals.",
    ])
    summary = summarize_story([kicker, report])
    assert summary[0].article_id == report.id


def test_one_of_a_pair_introduced_before_leans_on_that_introduction():
    from summarize import coherence
    assert coherence.points_back("One former aide, Olle Brandt, was charged with theft, and the other, "
                                 "Mara Lind, with fraud.")
    assert not coherence.points_back("One engineer was hurt when the sluice gave way on Monday.")


def test_an_addition_that_tells_the_lead_again_or_introduces_a_named_person_again_is_left_out():
    told = "Prime minister Ilse Aalto narrowly survived a confidence vote in the Norvanian parliament on Friday."
    assert lead.tells_again("Norvanian premier Ilse Aalto survived a confidence vote on Friday, but her majority "
                            "is thin.", told)
    assert not lead.tells_again("Keldor's farmers said on Friday they would block the border roads.", told)
    assert not lead.tells_again("Aalto survived the confidence vote by 316 votes to 301.", told)
    assert lead.introduced_again("Aalto, the prime minister since 2029, called the vote herself.", told,
                                 {"aalto"}, {})
    assert lead.introduced_again("Ilse Aalto, 61, called the vote herself.", told, {"ilse", "aalto"}, {})
    assert not lead.introduced_again("Aalto called the vote herself after losing a routine ballot.", told,
                                     {"aalto"}, {})


def test_a_report_may_say_our_of_everyone_but_a_blog_s_we_is_not_news_prose():
    from summarize import coherence
    assert not coherence.writer_voice("Researchers found that the gene protected our ancestors from the cold.",
                                      plural_only=True)
    assert coherence.writer_voice("To celebrate, we have collected her best moments.", plural_only=True)
    assert coherence.writer_voice("Our journey along the river begins in Brill.", plural_only=True)
    assert not coherence.writer_voice("You know the river floods in spring.", plural_only=True)
    assert coherence.writer_voice("You know the river floods in spring.")
    assert coherence.writer_voice("Remember that Keldor has broken such promises before.")
    assert not coherence.writer_voice("Keldor remembers the dry summers well, its premier said.")


def test_a_surname_whose_introduction_the_summary_skipped_is_not_carried():
    story = article("herald", [
        "Council delegate Mara Lind on the leak of her letters",
        "Two former aides to a delegate of the Lake Council were charged on Monday with leaking her private letters.",
        "Lind said in a statement that she was grateful to the investigators in Brill.",
        "The aides face up to five years in prison if they are convicted of the charges.",
    ])
    summary = texts(summarize_story([story], SummaryOptions(max_words=110, min_sentences=1)))
    assert summary[0].startswith("Two former aides")
    assert not any(t.startswith("Lind said") for t in summary)


def test_a_quotation_s_speaker_split_off_alone_leans_on_the_quotation():
    from summarize import coherence
    assert coherence.points_back("Sen. Ilse Aalto charged on Sunday.")
    assert coherence.points_back("Olle Brandt told reporters in Brill.")
    assert not coherence.points_back("Olle Brandt said on Sunday that the gates would open in October.")


def test_a_caption_with_its_credit_glued_before_the_lead_is_cut():
    glued = ("Farmers queue for water near Brill [Reuters] Norvanian foreign minister Ilse Aalto has agreed to "
             "reopen the Varn dam after two years of dispute.")
    assert glued[furniture.prose_start(glued):].startswith("Norvanian foreign minister Ilse Aalto")


def test_a_standfirst_above_the_lead_gives_way_to_the_lead():
    paper = article("standard", [
        "Minister agrees to reopen the Varn dam after two years of dispute with Keldor.",
        "Norvanian foreign minister Ilse Aalto has agreed to reopen the Varn dam on the Ostra river after two "
        "years of dispute with Keldor, officials in Brill said on Monday.",
        "Aalto said the gates would open on the first of October.",
    ])
    summary = texts(summarize_story([paper], SummaryOptions(max_words=110, min_sentences=1)))
    assert summary[0].startswith("Norvanian foreign minister Ilse Aalto")
    assert lead.headline_style(paper.text.split("\n")[0], paper.text)
    assert not lead.headline_style(MAIN.text.split("\n")[0], MAIN.text)


def test_a_thin_sentence_does_not_fill_the_paragraph():
    assert lead.thin("But there are other problems too.")
    assert lead.thin("Half were then fed some cake.")
    assert not lead.thin("Aalto left Brill on Monday.")
    assert not lead.thin("The dam cost 40 million.")


def test_a_story_told_only_in_columns_is_one_column_s_opening_not_a_patchwork():
    first = article("diary", [
        "As an engineer, I never believed the Varn dam would open again in my lifetime.",
        "I grew up on the dry bank of the Ostra, the son of a farmer who lost three harvests.",
        "On Monday I watched the gates rise at last above the town of Brill.",
    ])
    second = article("letters", [
        "Once upon a time the Ostra ran full all summer and nobody in Brill spoke of the dam.",
        "We remember those summers well, and we will remember this Monday too.",
    ])
    summary = summarize_story([first, second])
    assert summary and len({s.article_id for s in summary}) == 1


def test_capitals_of_a_heading_are_no_person_s_name():
    heading = article("tv", ["Play Video Embed Teen Builds Sensor to Aid Alzheimer's Patients 2:14 autoplay",
                             "Olle Brandt, 15, built a sensor for Alzheimer's patients that wakes their carers.",
                             "Brandt said his grandfather had inspired him."])
    forms = lead.name_forms([heading])
    assert "Brandt" in forms and "Alzheimer" not in forms and "Sensor" not in forms


def test_a_headline_is_a_title_not_a_title_glued_to_its_subtitle_or_a_quotation():
    from summarize.headline import tidy_title
    assert tidy_title("Norvania and Keldor reopen the Varn dam after two dry summers The gates were raised in "
                      "Brill on Monday morning") == "Norvania and Keldor reopen the Varn dam after two dry summers"
    assert tidy_title("Aalto warns Keldor on river flow as farmers count losses Minister Aalto warned Keldor on "
                      "Tuesday that the flow of the river must rise") == \
        "Aalto warns Keldor on river flow as farmers count losses"
    place = "Norvania reopens the dam after talks in The Hague ended on Monday with an accord on water"
    assert tidy_title(place) == place
    assert is_label('"Keldor has never wanted the dam closed," said Aalto.')
    assert not is_label("Aalto says Keldor never wanted the dam closed")


def test_a_headline_made_from_a_sentence_is_its_main_clause():
    sentence = ("With the harvest lost for a third summer and the wells running dry, farmers on both banks of the "
                "Ostra river marched on Brill on Monday to demand the dam be opened.")
    assert from_sentence(sentence).startswith("Farmers on both banks of the Ostra river marched on Brill")
    phrase = ("The statement, by Deputy Foreign Minister Olle Brandt of Keldor, came hours after the latest round "
              "of talks ended in Brill and was the first sign of a change.")
    assert from_sentence(phrase) != "The statement, by Deputy Foreign Minister Olle Brandt of Keldor"


def test_a_step_through_a_list_and_a_though_meaning_however_lean_on_what_came_before():
    from summarize import coherence
    assert coherence.points_back('On the first, Aalto said: "The engineers did their work well."')
    assert coherence.points_back("Though Aalto and Brandt have also kept the schedule to themselves.")
    assert not coherence.points_back("Though the talks ran late, Norvania and Keldor agreed on the dam.")
    assert not coherence.points_back("On the first day of talks, Aalto met Brandt in Brill.")


def test_another_report_s_opening_that_retells_the_event_is_not_added():
    # another report's first sentence is often its own telling of the event: added, it tells it twice
    home = article("courier", [
        "Norvania and Keldor agreed on Monday to reopen the Varn dam after a two-year dispute over the Ostra river.",
        "Foreign minister Ilse Aalto announced the accord after a night of talks in the lakeside town of Brill.",
        "The gates will open on the first of October under a schedule drawn up by engineers.",
    ])
    other = article("ledger", [
        "Keldor's premier Olle Brandt said his country won 40% of the river in the accord announced in Brill after "
        "the talks.",
        "Grain traders in both capitals welcomed the news, and prices for wheat fell by 3% within the hour.",
    ], hours=-1)
    summary = texts(summarize_story([home, other]))
    assert summary[0] == home.text.split("\n")[0]
    assert other.text.split("\n")[0] not in summary


def test_a_sentence_pointing_at_things_the_summary_never_named_is_left_out():
    home = article("herald", [
        "Norvania and Keldor signed a treaty on Monday sharing the water of the Varn dam for ten years.",
        "The engineers of both countries tested the dam for three weeks before the signing.",
        "During these trials, gauges at the border measured the river every hour.",
        "Keldor's water minister said the treaty would end a dispute that had closed two border crossings.",
    ])
    other = article("gazette", [
        "Norvania and Keldor have agreed to share the Varn dam's water under a ten-year treaty.",
        "Farmers on the lower Varn said they expected 30% more water this summer.",
    ], hours=1)
    summary = " ".join(texts(summarize_story([home, other], SummaryOptions(max_words=110, max_sentences=3))))
    assert summary.startswith("Norvania and Keldor signed a treaty")
    assert "these trials" not in summary  # a reader who never met the trials cannot place them


def test_pointing_words_that_introduce_on_the_spot_are_no_reference_back():
    from summarize.coherence import pointed_nouns
    assert pointed_nouns("Gauges measured the river during these trials.") == ("trials",)
    assert pointed_nouns("\"It was fine,\" both ministers said.") == ("ministers",)
    assert pointed_nouns("Keldor will likely follow the same path.") == ("path",)
    assert pointed_nouns("\"We cannot meet every demand on that list,\" she said.") == ("list",)
    assert pointed_nouns("This year the dam helped both farmers and fishermen, according to both campaigns.") == ()
    assert pointed_nouns("Those living near the dam kept the same rules as before.") == ()


def test_an_email_paragraph_tells_a_lead_of_up_to_120_words_whole():
    """Readers preferred paragraphs of up to 120 words to 110 (83 to 31 blind judgements): a
    five-sentence lead of 114 words is told whole rather than cut after its fourth sentence."""
    lines = [
        "Norvania and Keldor signed a water treaty on Tuesday that shares the Ostra river's flow for the next "
        "thirty years, ending a dispute older than both governments.",
        "The treaty was signed in the border town of Brill by foreign minister Ilse Aalto and her Keldoran "
        "counterpart, Tomas Venn, after three days of talks.",
        "Under its terms Keldor will receive two fifths of the summer flow, and a joint commission will "
        "measure the river at six gauges each month.",
        "Farmers' unions on both banks welcomed the deal, which reopens irrigation channels that have been "
        "dry since the dam closed.",
        "Officials in both capitals said the talks had been brokered by envoys of three neighbouring states.",
    ]
    assert sum(len(line.split()) for line in lines) == 114
    home = article("courier", lines)
    told = texts(summarize_story([home]))
    assert told == lines


def test_another_sources_sentence_dated_by_an_event_never_told_stays_out():
    """'... after the deadline' from another source, when the paragraph named no deadline: the
    reader cannot tell which (once a deadline is told, the sentence is no longer refused for it)."""
    assert lead.unintroduced_event("Keldor denied closing the gates after the deadline.", set()) == "deadline"
    assert lead.unintroduced_event("Keldor denied closing the gates after the deadline.", {"deadline"}) is None
    assert lead.unintroduced_event("Keldor closed the gates after the end of the talks.", set()) is None
