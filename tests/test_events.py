"""One story is one event: look-alike events of one topic stay apart, one event's coverage stays together.

The stories are invented for this project (fictional countries, people and places). Each
case is grouped the way the daily product does it: one run per publication day, each run
passing the story assignments of the runs before.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone

from core.models import Article
from summarize.group import group_articles
from summarize.particulars import particulars

# A Monday.
DAY0 = datetime(2025, 3, 10, 8, 0, tzinfo=timezone.utc)


def make(slug: str, outlet: str, when: datetime, title: str, text: str) -> Article:
    """An article with the fields grouping reads, dated by its outlet."""
    host = outlet.lower().replace(" ", "")
    return Article(id=f"https://{host}.example/{slug}", title=title, text=text, outlet=outlet,
                   published=when, url=f"https://{host}.example/{slug}", published_from="metadata")


def day_by_day(articles: list[Article]) -> dict[str, str]:
    """Group as the daily job does: one run per day, earlier assignments passed on."""
    days: dict[object, list[Article]] = defaultdict(list)
    for article in articles:
        days[article.published.date()].append(article)
    seen: list[Article] = []
    assigned: dict[str, str] = {}
    for day in sorted(days):
        seen.extend(days[day])
        assigned = group_articles(seen, assigned)
    return assigned


def together(mapping: dict[str, str], articles: list[Article]) -> bool:
    return len({mapping[a.id] for a in articles}) == 1


def apart(mapping: dict[str, str], first: list[Article], second: list[Article]) -> bool:
    return not ({mapping[a.id] for a in first} & {mapping[a.id] for a in second})


# ---- two rounds of talks in one city, a fortnight apart ---------------------------------

ROUND_ONE = [
    make("r1-a", "Harbour Post", DAY0 + timedelta(hours=10),
         "Ostland and Veria open first round of talks in Kessin",
         "Delegations from Ostland and Veria sat down in Kessin on Monday for their first direct talks "
         "since the border war began. Ostland's chief negotiator Arvid Lenk and Veria's deputy foreign "
         "minister Dana Morell met for four hours at the Kessin town hall under the eye of mediators from "
         "Lusia. Both sides agreed to swap the bodies of 60 fallen soldiers and to meet again."),
    make("r1-b", "Daily Ledger", DAY0 + timedelta(hours=13),
         "Kessin talks end with body exchange deal",
         "The first round of peace talks between Ostland and Veria ended in Kessin on Monday with a deal "
         "to exchange the remains of 60 soldiers, negotiators said. Arvid Lenk, who led Ostland's team, "
         "called the meeting with Dana Morell businesslike. Lusian mediators hosted the session in the "
         "town hall and said a date for further talks would be set."),
    make("r1-c", "Morning Wire", DAY0 + timedelta(days=1, hours=2),
         "What the Kessin talks between Ostland and Veria achieved",
         "Monday's talks in Kessin between Ostland and Veria produced one concrete result: an exchange of "
         "the bodies of 60 soldiers. Lenk and Morell did not discuss a ceasefire line, people familiar "
         "with the four-hour session said. The Lusian mediators want the delegations back in Kessin."),
]

ROUND_TWO = [
    make("r2-a", "Harbour Post", DAY0 + timedelta(days=14, hours=10),
         "Ostland and Veria hold second round of talks in Kessin",
         "Ostland and Veria returned to the negotiating table in Kessin on Monday for a second round of "
         "talks, two weeks after the first. Arvid Lenk and Dana Morell spent the day on a prisoner swap: "
         "Veria offered to free 412 detainees if Ostland released 390. Lusian mediators called the "
         "session the hardest so far."),
    make("r2-b", "Daily Ledger", DAY0 + timedelta(days=14, hours=15),
         "Prisoner swap of 800 agreed at second Kessin round",
         "Negotiators from Ostland and Veria agreed in Kessin on Monday to exchange about 800 prisoners, "
         "412 held by Ostland and 390 by Veria, in the second round of their talks. Dana Morell said the "
         "swap would start within ten days. Ostland's Arvid Lenk said a ceasefire was not yet on the "
         "table."),
    make("r2-c", "Morning Wire", DAY0 + timedelta(days=15, hours=3),
         "Kessin prisoner deal: who is freed and when",
         "The prisoner exchange agreed on Monday in Kessin covers 412 detainees held by Ostland and 390 "
         "held by Veria, the largest swap of the war. Lenk and Morell signed the list after a day of "
         "talks, the second round since the war began, with Lusian mediators present."),
]


def test_two_rounds_of_talks_in_one_city_a_fortnight_apart_are_two_stories():
    mapping = day_by_day(ROUND_ONE + ROUND_TWO)
    assert together(mapping, ROUND_ONE)
    assert together(mapping, ROUND_TWO)
    assert apart(mapping, ROUND_ONE, ROUND_TWO)


# ---- two calls between the same leaders in one week --------------------------------------

CALL_MONDAY = [
    make("call1-a", "Harbour Post", DAY0 + timedelta(hours=18),
         "Lenhart and Sova discuss grain corridor in phone call",
         "President Mara Lenhart of Ostland and Prime Minister Ivo Sova of Veria spoke by telephone on "
         "Monday about reopening the grain corridor through the port of Tessa, Lenhart's office said. "
         "The two leaders agreed that inspectors from Lusia would check the first ships."),
    make("call1-b", "Daily Ledger", DAY0 + timedelta(days=1, hours=7),
         "Ostland and Veria leaders agree on grain ship inspections",
         "Ostland's Mara Lenhart and Veria's Ivo Sova agreed in a call on Monday to let Lusian inspectors "
         "examine grain ships leaving Tessa, the first step to reopening the corridor, both governments "
         "said on Tuesday."),
]

CALL_FRIDAY = [
    make("call2-a", "Harbour Post", DAY0 + timedelta(days=4, hours=17),
         "Lenhart and Sova speak again, this time on the dam",
         "Mara Lenhart and Ivo Sova held a second phone call this week on Friday, discussing repairs to "
         "the damaged Orlo dam on their shared river. Veria's prime minister asked for engineers from "
         "Ostland to be allowed onto the site before the spring floods."),
    make("call2-b", "Morning Wire", DAY0 + timedelta(days=4, hours=21),
         "Orlo dam repairs top Ostland-Veria leaders' call",
         "In a call on Friday, Ostland's President Lenhart told Veria's Prime Minister Sova that engineers "
         "could reach the Orlo dam within a week, officials said. The dam was hit by shelling last month "
         "and its reservoir threatens villages downstream."),
]


def test_two_calls_between_the_same_leaders_in_one_week_are_two_stories():
    mapping = day_by_day(CALL_MONDAY + CALL_FRIDAY)
    assert together(mapping, CALL_MONDAY)
    assert together(mapping, CALL_FRIDAY)
    assert apart(mapping, CALL_MONDAY, CALL_FRIDAY)


# ---- a summit and the same ministers' meeting the next day --------------------------------
# Judged as one event: the ministers of the summit meet again the next morning in the same
# city to finish the summit's business (its communique). A reader follows one summit over
# two days, as with any two-day summit; two stories would tell the same summit twice.

SUMMIT = [
    make("sum-a", "Harbour Post", DAY0 + timedelta(days=1, hours=16),
         "Northern Council summit in Valbruck backs fishing quota plan",
         "Foreign ministers of the five Northern Council states backed a shared fishing quota plan at "
         "their summit in Valbruck on Tuesday. Estmark's Lia Torv, who chairs the council, said the "
         "ministers would meet again on Wednesday to finish a joint communique on the Grey Sea."),
    make("sum-b", "Daily Ledger", DAY0 + timedelta(days=1, hours=19),
         "Valbruck summit: Northern Council ministers agree Grey Sea quotas",
         "The Northern Council's foreign ministers agreed on Grey Sea fishing quotas at the Valbruck summit "
         "on Tuesday, chair Lia Torv of Estmark said. Norvania's minister Pal Aske called the deal fair to "
         "small fleets."),
]

SUMMIT_NEXT_DAY = [
    make("sum-c", "Morning Wire", DAY0 + timedelta(days=2, hours=12),
         "Northern Council ministers issue Valbruck communique",
         "A day after their summit, the Northern Council foreign ministers met again in Valbruck on "
         "Wednesday and issued the joint communique on the Grey Sea, setting the fishing quotas agreed on "
         "Tuesday into writing. Lia Torv said the council would review the quotas in a year; Pal Aske "
         "signed for Norvania."),
]


def test_a_summit_and_the_same_ministers_meeting_next_day_to_finish_it_are_one_story():
    mapping = day_by_day(SUMMIT + SUMMIT_NEXT_DAY)
    assert together(mapping, SUMMIT + SUMMIT_NEXT_DAY)


# ---- a preview page and the report of the event it previews -------------------------------

PREVIEW = make(
    "preview", "Capital Observer", DAY0 + timedelta(days=2, hours=9),
    "What to know before the Tessa talks on Lusian gas transit",
    "- Energy ministers of Lusia and Veria meet on Thursday in Tessa.\n"
    "- On the table: the transit fee for Lusian gas through Veria, which expires at the end of March.\n"
    "- Lusia's Oren Halvik wants the fee cut by a third; Veria's Sabine Kroll has refused so far.\n"
    "- Without a deal, 40 million cubic metres a day could stop flowing in April.")

REPORTS = [
    make("gas-a", "Harbour Post", DAY0 + timedelta(days=3, hours=15),
         "Lusia and Veria agree new gas transit fee in Tessa",
         "Lusia and Veria agreed on Thursday in Tessa to cut the fee Lusia pays to send gas through Veria "
         "by a quarter, ending weeks of dispute. Energy minister Oren Halvik of Lusia and his Verian "
         "counterpart Sabine Kroll signed a five-year transit contract for 40 million cubic metres a day."),
    make("gas-b", "Daily Ledger", DAY0 + timedelta(days=3, hours=18),
         "Gas will keep flowing: Halvik and Kroll sign transit deal",
         "Gas from Lusia will keep crossing Veria after the two countries' energy ministers, Oren Halvik "
         "and Sabine Kroll, signed a transit deal in Tessa on Thursday. The fee falls by a quarter and the "
         "contract runs five years, Kroll's ministry said."),
]


def test_a_preview_joins_the_report_of_the_event_it_previews():
    mapping = day_by_day([PREVIEW] + REPORTS)
    assert together(mapping, [PREVIEW] + REPORTS)


def test_all_cases_in_one_stream_keep_their_events():
    # Everything of the fortnight in one feed stream, as the product sees it.
    everything = ROUND_ONE + ROUND_TWO + CALL_MONDAY + CALL_FRIDAY + SUMMIT + SUMMIT_NEXT_DAY + [PREVIEW] + REPORTS
    mapping = day_by_day(everything)
    events = [ROUND_ONE, ROUND_TWO, CALL_MONDAY, CALL_FRIDAY, SUMMIT + SUMMIT_NEXT_DAY, [PREVIEW] + REPORTS]
    for event in events:
        assert together(mapping, event)
    assert len({mapping[a.id] for a in everything}) == len(events)


# ---- the particulars themselves -------------------------------------------------------------

def test_particulars_name_people_places_dates_and_figures():
    found = particulars("Talks in Kessin",
                        "Delegations met in Kessin on Monday. The envoy Arvid Lenk said 412 prisoners and "
                        "1,200 civilians would be freed by March 20.",
                        DAY0 + timedelta(days=1), "metadata")
    assert found["n:kessin"] == 2
    assert found["nn:arvid_lenk"] == 1
    assert found["#412"] == 1 and found["#1200"] == 1
    # "Monday" read on Tuesday 11 March is Monday 10 March; "March 20" gets its year.
    assert found["d:2025-03-10"] == 1 and found["d:2025-03-20"] == 1
    # A capitalised first word of a sentence is no name.
    assert "n:delega" not in found


def test_spellings_of_one_name_meet_and_an_unknown_date_keeps_the_weekday():
    one = particulars("", "The envoy met Volodymyr Zelensky on Sunday.", DAY0, "fetched")
    other = particulars("", "The envoy met Volodymyr Zelenskyy on Sunday.", DAY0, "fetched")
    assert one == other
    assert one["d:sunday"] == 1


def test_days_are_read_whatever_their_case_and_may_the_verb_is_no_date():
    when = datetime(2026, 5, 20, 9, 0, tzinfo=timezone.utc)  # a Wednesday
    found = particulars("TALKS RESUME ON MONDAY", "The delegations may 12 times have met. They meet again "
                        "on 26 MAY, and the ministers may sign on May 28. Yesterday the envoy left.", when)
    days = {term for term in found if term.startswith("d:")}
    # MONDAY in the headline, 26 MAY, May 28 and yesterday; "may 12" is the verb and a figure.
    assert days == {"d:2026-05-18", "d:2026-05-26", "d:2026-05-28", "d:2026-05-19"}
    # The dotted capital I lengthens the text when lower-cased: the days are still found.
    assert "d:2026-05-18" in particulars("İstanbul talks", "The talks in İstanbul began on Monday.", when)


def test_names_in_pairs_figures_with_decimals_and_a_lead_of_two_sentences():
    from summarize.particulars import read_particulars, split_words
    title = "Envoy Arvid Lenk's plan"
    text = ("The Kessin talks ended. The envoy Arvid Lenk's Tallor office said 6.1 per cent of 100,000 "
            "troops would leave on Friday. A second meeting was set for May 30.\n"
            "Lenk_Tallor and model A320 and v1.5 were mentioned.")
    when = datetime(2026, 5, 20, 9, 0, tzinfo=timezone.utc)
    found, lead = read_particulars(split_words(f"{title}\n{text}"), len(split_words(title).words), when)
    assert found == particulars(title, text, when)
    # "Lenk's Tallor" is a pair like "Arvid Lenk"; both spellings with the possessive count.
    assert found["nn:arvid_lenk"] == 2 and found["nn:lenk_tallor"] == 1
    # Decimals and thousands stay one figure; digits glued to letters are no figure of their own.
    assert found["#6.1"] == 1 and found["#100000"] == 1 and "#320" not in found and found["#5"] == 1
    # A word joined by an underscore starts no name.
    assert found["n:tallor"] == 1
    # The lead is the headline and the first two sentences: Friday is in it, May 30 is not.
    assert {term for term in lead if term.startswith("d:")} == {"d:2026-05-15"} and found["d:2026-05-30"] == 1
    # Names are read in the first two sentences of five words or more: the short first
    # sentence does not count, so the third is in (none of its words is a name).
    assert {term for term in lead if term.startswith("l:")} == {"l:kessin", "l:arvid", "l:lenk", "l:tallor"}
