"""Summaries that read as an editor would write them: each fault built into a story, and avoided.

Every fixture is invented for this project: talks between two made-up countries, Norvania and
Keldor, over the waters of the Ostra river, told by made-up outlets.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.models import Article
from summarize import coherence, facts, furniture
from summarize.sentences import split_sentences
from summarize.summary import SummaryOptions, summarize_story

T0 = datetime(2031, 5, 12, 7, 0, tzinfo=timezone.utc)


def article(key: str, outlet: str, lines: list[str], hours: float = 0.0, title: str = "") -> Article:
    """An article of one paragraph per line, ``hours`` after T0."""
    return Article(id=f"https://{key}.example/story", title=title or f"{outlet} report", text="\n".join(lines),
                   outlet=outlet, published=T0 + timedelta(hours=hours))


def texts(summary) -> list[str]:
    return [s.text for s in summary]


def assert_each_leaning_sentence_follows_its_own(summary, articles):
    """Every sentence that points back stands right after the sentence before it in its article."""
    for i, sentence in enumerate(summary):
        if coherence.points_back(sentence.text):
            assert i > 0, f"opens on a pointer: {sentence.text!r}"
            before = summary[i - 1]
            assert before.article_id == sentence.article_id and before.position == sentence.position - 1, \
                f"{sentence.text!r} follows {before.text!r}"


BACKGROUND = article("gazette", "Lake Gazette", [
    "Norvania and Keldor signed a treaty on Tuesday that divides the waters of the Ostra river between them.",
    "The treaty gives Keldor a larger share of the river's flow in the dry months of July and August.",
    "Farmers on both banks of the Ostra had lost harvests to drought in three of the last five summers.",
    "A joint commission of engineers will measure the flow at the Varn dam every week.",
], hours=1)


# ---- pointing back ---------------------------------------------------------------------

POINTER = article("courier", "Valley Courier", [
    "Lawmakers in the Keldor assembly met behind closed doors on Wednesday morning.",
    "They voted by 81 to 40 to ratify the Ostra river water treaty with Norvania, ending the dispute over the river.",
    "The opposition had asked for a delay until the autumn session of the assembly.",
    "The request was turned down by the speaker within minutes.",
    "The deadline for ratification set in the treaty was the end of the month.",
    "The deadline passed quietly in Norvania, whose parliament ratified the Ostra river treaty last week.",
], hours=5)


RATIFIED = article("chronicle", "Keldor Chronicle", [
    "Keldor's assembly ratified the Ostra river treaty with Norvania on Wednesday by 81 votes to 40.",
    "Opposition deputies walked out of the chamber before the vote.",
    "The heating in the old chamber had failed, and many deputies kept their coats on.",
    "It ends four years of quarrels between Norvania and Keldor over how to share the waters of the Ostra river "
    "in dry summers.",
    "Norvania's parliament approved the treaty last week.",
], hours=5)


def test_a_sentence_that_points_back_comes_only_with_the_one_before_it():
    # "It ends four years of quarrels..." is central to the story but leans on the sentence
    # before it; picked alone it would follow "Opposition deputies walked out" and "It"
    # would point at the walk-out.
    leaning = RATIFIED.text.splitlines()[3]
    for story in ([BACKGROUND, RATIFIED], [RATIFIED, BACKGROUND], [RATIFIED], [BACKGROUND, POINTER]):
        summary = summarize_story(story)
        assert_each_leaning_sentence_follows_its_own(summary, story)
        chosen = texts(summary)
        if leaning in chosen:
            assert chosen[chosen.index(leaning) - 1] == RATIFIED.text.splitlines()[2]


def test_a_definite_reference_to_something_introduced_earlier_needs_its_introduction():
    summary = texts(summarize_story([BACKGROUND, POINTER]))
    passed = POINTER.text.splitlines()[5]  # "The deadline passed ..." leans on the deadline named before it
    if passed in summary:
        assert summary.index(passed) == summary.index(POINTER.text.splitlines()[4]) + 1
    assert summary[0] != passed


def test_pointing_back_is_read_from_the_opening_and_the_main_clause():
    assert coherence.points_back("He told reporters the vote was a victory for farmers.")
    assert coherence.points_back("However, the assembly refused to set a date.")
    assert coherence.points_back("It’s the third such vote this year.")
    assert coherence.points_back("After the vote, they left the chamber in silence.")
    assert coherence.points_back("\"It was a long night,\" he said.")
    assert coherence.points_back("The treaty nonetheless leaves the question of new dams open.")
    assert not coherence.points_back("It was not immediately clear whether Norvania would reply.")
    assert not coherence.points_back("There are fears that the drought will return next summer.")
    assert not coherence.points_back("When Minister Aalto arrived, she thanked the mediators.")
    assert not coherence.points_back("\u201cWe kept our word,\u201d Keldor's foreign minister said.")


# ---- the same fact in other words ------------------------------------------------------

SPENDING_A = article("meridian", "Meridian", [
    "Members of the Lake Pact agreed on Thursday to raise military spending to 4% of national output by 2031.",
    "The pact's secretary-general called the decision the biggest change in the alliance's history.",
    "Keldor, the poorest member, was given two extra years to reach the target.",
])
SPENDING_B = article("harbour", "Harbour Ledger", [
    "The eleven governments of the Lake Pact committed to lifting defence budgets to 4 per cent of GDP by 2031.",
    "Norvania's prime minister said the money would go first to air defence along the Ostra valley.",
    "The summit in Lakeport lasted less than a day, the shortest in the pact's history.",
], hours=1)


def test_a_fact_restated_in_other_words_is_told_once():
    first, second = SPENDING_A.text.splitlines()[0], SPENDING_B.text.splitlines()[0]
    assert facts.restates(first, second)
    for story in ([SPENDING_A, SPENDING_B], [SPENDING_B, SPENDING_A]):
        summary = texts(summarize_story(story))
        assert not (first in summary and second in summary), summary
        assert first in summary or second in summary  # the fact itself is told


def test_different_facts_about_the_same_actors_are_not_restatements():
    assert not facts.restates(SPENDING_A.text.splitlines()[0], SPENDING_B.text.splitlines()[1])
    assert not facts.restates(BACKGROUND.text.splitlines()[0], BACKGROUND.text.splitlines()[3])


# ---- what was expected, and what happened -----------------------------------------------

PREVIEW = article("wire", "Lake Wire", [
    "Envoys of Norvania and Keldor are due to meet in Lakeport on Monday for a third round of talks on the Ostra river dispute.",
    "The second round in March ended without agreement on how much water Keldor may draw in summer.",
    "Mediators from the lake states will chair the meeting.",
])
OUTCOME = article("post", "Lakeport Post", [
    "The third round of talks between Norvania and Keldor over the Ostra river ended in Lakeport on Monday after barely two hours.",
    "Keldor's delegation walked out when Norvania refused to discuss summer quotas, a mediator said.",
    "No date was set for a fourth round.",
], hours=30)


def test_the_outcome_is_told_rather_than_the_preview():
    preview, outcome = PREVIEW.text.splitlines()[0], OUTCOME.text.splitlines()[0]
    assert coherence.is_preview(preview) and not coherence.is_preview(outcome)
    assert coherence.tells_outcome(outcome)
    for story in ([PREVIEW, OUTCOME], [OUTCOME, PREVIEW]):
        summary = texts(summarize_story(story))
        assert preview not in summary
        assert summary[0] == outcome


def test_the_outcome_wins_even_when_the_reports_carry_no_useful_times():
    undated = [Article(a.id, a.title, a.text, a.outlet, T0) for a in (PREVIEW, OUTCOME)]
    summary = texts(summarize_story(undated))
    assert PREVIEW.text.splitlines()[0] not in summary
    assert OUTCOME.text.splitlines()[0] in summary


def test_a_preview_with_no_outcome_reported_is_still_told():
    summary = texts(summarize_story([PREVIEW]))
    assert summary[0] == PREVIEW.text.splitlines()[0]


# ---- quotations --------------------------------------------------------------------------

QUOTE = article("ledger", "Daily Ledger", [
    "Norvania's foreign minister Ilse Aalto welcomed the Ostra river water treaty with Keldor on Tuesday.",
    "\u201cFor four years our farmers on the Ostra watched the river fall. From today the Ostra river treaty "
    "gives them water they can count on in every summer,\u201d Aalto told the assembly in Norvania.",
    "Keldor's foreign minister did not attend the session.",
], hours=2)


def test_a_quotation_over_two_sentences_is_kept_whole():
    opening, closing = split_sentences(QUOTE.text)[1:3]
    assert coherence.quote_balance(opening) == 1 and coherence.quote_balance(closing) == -1
    for story in ([QUOTE, BACKGROUND], [QUOTE]):
        summary = texts(summarize_story(story))
        assert (opening in summary) == (closing in summary), summary
        if opening in summary:
            assert summary.index(closing) == summary.index(opening) + 1


def test_a_quotation_left_open_at_the_end_of_its_paragraph_never_enters():
    left_open = article("rambler", "Rambler", [
        "Keldor's farmers' union praised the Ostra river treaty with Norvania on Tuesday.",
        "\u201cThe Ostra river treaty is the best news our farmers in Keldor have had in years.",
        "Its leader added that the union would watch the commission closely.",
    ])
    summary = texts(summarize_story([left_open]))
    assert left_open.text.splitlines()[1] not in summary


# ---- page furniture ----------------------------------------------------------------------

FURNITURE = article("observer", "Capital Observer", [
    "By Anna Lind and Piet Roos",
    "LAKEPORT (Lake Wire) - Norvania recalled its ambassador from Keldor on Friday after a border post on the Ostra river was closed.",
    "The ambassador, Jon Varga, was told to return to the capital within a day.",
    "Envoy Jon Varga speaks to reporters at the border post on Friday. Photo: Mira Holm/Lake Wire",
    "Email This",
    "More: Keldor closes two more crossings on the Ostra",
    "Sign up for our daily newsletter on Lake affairs.",
    "Click here to read the full statement from the ministry in Lakeport.",
    "Norvania's ministry said the closure broke the treaty signed in May, which guarantees free passage for river traders.",
    "(Lake Wire contributed reporting from the Varn dam.)",
    "Keldor's interior ministry said the post was shut for repairs and would reopen...",
    "#OstraCrossing traders wait at the closed bridge",
    "You can follow our live coverage of the border dispute all weekend.",
    "Grain merchants said about 40 barges loaded with wheat were stuck upstream by evening.",
    "This article has been updated with the ministry's statement.",
    "Copyright 2031 Capital Observer. All rights reserved.",
])


def test_page_furniture_never_reaches_a_summary():
    summary = summarize_story([FURNITURE], SummaryOptions(max_sentences=None, max_words=400))
    chosen = texts(summary)
    assert chosen, "the story's prose is still summarised"
    for line in FURNITURE.text.splitlines():
        if line.startswith(("By ", "Email", "More:", "Sign up", "Click", "(", "#", "You ", "This article",
                            "Copyright", "Envoy Jon Varga speaks")) or line.endswith("..."):
            assert not any(part in chosen for part in split_sentences(line)), line
    assert "Photo:" not in " ".join(chosen)
    # the wire dateline is cut and the rest of the sentence kept, verbatim
    lead = next(s for s in summary if s.position == 1)
    assert lead.text.startswith("Norvania recalled its ambassador")
    assert lead.text in FURNITURE.text and split_sentences(FURNITURE.text)[1].endswith(lead.text)
    assert any(t.startswith("Grain merchants said") for t in chosen)


def test_furniture_shapes_are_told_apart_from_prose():
    assert furniture.is_furniture("Envoy Jon Varga at the border post on Friday.", alone_on_line=True)
    assert not furniture.is_furniture("Envoy Jon Varga left the border post on Friday.", alone_on_line=True)
    assert furniture.is_furniture("Share this story with your friends on the Ostra.")
    assert not furniture.is_furniture("The minister told reporters: the border stays shut.")
    assert furniture.prose_start("GENEVA, May 3 (Lake Wire) \u2014 Talks resumed on Monday after a pause.") > 0
    assert furniture.prose_start("NATO leaders met on Monday in Lakeport for talks.") == 0


def test_an_article_about_something_else_entirely_stays_out():
    stray = article("archive", "Archive", [
        "These web crawls are part of an effort to keep copies of pages as they are published.",
        "Each crawl stores the pages in compressed files that researchers may request.",
        "The collection grows by several million pages a month.",
    ])
    summary = summarize_story([BACKGROUND, POINTER, stray])
    assert all(s.outlet != "Archive" for s in summary)


# ---- length and order --------------------------------------------------------------------

def test_the_email_summary_is_short_and_opens_on_the_main_development():
    story = [BACKGROUND, POINTER, SPENDING_A, QUOTE]
    summary = summarize_story(story)
    assert 3 <= len(summary) <= 5
    assert sum(len(s.text.split()) for s in summary) <= SummaryOptions().max_words
    first = summary[0]
    # the opening is the lead of its article: the first of that article's sentences
    assert first.position == 0
    # each article's sentences stay in their own order
    for a in story:
        positions = [s.position for s in summary if s.article_id == a.id]
        assert positions == sorted(positions)


def test_the_word_budget_is_configurable():
    story = [BACKGROUND, POINTER]
    short = summarize_story(story, SummaryOptions(max_words=60, min_sentences=1))
    assert sum(len(s.text.split()) for s in short) <= 60
    longer = summarize_story(story, SummaryOptions(max_words=200, max_sentences=8))
    # a longer budget carries more of the story, and stays within itself
    assert sum(len(s.text.split()) for s in short) < sum(len(s.text.split()) for s in longer) <= 200
    assert len(longer) > len(short)


# ---- a speaker named only as "the official" -------------------------------------------

def test_a_speaker_named_only_as_the_official_comes_with_the_sentence_that_introduced_them():
    envoy = article("herald", "Ridge Herald", [
        "Norvanian and Keldorian envoys will meet on Friday in Varn to discuss the river commission.",
        "A senior Norvanian diplomat briefed reporters on the plans on Thursday evening.",
        "Norvania is \"ready to share every measurement of the Ostra with its neighbour,\" the official added.",
    ])
    assert coherence.definite_heads(envoy.text.split("\n")[2]) == ("official",)
    summary = summarize_story([envoy], SummaryOptions(max_words=200))
    for i, sentence in enumerate(summary):
        if "the official added" in sentence.text:
            assert i > 0 and "diplomat" in summary[i - 1].text, texts(summary)


def test_the_headline_tells_the_outcome_when_the_summary_does():
    from summarize.headline import choose_headline, headline_is_preview

    preview = article("post", "Ridge Post", [
        "Norvania and Keldor are due to sign the Ostra river treaty in Varn on Tuesday.",
        "Engineers from both countries drafted the annex on the river's summer flow.",
    ], title="Norvania and Keldor to sign Ostra river treaty")
    report = article("wire", "Lake Wire", [
        "Norvania and Keldor signed the Ostra river treaty in Varn on Tuesday after four years of talks.",
        "The treaty sets up a joint commission to measure the river's flow each week.",
    ], hours=6, title="Ostra river treaty signed in Varn after four years of talks")
    assert headline_is_preview(preview.title) and not headline_is_preview(report.title)
    assert not headline_is_preview("Keldor moves to cut river tolls")
    told = [report.text.split("\n")[0]]
    assert choose_headline([preview, report], summary=told) == report.title
    # Before the event the preview headline is the right one.
    assert choose_headline([preview], summary=[preview.text.split("\n")[0]]) == preview.title


def test_requests_to_the_reader_and_comment_rules_are_furniture():
    assert furniture.is_furniture("Please keep writing to the river commission with your questions.")
    assert furniture.is_furniture("Comments that break the rules of this forum will be removed by our moderators.")
    # A request inside a quotation is someone's words, and comments in the news are news.
    assert not furniture.is_furniture("\u201cPlease open the dam gates,\u201d the farmers wrote to the commission.")
    assert not furniture.is_furniture("The minister said the envoy's comments would be reviewed in Varn.")


def test_a_link_to_view_more_of_the_site_is_furniture_and_a_view_in_the_news_is_not():
    assert furniture.is_furniture("View all Valley Courier newsletters.")
    assert furniture.is_furniture("View the full gallery of the treaty signing")
    assert not furniture.is_furniture("A view of the Ostra shows the dam at its lowest in years.")
    assert not furniture.is_furniture("View from Varn: the ministers left without a deal.")


def test_the_same_ordinal_marks_the_same_fact():
    first = "Keldor's assembly ratified its 14th water treaty with a neighbour, a record for the region."
    again = "No parliament in the region has now approved more shared-river accords: this was the 14th, officials noted."
    assert facts.restates(first, again)
    assert not facts.restates(first, "Officials in Varn counted 14 new wells along the Ostra.")


def test_a_sign_up_prompt_glued_to_its_box_label_is_furniture():
    assert furniture.is_furniture("River Desk Alerts Get river commission alerts and weekly updates.")
    # A run of names before a verb is a sentence, not a box.
    assert not furniture.is_furniture("Keldor Foreign Minister Ana Varga signed the annex in Varn on Tuesday.")
