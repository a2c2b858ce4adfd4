"""A summary names no one and nothing the reader has not met, and ends on no promise.

Blind readers marked down paragraphs that said "Monica said" (Monica who?), "Mr. Smith" when
two Smiths were in the story, "Nanette and the couple's daughters", an explanation of a term
the paragraph never used, "the statement reads" with no statement told, "For instance, ..."
as the last sentence and "here are ten of ..." with nothing after it. Every fixture here is
invented: a dam dispute between Norvania and Keldor, a missing student, a bakery.
"""
from __future__ import annotations

from datetime import datetime, timezone

from core.models import Article
from summarize import coherence, lead, names, references
from summarize.summary import summarize_story

T0 = datetime(2032, 9, 14, 6, 0, tzinfo=timezone.utc)


def article(key: str, lines: list[str]) -> Article:
    return Article(id=f"https://{key}.example/story", title="", text="\n".join(lines), outlet=key.title(),
                   published=T0)


def before(text: str, sentence: str) -> str:
    return text[:text.index(sentence)]


# ---- names ---------------------------------------------------------------------------------

STUDENT = article("gazette", [
    "A student of the Brill polytechnic who was reported missing on Monday has been found safe, police said.",
    '"He does not know where he was," said Ingrid Solberg, the student\'s mother.',
    "Ingrid said that Solberg did not seem hurt and would be seen by doctors.",
    "Police spokesman Arne Vik said Solberg had turned up at his flat early on Friday.",
])


def test_a_first_name_alone_needs_the_full_name_its_article_gave_before():
    forms = names.name_forms([STUDENT])
    sentence = "Ingrid said that Solberg did not seem hurt and would be seen by doctors."
    told = lead.known_words([STUDENT.text.split("\n")[0], "Police said Solberg turned up."])
    assert names.unintroduced_first_name(sentence, told, before(STUDENT.text, sentence), forms,
                                         STUDENT.text) == "Ingrid"
    # once the summary has named Ingrid Solberg, her first name is enough
    assert names.unintroduced_first_name(sentence, told | {"ingrid"}, before(STUDENT.text, sentence), forms,
                                         STUDENT.text) is None


def test_a_word_first_met_in_a_longer_name_is_a_name_of_its_own():
    text = "Varnsoft Maps now shows the dam.\nHinted at for months, Varnsoft formally opened its archive today."
    forms = {"Maps": {"Varnsoft"}}
    sentence = "Hinted at for months, Varnsoft formally opened its archive today."
    assert names.unintroduced_first_name(sentence, set(), before(text, sentence), forms, text) is None


def test_a_surname_two_people_share_is_ambiguous_after_the_other_one():
    text = ("A boy of four died after a fall from the roof of his family's building in Brill.\n"
            "His brother, named by the police as Tomas K. Varga, was charged with murder.\n"
            "The police said the boy, Emil Varga, was found in the courtyard.\n"
            "Around 3 a.m., Mr. Varga approached two officers a few blocks away.")
    forms = names.name_forms([article("post", text.split("\n"))])
    sentence = "Around 3 a.m., Mr. Varga approached two officers a few blocks away."
    seen = before(text, sentence)
    # the summary named the boy: "Mr. Varga" would read as him, but the article meant his brother
    assert names.ambiguous_surname(sentence, "Police found Emil Varga in the courtyard.", seen, forms) == "Varga"
    assert names.ambiguous_surname(sentence, "The police charged Tomas Varga.", seen, forms) is None
    # and a surname only one person of the article bears is not ambiguous
    assert names.ambiguous_surname(sentence, "Police found Emil Varga.", "Emil Varga fell.", forms) is None


def test_spellings_of_one_first_name_are_one_person_but_bob_and_bobby_are_two():
    assert names._variants(["Peter", "Peder"]) and names._variants(["Andreas", "Andrea"])
    assert not names._variants(["Bob", "Bobby"])


def test_a_name_given_with_a_role_needs_that_introduction():
    text = ("The painter died at home on Friday, his partner said.\n"
            "They had been together since his wife, Marit, filed for separation.\n"
            "Marit and the couple's two daughters were abroad at the time of his death.")
    sentence = "Marit and the couple's two daughters were abroad at the time of his death."
    assert names.unintroduced_role_name(sentence, set(), before(text, sentence)) == "Marit"
    assert names.unintroduced_role_name(sentence, {"marit"}, before(text, sentence)) is None
    assert names.unintroduced_role_name("Marit Lund said she was abroad.", set(), before(text, sentence)) is None


def test_an_accented_name_and_a_name_after_mp_are_read_as_names():
    minister = article("herald", [
        "Liberal MP Renée Dubé introduced a bill on Wednesday to change two words of the anthem.",
        "Dubé, who can no longer speak, introduced the bill with a speech app.",
    ])
    forms = names.name_forms([minister])
    assert "Dubé" in forms
    assert names.unintroduced_surname("Dubé, who can no longer speak, introduced the bill.", set(), forms) == "Dubé"
    # a place before a title is no one's first name ("Norvania Gov. Ilse Aalto" names no "Gov")
    text = "Norvania Gov. Ilse Aalto opened the dam.\nThe Gov said so.\nCouples may not marry in Norvania, lawyers said."
    sentence = "Couples may not marry in Norvania, lawyers said."
    assert names.unintroduced_first_name(sentence, set(), before(text, sentence), {"Gov": {"Norvania"}}, text) is None


def test_a_term_explained_whose_use_the_summary_left_out():
    text = ('"The islands should be sunk by the bomb of Varnism," the committee said.\n'
            "Varnism is the doctrine of self-reliance taught by the country's founder.")
    sentence = "Varnism is the doctrine of self-reliance taught by the country's founder."
    assert references.defines_unnamed(sentence, before(text, sentence), {"committee", "threatened"})
    assert not references.defines_unnamed(sentence, before(text, sentence), {"varnism"})
    assert not references.defines_unnamed(sentence, "", set())  # the article's own first use explains it
    # compose leaves it out only when one article uses the term: a term the sources share is the story's
    one = [article("a", text.split("\n")), article("b", ["The committee met on Monday."])]
    assert references.articles_using(sentence, one) == 1
    assert references.articles_using(sentence, one + [article("c", ["Varnism is taught in schools."])]) == 2


# ---- pointing back ---------------------------------------------------------------------------

def test_a_part_of_them_points_back_and_others_need_their_kind_told():
    assert coherence.points_back("Three of them - two women and a man - died young.")
    assert references.compares_unnamed("Other denizens of the forum saw a plot afoot.", {"dam", "accord"})
    assert not references.compares_unnamed("Other types of artificial heart have been fitted before.", {"heart", "implant"})


def test_an_example_that_tells_the_reader_what_to_do_is_the_writer_speaking():
    assert lead.writer_voice("For instance, search for the dam's name today and the first link might be a map.")
    # an example that reports a fact is the report's
    assert not lead.writer_voice("For example, a farmer below the dam lost three harvests.")
    assert not coherence.points_back("For example, a farmer below the dam lost three harvests.")


def test_a_body_reporting_on_he_points_back_but_a_speaker_on_himself_does_not():
    assert coherence.points_back("The police said he had no criminal record.")
    assert coherence.points_back("State officials said she was released on Friday.")
    assert not coherence.points_back("The spokesman said he would step down.")
    assert not coherence.points_back("Officials believe they have found the wreck.")
    assert not coherence.points_back("An engineer who has said she built the dam filed a lawsuit.")
    assert not coherence.points_back("Aalto said he would sign the accord.")


def test_a_statement_that_reads_is_a_definite_speaker():
    assert coherence.definite_heads('"The islands should be sunk," the statement reads in part.') == ("statement",)


# ---- a paragraph that ends on a promise -----------------------------------------------------

def test_a_set_up_for_what_follows_is_a_promise():
    assert coherence.promises("Our editor was in the press room, and here are ten of the things he heard.")
    assert coherence.promises("The minister listed three conditions:")
    assert not coherence.promises("The following day the gates were opened.")
    assert not coherence.promises('"Here is the deal," Aalto said of the accord.')


def test_the_summary_leaves_out_a_promise_its_lead_makes():
    story = article("courier", [
        "Norvania and Keldor agreed on Monday to reopen the Varn dam after a two-year dispute over the "
        "flow of the Ostra river.",
        "Foreign minister Ilse Aalto announced the accord after a night of talks in the town of Brill.",
        "The ministry released its schedule overnight, and here are the five towns that will get water first.",
        "The dam will release water again from the first of October under a schedule drawn up by engineers.",
    ])
    summary = " ".join(s.text for s in summarize_story([story]))
    assert "Varn dam" in summary and "first of October" in summary
    assert "here are the five towns" not in summary


# ---- the same fact twice ---------------------------------------------------------------------

def test_a_day_of_the_week_is_not_news_of_its_own():
    told = "Police said the bodies of the two missing girls from Brill were found near the river on Tuesday."
    retold = "The two missing girls were found dead after they vanished while hiking near the river on Monday."
    assert not lead.adds_news(retold, told, "english")
    assert lead.adds_news("The two girls were found by Keldor's rangers, police said.", told, "english")


def test_another_source_introducing_the_same_person_again_by_description():
    told = "Ilse Aalto, who drafted the accord and signed it in Brill, resigned on Friday."
    assert lead.redescribes("The minister who drafted and signed the accord told reporters she was tired.", told)
    assert lead.redescribes("The Brill official who resigned on Friday had served ten years.",
                            "A senior Brill official resigned on Friday.")
    # someone new, described on the spot, is news, and so is an indefinite description's event
    assert not lead.redescribes("A farmer who lives below the dam said the water was back.", told)
    assert not lead.redescribes("An engineer who drafted and signed the accord filed a lawsuit on Monday.", told)


def test_a_paragraph_of_two_sentences_of_news_takes_no_filler():
    home = article("courier", [
        "Norvania and Keldor agreed on Monday to reopen the Varn dam after a two-year dispute over the flow of "
        "the Ostra river.",
        "Foreign minister Ilse Aalto announced the accord after a night of talks in the lakeside town of Brill.",
    ])
    guide = article("guide", [
        "The Ostra valley is known for its orchards and its slow, wide river that winds past old farms.",
        "Visitors to the valley often stop at the Varn dam to watch the water fall from its high gates.",
    ])
    summary = [s.text for s in summarize_story([home, guide])]
    assert summary == home.text.split("\n")


def test_a_caption_label_glued_to_a_name_is_no_first_name():
    forms = names.name_forms([article("wire", [
        "Foreign minister Ilse Aalto announced the accord after a night of talks.",
        "Photo Aalto at the dam in Brill.",
        "Aalto said the gates would open in October.",
    ])])
    assert forms.get("Aalto") == {"Ilse"}

