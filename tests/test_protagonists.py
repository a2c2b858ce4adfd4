"""Two look-alike events told apart by whom their leads name (``summarize.protagonists``).

The stories are invented for this project. Two players of one club are put on the injured
list three days apart: every report names the club, its coach, its ground and the list, and
the second event's reports mention the first player too; only the leads say whom each report
is about.
"""
from __future__ import annotations

from datetime import timedelta

from summarize.group import group_articles
from summarize.particulars import read_particulars, split_article
from summarize.protagonists import LeadNames, _log10_tail
from tests.test_events import DAY0, apart, day_by_day, make, together

# Same club, same coach, same list, same words; the first player in five leads, and three
# days later the second one in five leads of the same words (the first one named further down).
REVAL = [
    make("reval-a", "Harbour Post", DAY0 + timedelta(hours=9),
         "Harriers put striker Tomas Reval on injured list",
         "The Kessin Harriers have put striker Tomas Reval on the injured list with a torn knee ligament, "
         "ending his season. Reval was hurt in the second half of the derby at Orlo Park. Coach Lena Drost "
         "said the club would look for cover before the cup tie."),
    make("reval-b", "Daily Ledger", DAY0 + timedelta(hours=11),
         "Reval's season over as Harriers place him on injured list",
         "Tomas Reval will miss the rest of the season after the Kessin Harriers placed the striker on the "
         "injured list. Scans showed a torn ligament in his left knee, coach Lena Drost told reporters at "
         "Orlo Park. The Harriers have two league games and the cup tie left."),
    make("reval-c", "Morning Wire", DAY0 + timedelta(hours=14),
         "Injured list for Harriers striker Reval",
         "Striker Tomas Reval of the Kessin Harriers is out for the season with a knee injury, the club said "
         "as it put him on the injured list. Lena Drost, the coach, called it a blow before the cup tie. "
         "Reval scored eleven goals this season."),
    make("reval-d", "City Sport", DAY0 + timedelta(hours=16),
         "Harriers lose Reval for the season",
         "The Kessin Harriers lost striker Tomas Reval for the season when the club placed him on the "
         "injured list with a torn knee ligament suffered at Orlo Park. Coach Lena Drost said younger "
         "players would get their chance in the league and the cup."),
    make("reval-e", "Valley Times", DAY0 + timedelta(hours=20),
         "Knee injury ends Tomas Reval's season",
         "A torn ligament has ended the season of Kessin Harriers striker Tomas Reval, who went on the "
         "injured list after the derby at Orlo Park. Harriers coach Lena Drost said the club would not "
         "rush a signing before the cup tie."),
]

MARANT = [
    make("marant-a", "Harbour Post", DAY0 + timedelta(days=3, hours=9),
         "Harriers put winger Ilse Marant on injured list",
         "The Kessin Harriers have put winger Ilse Marant on the injured list with a torn knee ligament, "
         "the second such injury in a week. Marant went down in training at Orlo Park. Coach Lena Drost, "
         "who lost striker Tomas Reval the same way, said the club would now sign cover before the cup tie."),
    make("marant-b", "Daily Ledger", DAY0 + timedelta(days=3, hours=11),
         "Marant out for the season, Harriers say",
         "The Kessin Harriers placed winger Ilse Marant on the injured list after she tore a knee ligament "
         "in training at Orlo Park. Coach Lena Drost said Marant had been the club's best player this "
         "season. The Harriers are short for the cup tie, days after striker Tomas Reval went on the list."),
    make("marant-c", "Morning Wire", DAY0 + timedelta(days=3, hours=14),
         "Second knee injury in a week for the Harriers: Marant out",
         "Winger Ilse Marant of the Kessin Harriers is out for the season with a knee injury, the club said "
         "as it put her on the injured list. Marant had played every league game. Lena Drost, the coach, "
         "now has to replace both Marant and Tomas Reval before the cup tie."),
    make("marant-d", "City Sport", DAY0 + timedelta(days=3, hours=16),
         "Harriers lose Marant for the season",
         "The Kessin Harriers lost winger Ilse Marant for the season when the club placed her on the "
         "injured list with a torn knee ligament from training at Orlo Park. Coach Lena Drost said the "
         "club would sign a player before the cup tie. Striker Tomas Reval went on the list on Monday."),
    make("marant-e", "Valley Times", DAY0 + timedelta(days=3, hours=20),
         "Knee injury ends Ilse Marant's season too",
         "A torn knee ligament has ended the season of Kessin Harriers winger Ilse Marant, who went on the "
         "injured list after training at Orlo Park. Harriers coach Lena Drost said the club would sign "
         "cover before the cup tie. The Harriers have been without Tomas Reval since Monday."),
]


def test_two_players_of_one_club_put_on_the_injured_list_are_two_stories():
    # In one run (a first build, or one catching up on several days): their words alone
    # (average link and cohesion bar) made them one story.
    for mapping in (group_articles(REVAL + MARANT), day_by_day(REVAL + MARANT)):
        assert together(mapping, REVAL)
        assert together(mapping, MARANT)
        assert apart(mapping, REVAL, MARANT)


def test_a_report_naming_a_second_person_in_its_lead_stays_with_its_event():
    # Two of the first event's reports quote the second player in their leads: the name is
    # not the second group's own, so the first event's coverage stays one story.
    quoting = [make(f"{a.id.rsplit('/', 1)[1]}-q", a.outlet, a.published + timedelta(minutes=30), a.title,
                    "Goalkeeper Ilse Marant said she was sorry for her teammate. " + a.text) for a in REVAL[:2]]
    mapping = day_by_day(REVAL + quoting)
    assert together(mapping, REVAL + quoting)


def test_a_wire_copy_under_another_headline_has_the_same_lead_fingerprint():
    text = "Winger Ilse Marant is out for the season. The Harriers said so on Monday. More follows."
    first = read_particulars(*split_article("Harriers lose Marant", text))[1]
    again = read_particulars(*split_article("Marant out", text))[1]
    other = read_particulars(*split_article("Harriers lose Marant", "Ilse Marant is out. " + text))[1]
    fingerprint = {term for term in first if term.startswith("h:")}
    assert len(fingerprint) == 1 and fingerprint <= set(again) and not fingerprint & set(other)


def test_names_in_the_lead_skip_a_web_address_and_a_dateline():
    # Stored pages open on the page's address and a dateline: the lead is the two
    # sentences after them.
    text = ("https://news.example/2026/harriers-marant-injured\nMay 5, 2026\n"
            "Harriers put goalkeeper Ilse Marant on injured list\n"
            "Coach Lena Drost said the club would look for cover.\n"
            "Striker Tomas Reval is also out.")
    _, lead = read_particulars(*split_article("", text))
    # ("Harriers" only ever opens a sentence here: no name by the text's own capitals.)
    assert {term for term in lead if term.startswith("l:")} == {"l:ilse", "l:marant", "l:lena", "l:drost"}


def test_groups_are_told_apart_only_by_a_lopsided_split_both_ways():
    # Five reports on each side, each lead with its own extra name (another outlet's wording).
    first = [["l:reval", "l:harrie", f"l:a{k}"] for k in range(5)]
    second = [["l:marant", "l:harrie", f"l:b{k}"] for k in range(5)]
    assert LeadNames(first + second).apart(0, 1, range(5), range(5, 10))
    # Three leads each: a split of three and none could be chance.
    assert not LeadNames(first[:3] + second[:3]).apart(0, 1, range(3), range(3, 6))
    # One side without a name of its own (the same player in both): one event.
    same = [["l:reval", f"l:b{k}"] for k in range(5)]
    assert not LeadNames(first + same).apart(0, 1, range(5), range(5, 10))
    # Wire copy: five outlets printing one report's lead (one fingerprint) are one lead, not five.
    copies = [["l:marant", "l:harrie", "h:0badcafe"]] * 5
    assert not LeadNames(first + copies).apart(0, 1, range(5), range(5, 10))
    # The tail is the hypergeometric one: all 5 of 5 named leads in a draw of 5 from 10.
    assert abs(_log10_tail(5, 5, 5, 10) - (-2.4014)) < 1e-3
