"""Tests for feeds.clean: page text in, article body out.

The fixture pages are invented for this project: a made-up river treaty between two made-up
countries, wrapped in the kinds of page furniture stored articles carry.
"""
from __future__ import annotations


from hypothesis import given, settings, strategies as st

from feeds.clean import CleanOptions, clean_page_text, normalise_line, repeated_lines
from feeds.invisible import visible

HEADLINE = "Valdoria and Ostmark sign river treaty after months of talks"

BODY = [
    "Valdoria and Ostmark signed a treaty on Tuesday that shares the water of the Serin river, "
    "ending months of talks that had stalled twice over the dam at Kelp Gorge.",
    "The foreign ministers of both countries met in the border town of Amsel, where the treaty was "
    "signed in front of envoys from four neighbouring states and the regional water commission.",
    "Under the treaty, Ostmark will release an agreed share of the river during the dry season, and "
    "Valdoria will fund half of the repairs to the dam, which both sides say is close to failing.",
    "Farmers on both banks of the river had warned that another dry season without an agreement "
    "would ruin the harvest, and the talks were restarted after protests in Amsel in the spring.",
    "Diplomats said the treaty sets up a joint commission that will meet every three months to "
    "check the river's flow and settle disputes before they reach the ministers again.",
    "The Ostmark foreign minister called the treaty a model for the region, while the Valdorian "
    "side said the real test would be the first dry season under the new rules.",
]

NAV = ["Home", "World", "Politics", "Business", "Climate", "Sport", "Log in", "Subscribe"]
COOKIE = "We use cookies to improve your experience. Accept all"
NEWSLETTER = [
    "Get the Morning Digest",
    "Every weekday our editors pick the stories you need, delivered free to your inbox at dawn. "
    "Unsubscribe at any time.",
]
BIO = ("Mira Castellan is a correspondent who has written about food, travel and gardening "
       "for twelve years, and she lives by the sea with two cats.")
RELATED = ["Related articles", "Five cheap trips for the autumn holidays", "Why cats love boxes",
           "The best budget phones this year", "A chef's guide to spring onions"]
APPENDED = [
    "Local bakery wins national bread prize",
    "A small bakery in the hill village of Brenn has won the national prize for its rye loaf, "
    "beating more than two hundred entries from across the country in a blind tasting.",
    "The baker said the recipe came from her grandmother and that she would spend the prize money "
    "on a second oven, because queues outside the shop now start before sunrise.",
]
FOOTER = ["About us", "Contact", "Privacy policy", "Terms of use", "© 2031 Example News"]


def messy_page() -> str:
    """A page in the shape stored pages arrive in: furniture, body, blurbs, lists, another story."""
    lines = [COOKIE, *NAV, HEADLINE, "By Jon Ferris", "12 March 2031",
             BODY[0], BODY[1], BODY[2],
             "Advertisement", "Story continues below",
             BODY[3], BODY[4],
             BODY[2],  # the page repeats a paragraph (a pull quote rendered twice)
             BODY[5],
             *NEWSLETTER, BIO,
             *RELATED, *APPENDED, *FOOTER]
    return "\n".join(lines)


def cleaned_lines(text: str, **kwargs) -> list[str]:
    return clean_page_text(text, **kwargs).split("\n")


def test_body_survives_intact_and_in_order():
    kept = cleaned_lines(messy_page(), title=HEADLINE)
    assert [line for line in kept if line in BODY] == BODY


def test_each_kind_of_noise_is_dropped():
    out = clean_page_text(messy_page(), title=HEADLINE)
    for noise in [COOKIE, *NAV, *NEWSLETTER, BIO, *RELATED, *APPENDED, *FOOTER, "Advertisement",
                  "Story continues below", "By Jon Ferris"]:
        assert noise not in out, noise


def test_repeated_paragraph_is_kept_once():
    kept = cleaned_lines(messy_page(), title=HEADLINE)
    assert kept.count(BODY[2]) == 1


def test_near_duplicate_paragraph_is_dropped():
    near = BODY[1].replace("four neighbouring states", "four neighbouring countries")
    page = "\n".join([HEADLINE, *BODY[:3], near, *BODY[3:]])
    kept = cleaned_lines(page, title=HEADLINE)
    assert near not in kept and BODY[1] in kept


def test_works_without_a_title():
    out = clean_page_text(messy_page())
    assert all(paragraph in out for paragraph in BODY)
    assert "Privacy policy" not in out and "Five cheap trips for the autumn holidays" not in out


def test_teaser_list_before_the_headline_is_not_taken_for_the_body():
    # A grid of story cards above the article: each card is a headline run into its summary,
    # and together they hold more prose than the short article itself.
    cards = [
        "Ferry timetable angers harbour residents Commuters in the old quarter said on Monday that "
        "the new timetable had left them waiting for hours in the cold.",
        "City zoo welcomes twin otters The keepers said the pair were born last week and would be "
        "shown to visitors once the weather turns warmer in April.",
        "Marathon route changed after bridge repairs Organisers moved the course away from the east "
        "bank, adding a loop through the park that runners will notice.",
        "New library opens with a rooftop garden Readers queued from early morning to see the "
        "building, which took six years and two architects to finish.",
        "Bus drivers agree pay deal The union said its members voted to accept the offer, ending a "
        "dispute that had cancelled night services for most of the winter.",
        "Storm brings down trees across the valley Crews worked through the night to clear roads, "
        "and the power company said most homes would be reconnected today.",
        "Cheese makers fear for summer pastures Dairy farmers said the dry spring left the high "
        "meadows bare, and some herds may have to come down early.",
        "School choir wins regional contest The children sang three songs in two languages and the "
        "judges praised their timing, which they said was nearly perfect.",
    ]
    page = "\n".join([*NAV, *cards, HEADLINE, "By Jon Ferris", BODY[0], BODY[1], *FOOTER])
    kept = cleaned_lines(page, title=HEADLINE)
    assert kept == [BODY[0], BODY[1]]


def test_lines_recurring_on_other_pages_of_the_site_are_dropped():
    promo = ("Support our reporting today: readers like you keep our newsroom open, so please "
             "consider giving whatever you can afford this month.")
    other = "\n".join([*NAV, "Storm closes mountain passes", promo,
                       "Heavy snow closed three mountain passes on Sunday, and the roads agency said "
                       "they would stay shut until the weekend while crews clear the drifts.",
                       *FOOTER])
    page = "\n".join([*NAV, HEADLINE, BODY[0], BODY[1], promo, BODY[2], BODY[3], *FOOTER])
    site = repeated_lines([page, other])
    assert normalise_line(promo) in site
    assert normalise_line(BODY[0]) not in site
    kept = cleaned_lines(page, title=HEADLINE, site_lines=site)
    assert promo not in kept
    assert BODY[:4] == [line for line in kept if line in BODY]


def test_repeated_lines_counts_pages_not_occurrences():
    pages = ["Menu\nMenu\nA story about rivers.", "Menu\nA story about dams.", "Other text"]
    assert repeated_lines(pages) == frozenset({"menu"})
    assert repeated_lines(pages, min_pages=3) == frozenset()
    assert repeated_lines([]) == frozenset()


def test_empty_and_whitespace_input_give_empty_body():
    assert clean_page_text("") == ""
    assert clean_page_text("   \n\t\n  ") == ""
    assert clean_page_text("Home\nNews\nLog in") == ""


def test_options_change_behaviour():
    # A stricter notion of prose keeps nothing of a page whose paragraphs are all short.
    page = "\n".join([HEADLINE, *BODY])
    assert clean_page_text(page, title=HEADLINE, options=CleanOptions(min_prose_words=100)) == ""


def test_non_english_page_keeps_its_body():
    body = ["Valdoria und Ostmark haben am Dienstag einen Vertrag über das Wasser des Flusses "
            "unterzeichnet, nachdem die Gespräche zweimal wegen des Staudamms gescheitert waren.",
            "Die Außenminister beider Länder trafen sich in der Grenzstadt Amsel, wo der Vertrag "
            "vor Gesandten aus vier Nachbarstaaten unterzeichnet wurde.",
            "Nach dem Vertrag wird Ostmark in der Trockenzeit einen Teil des Flusses freigeben, und "
            "Valdoria wird die Hälfte der Reparaturen am Damm bezahlen."]
    page = "\n".join(["Startseite", "Politik", "Wirtschaft", *body, "Impressum", "Datenschutz"])
    assert cleaned_lines(page) == body


_line = st.one_of(st.text(max_size=80), st.sampled_from([*BODY, *NAV, BIO, "", "   ", "-"]))


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_line, max_size=40), title=st.one_of(st.none(), st.text(max_size=60)))
def test_never_raises_and_only_returns_input_lines(lines, title):
    text = "\n".join(lines)
    out = clean_page_text(text, title=title)
    # (less the characters nobody sees: see test_invisible_characters_leave_the_text_words_kept_apart)
    present = {visible(line).strip() for line in text.splitlines()}
    assert all(line in present and line for line in out.split("\n")) or out == ""
