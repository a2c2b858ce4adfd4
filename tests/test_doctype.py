"""A summary is built on a report of the story, never on a page that is no article or on another story.

Blind judges marked a summary 1 of 5 when it was built on a web archive's note about its
crawls, when an explainer page led instead of the report it explains, and when a site's plug
for its own databases was added to an obituary. Every fixture is invented for this project:
a ferry accident on a made-up fjord, told by made-up outlets.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from archive.site import render_site, story_path
from core.models import Article, Briefing
from summarize import doctype, lead
from summarize.stories import make_story
from summarize.summary import summarize_story
from templates.render import render_email

T0 = datetime(2033, 3, 2, 7, 0, tzinfo=timezone.utc)


def article(key: str, lines: list[str], hours: float = 0.0) -> Article:
    """An article of one paragraph per line, ``hours`` after T0."""
    return Article(id=f"https://{key}.example/page", title="", text="\n".join(lines), outlet=key.title(),
                   published=T0 + timedelta(hours=hours))


REPORT = article("tidings", [
    "A passenger ferry struck a rock in the Ulvik fjord on Tuesday, injuring eleven people, the coast guard said.",
    "Captain Sigrun Dahl steered the damaged Nordlys to the harbour at Brekke, where ambulances were waiting.",
    "Investigators from the maritime authority will examine the ship's radar on Wednesday.",
])
FOLLOW_UP = article("herald", [
    "The Nordlys ferry will stay out of service for a month after Tuesday's accident near Brekke, its owner said.",
    "Sigrun Dahl, the captain, was praised by passengers for bringing the ship to the harbour.",
    "The maritime authority said the radar had been serviced in January.",
], hours=5)
# A web archive's note about its crawls, kept in place of a page it never captured: longer
# than the report, so the old rule (keep the fuller of two unrelated texts) kept it.
ARCHIVE_NOTE = article("archive", [
    "These crawls were made to keep copies of pages as they are published and of the pages they link to.",
    "Each crawl starts from a seed list of sites chosen by volunteers and follows their links one level deep.",
    "The captured files are stored in the web archive and kept for researchers after an embargo period.",
    "Sites that ask not to be crawled are left out of every collection.",
    "This collection is not publicly accessible while the crawl is still running.",
    "The aim is that a link in an old page still leads to the page its author meant.",
])
# Another note of the same archive, about another of its collections.
ARCHIVE_NOTE_2 = article("archive2", [
    "This collection holds crawls of news sites made every night since the first of January.",
    "Each crawl is stored in the web archive as WARC files.",
])
# A site's plug for its own databases: a few words in common with an obituary of a scholar
# of public records ("public", "records", "years"), no name in common.
PLUG = article("localnet", [
    "Over the years, Localnet has published several databases of public records, which readers have searched "
    "two million times.",
    "Its salary tables of state employees were updated with the figures of last year.",
])
OBITUARY = article("gazette", [
    "Halvard Moen, the historian whose books opened the public records of the 1950s, died on Sunday in Bergen.",
    "He was 91 years old.",
])
OBITUARY_2 = article("post", [
    "Halvard Moen, who spent years fighting for public access to the records of the Storting, died on Sunday.",
    "His family said Moen died peacefully at home.",
])
# An explainer page about the condition a child in the news has: longer, and every sentence
# about the condition, so its opening scores high on centrality.
EXPLAINER = article("guide", [
    "Vestby syndrome is a rare genetic condition that is present at birth and can affect anyone.",
    "Vestby syndrome causes weak muscles, heart problems and a very friendly nature.",
    "Vestby syndrome is caused by a missing piece of one chromosome.",
    "Children with Vestby syndrome often love music and people.",
    "Doctors can test for Vestby syndrome with a simple blood test.",
    "There is no cure for Vestby syndrome, but therapy helps children with it.",
])
NEWS = article("daily", [
    "A seven-year-old boy with Vestby syndrome was hurt when a bus hit his school's gate in Lillevik on Monday, police said.",
    "The boy, Emil Haug, was taken to hospital with a broken leg and is recovering, his family said.",
    "The driver of the bus was questioned by police and released.",
])


def test_a_web_archive_note_is_no_article():
    assert doctype.page_notice(ARCHIVE_NOTE.text)
    assert not doctype.page_notice(REPORT.text)
    assert not doctype.page_notice(EXPLAINER.text)


def test_an_encyclopedia_page_and_a_crawl_seed_note_are_no_articles():
    page = ("From the free encyclopedia Brekke Church is a wooden church in Brekke, on the Ulvik fjord.[1] "
            "It was built between 1890 and 1893.[2][3] History [ edit ] The church replaced an older chapel.")
    assert doctype.reference_page(page) and doctype.no_article(page)
    assert not doctype.reference_page(REPORT.text)
    paper = ("Earlier surveys found slow waves beneath the fjord3,4,5 and its islands (ref. 6). "
             "The slow layer is thinner than in the south (refs 7, 8), as models predict9,10.")
    assert doctype.reference_page(paper)
    assert not doctype.reference_page("The F-16 and two Mi-24 helicopters flew over Brekke at 9, 10 and 11 a.m.")
    seed = ("The seed for this collection was: - Front pages from every domain on the web: -- a ranking of all "
            "URLs that have more than one incoming inter-domain link")
    assert doctype.page_notice(seed)
    summary = summarize_story([article("wiki", page.split(". ")), REPORT, FOLLOW_UP])
    assert summary and not any(s.article_id == "https://wiki.example/page" for s in summary)


def test_a_story_is_told_from_its_report_not_from_a_fuller_archive_note():
    summary = summarize_story([ARCHIVE_NOTE, REPORT])
    assert summary, "the report has sentences to tell"
    assert {s.article_id for s in summary} == {REPORT.id}
    assert summary[0].text.startswith("A passenger ferry struck a rock")


def test_a_story_told_only_by_archive_notes_is_still_told():
    # a story about the archive itself: its notes are what there is
    assert summarize_story([ARCHIVE_NOTE])


def test_a_text_sharing_no_name_with_the_others_gives_no_sentence():
    assert doctype.isolated([{"moen", "bergen"}, {"moen", "storting"}, {"localnet"}]) == [False, False, True]
    # two texts that share nothing: neither is the odd one
    assert doctype.isolated([{"moen"}, {"localnet"}]) == [False, False]
    # three texts that share nothing among them: no story to be off
    assert doctype.isolated([{"moen"}, {"localnet"}, {"dahl"}]) == [False, False, False]
    # a text without names tells nothing either way; calendar words are shared by any two texts
    assert doctype.isolated([{"moen", "sunday"}, {"moen"}, set(), {"localnet", "sunday"}]) == [False, False, False, True]
    # a name that opens another text's sentences is still shared ("Grain prices in Norvania" beside
    # "Norvania and Keldor signed ...")
    assert doctype.capitalised("Norvania and Keldor signed a treaty.") >= {"norvania", "keldor"}
    assert doctype.isolated([{"keldor"}, {"keldor"}, {"norvania"}],
                            [{"keldor", "norvania"}, {"keldor"}, {"norvania", "grain"}]) == [False, False, False]
    for story in ([OBITUARY, OBITUARY_2, PLUG], [PLUG, OBITUARY_2, OBITUARY]):
        summary = summarize_story(story)
        assert summary and not any(s.article_id == PLUG.id for s in summary)


def test_the_report_leads_over_an_explainer_of_its_subject():
    assert lead.explains_subject(EXPLAINER.text.split("\n")[0])
    assert lead.explains_subject("Malaria is one of the most common diseases in the world.")
    for sentence in ("A seven-year-old boy with Vestby syndrome was hurt on Monday.",
                     '"This is a major step," the minister said.', "Police said a man is a suspect.",
                     "If costs are an indicator of confidence, buyers feel good.",
                     "The government is a step closer to a deal after Monday's vote."):
        assert not lead.explains_subject(sentence), sentence
    summary = summarize_story([EXPLAINER, NEWS])
    assert summary[0].text == NEWS.text.split("\n")[0]


# A report whose third sentence says "melts in your mouth", and a profile that opens on an
# anecdote about someone else: the report leads.
BAKERY = article("tidings2", [
    "The Lillevik bakery chain Korn has unveiled its newest product, an edible coffee cup, after a year of trials.",
    "The cup, called the Krus, is made of biscuit lined with a layer of white chocolate that keeps the coffee hot.",
    "Once the chocolate lining has melted, the biscuit begins to soften in your mouth.",
    "Korn said the cup would go on sale in ten of its shops in May.",
])
PROFILE = article("magazine", [
    "Last month, when the mayor of Lillevik opened a new ferry quay, he saw a familiar face in the crowd: Ola Berg, "
    "a baker who, for forty years, has sold bread from a cart on the harbour.",
    "Berg, who lives above the quay, is best known for the cinnamon buns the ferry crews buy each morning.",
    "He is also remembered for a campaign to keep the old fish market open.",
    "Korn, the chain that bought his recipes, has just unveiled an edible coffee cup made of biscuit.",
])
CUP_PRICE = article("ledger2", [
    "Korn's edible coffee cup of biscuit and white chocolate will cost two kroner more than a paper cup.",
    "The bakery chain said the biscuit cup keeps coffee hot for twenty minutes.",
], hours=3)


def test_a_report_saying_your_in_its_third_sentence_is_still_a_report():
    assert not lead.voiced_opening([BAKERY.text.split("\n")[0], BAKERY.text.split("\n")[1],
                                    "Once the chocolate lining has melted, the biscuit begins to soften in your mouth."])
    assert lead.voiced_opening(["You have seen the cup everywhere.", "Korn makes it."])
    assert lead.voiced_opening(["Korn makes the cup.", "I tried one on Monday and it was good."])
    assert lead.voiced_opening(["Korn makes the cup.", "Our reporters tried one on Monday."])
    summary = summarize_story([PROFILE, BAKERY, CUP_PRICE])
    assert summary[0].text == BAKERY.text.split("\n")[0]
    assert "your mouth" not in " ".join(s.text for s in summary)


def test_a_story_whose_every_opening_says_you_is_told_in_its_own_voice():
    # every text speaks to the reader somewhere in its opening: the best is read in its own
    # voice and order, its "your" sentence with it, not cut to a thin paragraph without it
    advice = article("advice", [
        "With a record lottery jackpot of 900 million kroner up for grabs on Friday, plenty of people in Lillevik "
        "are dreaming about how to spend it.",
        "But keeping your winnings, your name and your friends takes some planning, lawyers in the town said.",
        "A woman from Brekke who won 40 million kroner last year hid her ticket in a cookbook until the office opened.",
    ])
    tips = article("tips", [
        "Lottery officials in Lillevik said ticket sales for Friday's record 900 million kroner jackpot had "
        "doubled since Monday.",
        "If you win, the officials said, sign the back of your ticket at once.",
    ])
    summary = summarize_story([advice, tips])
    home = summary[0].article_id
    assert any(" your " in s.text for s in summary if s.article_id == home)


def test_a_story_whose_every_article_is_refused_shows_its_headline_and_sources_without_an_empty_paragraph():
    # an archive's note beside a promotion written in the site's voice: nothing to tell
    promotion = dataclasses.replace(article("clips", [
        "Our video team edited together every goal of the Ulvik ferry cup, in order.",
        "You're welcome!",
    ]), title="Every goal of the Ulvik ferry cup")
    story = make_story("ferry-cup", [promotion, ARCHIVE_NOTE, ARCHIVE_NOTE_2])
    assert story.summary == ()
    assert story.headline and len(story.sources) == 3
    briefing = Briefing("2033-03-02", (story,), T0)
    email = render_email(briefing)
    assert story.headline in email.html and "Clips" in email.html
    assert 'class="summary"' not in email.html
    text = email.text
    assert "1. Every goal of the Ulvik ferry cup" in text and "Sources:" in text and "\n\n\n" not in text
    files = render_site([briefing])
    for page in (files[story_path(story.id, briefing.date)], files[f"briefings/{briefing.date}.html"]):
        assert story.headline in page and "Clips" in page and 'class="summary"' not in page
    feed = files["feed.atom"]
    assert "<p></p>" not in feed and "&lt;p&gt;&lt;/p&gt;" not in feed
