"""The headline is one of the sources' own titles that the story's summary bears out."""
from __future__ import annotations

from datetime import datetime, timezone

from core.models import Article
from summarize.headline import choose_headline, proper_nouns, unsupported_names

WHEN = datetime(2025, 6, 25, 9, tzinfo=timezone.utc)


def article(n: int, title: str, text: str) -> Article:
    return Article(f"https://news{n}.example/{n}", title, text, f"Outlet {n}", WHEN, f"https://news{n}.example/{n}")


PRESS = article(1, "Baltic ministers press Fico as EU summit nears with sanctions package blocked",
                "The three Baltic foreign ministers wrote to Robert Fico on Wednesday urging him to lift his veto. "
                "The ministers of Lithuania, Latvia and Estonia said the sanctions package must pass. "
                "Fico has tied his support to concessions on a separate gas plan.")
VETO = article(2, "Slovakia's veto threat leaves EU sanctions package in limbo",
               "The European Union's sanctions package against Russia stalled after Slovakia threatened a veto. "
               "The package would lower the price cap on Russian crude. It needs the approval of every state.")
SUMMIT = article(3, "EU leaders head to Brussels with sanctions stuck and Middle East crisis on the table",
                 "European Union leaders meet in Brussels on Thursday with the sanctions package still blocked. "
                 "Slovakia wants guarantees on gas before it agrees.")
SUMMARY = ["The European Union's sanctions package against Russia stalled after Slovakia threatened a veto.",
           "The package would lower the price cap on Russian crude.",
           "A Lithuanian diplomat said a single member state should not hold the bloc's policy hostage."]


def test_a_title_naming_people_the_summary_never_mentions_is_passed_over():
    articles = [PRESS, VETO, SUMMIT]
    assert choose_headline(articles, summary=SUMMARY) == VETO.title
    proper = proper_nouns([a.text for a in articles])
    told = " ".join(SUMMARY)
    assert unsupported_names(PRESS.title, told, proper) == ["Baltic", "Fico"]
    assert unsupported_names(SUMMIT.title, told, proper) == ["Brussels", "Middle", "East"]
    assert unsupported_names(VETO.title, told, proper) == []  # "EU" is the European Union it names


def test_the_title_the_summary_shares_most_words_with_wins_among_supported_ones():
    ceasefire = article(4, "Ceasefire between the neighbours holds for a second day",
                        "The ceasefire held for a second day on Wednesday with no new strikes reported.")
    reaction = article(5, "Governments welcome the ceasefire and call for talks",
                       "Governments around the world welcomed the ceasefire and called for talks.")
    summary = ["The ceasefire held for a second day on Wednesday with no new strikes reported."]
    assert choose_headline([reaction, ceasefire], summary=summary) == ceasefire.title
    summary = ["Governments around the world welcomed the ceasefire and called for talks."]
    assert choose_headline([reaction, ceasefire], summary=summary) == reaction.title


def test_when_every_title_names_someone_absent_the_one_naming_fewest_is_kept():
    one = article(6, "Xi and Wong meet in Beijing", "Xi Jinping met Lawrence Wong in Beijing on Tuesday.")
    two = article(7, "Wong visits Beijing", "Lawrence Wong visited Beijing on Tuesday.")
    summary = ["The two leaders met on Tuesday and pledged closer ties."]
    assert choose_headline([one, two], summary=summary) == two.title


def test_names_match_in_any_form_and_as_acronyms():
    told = ("Chinese and Slovak officials met United Nations envoys; the Prime Minister said Iranian "
            "diplomats would attend.")
    assert unsupported_names("China and Slovakia back UN plan as PM hails Iran talks", told) == []
    assert unsupported_names("Talks with Iraq and the U.N. resume", told) == ["Iraq"]


def test_title_case_titles_only_count_words_the_articles_use_as_names():
    proper = proper_nouns([PRESS.text, VETO.text])
    told = "The ministers urged the government to lift its veto on the sanctions package."
    assert unsupported_names("Ministers Press Fico Over Sanctions Veto", told, proper) == ["Fico"]


def test_without_titles_the_stand_in_is_a_short_opening_not_a_kicker():
    untitled = Article("https://news8.example/8", "", "BREAKING: Envoys. The foreign ministers of Ardenia and Belmark "
                       "signed a treaty on Monday that divides the waters of the Silver Lake basin after eleven "
                       "years of talks.", "Outlet 8", WHEN, "https://news8.example/8")
    headline = choose_headline([untitled])
    assert headline == "The foreign ministers of Ardenia and Belmark signed a treaty on Monday that divides the " \
                       "waters…"
    assert len(headline.split()) <= 16


def test_an_untitled_source_is_listed_as_such_not_under_its_outlet_twice():
    from core.models import Briefing, Source, Story
    from templates.render import render_email
    source = Source("a", "Capital Observer", "", "https://capitalobserver.example/a", WHEN)
    email = render_email(Briefing("2025-06-25", (Story("s", "Envoys meet", (), (source,), WHEN),), WHEN))
    assert "[1] Capital Observer: untitled article" in email.text
    assert '<b>Capital Observer</b>: <a href="https://capitalobserver.example/a">untitled article</a>' in email.html


def test_a_title_that_is_a_wire_opening_loses_its_dateline_and_is_cut_to_headline_length():
    opening = ("VALLETTA (Harbour Wire) — Foreign ministers of the two island states said on Friday that "
               "they had agreed to reopen their embassies next month, ending a dispute over fishing rights "
               "that began three years ago when a patrol boat detained a trawler")
    text = opening + ". The agreement was signed at a short ceremony in the harbour."
    headline = choose_headline([article(1, opening, text)])
    assert not headline.startswith("VALLETTA") and "Harbour Wire" not in headline
    assert headline.startswith("Foreign ministers of the two island states")
    assert len(headline.split()) <= 22


def test_an_ordinary_title_is_kept_as_written():
    title = "Island states agree to reopen embassies after fishing dispute"
    assert choose_headline([article(1, title, "Foreign ministers agreed on Friday to reopen the embassies.")]) == title


def test_a_stand_in_title_that_glues_a_headline_to_its_standfirst_gives_the_headline_alone():
    # A record without a title: its first line is the page's headline run into the standfirst.
    line = ("Fishing fleets return to the disputed shoals despite Ardenia's warnings The coast guard "
            "of Ardenia sent two cutters to the shoals and warned the Belmark fleets to leave its waters")
    text = line + ". Belmark's foreign ministry summoned the Ardenian ambassador on Tuesday."
    untitled = Article("https://news9.example/9", line[:120].rsplit(" ", 1)[0] + "\u2026", text, "Outlet 9", WHEN,
                       "https://news9.example/9")
    headline = choose_headline([untitled], summary=[line + "."])
    assert headline == "Fishing fleets return to the disputed shoals despite Ardenia's warnings"


def test_a_title_split_into_tokens_is_written_as_a_headline():
    assert choose_headline([article(5, "Ardenia 's envoy : talks will resume in Belmark next week .", "Text.")]) == \
        "Ardenia's envoy: talks will resume in Belmark next week"
    assert choose_headline([article(6, "Belmark does n't sign the Silver Lake accord , its minister says", "Text.")]) \
        == "Belmark doesn't sign the Silver Lake accord, its minister says"
