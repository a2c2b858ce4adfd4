"""What the reader sees of where each sentence comes from: the outlet after each run of
sentences (linked to the article), numbered markers in plain text, the diversity line,
true dates, the contents list, the preheader, and the feed-health footer."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from archive.site import render_briefing_page, render_story_page, story_threads
from core.models import Briefing, FeedNote, Source, Story, SummarySentence
from templates.render import preheader, render_email
from templates.storyview import diversity_line, updated_line

NOW = datetime(2025, 6, 24, 15, 12, tzinfo=timezone.utc)
LEDGER = "https://harbourledger.example/world/2025/jun/24/envoys-agree-prisoner-exchange"
OBSERVER = "https://capitalobserver.example/europe/valdoria-talks-second-round"


def src(article_id: str, outlet: str, url: str | None = None, *, title: str = "", when: datetime = NOW,
        origin: str = "metadata", carried_by: tuple[str, ...] = (), country: str = "", kind: str = "") -> Source:
    return Source(article_id, outlet, title or f"{outlet} on the Valdoria talks", url, when, origin, carried_by,
                  country, kind)


def say(text: str, source: Source, position: int = 0) -> SummarySentence:
    return SummarySentence(text, source.article_id, source.outlet, position)


LEDGER_SRC = src("a-ledger", "The Harbour Ledger", LEDGER, country="GB", kind="newspaper")
OBSERVER_SRC = src("a-observer", "Capital Observer", OBSERVER, country="US", kind="newspaper")
FILE_SRC = src("sha256:abc", "Baltic Dispatch", None, country="LT", kind="newspaper")
UNCITED = src("a-post", "Northgate Post", "https://northgatepost.example/valdoria", country="GB")

TALKS = Story(
    "story-talks", "Valdoria ceasefire talks agree a prisoner exchange",
    (say("Negotiators for Valdoria agreed on a prisoner exchange on Tuesday.", LEDGER_SRC, 0),
     say("The exchange is to take place at the border crossing within a week.", LEDGER_SRC, 1),
     say("Mediators said a second round would open in Geneva next month.", OBSERVER_SRC, 0),
     say("Baltic governments welcomed the exchange as a first step.", FILE_SRC, 3)),
    (UNCITED, OBSERVER_SRC, FILE_SRC, LEDGER_SRC), NOW, 1.0)


def summary_cites(html: str) -> list[tuple[str, str | None]]:
    """Each cite in the summaries, as (outlet, href)."""
    found = re.findall(r'<(a|span) class="cite[^"]*"(?: href="([^"]*)")?[^>]*>([^<]*)</\1>', html)
    return [(name.replace("\u00a0", " "), href or None) for _, href, name in found]


# ---- sentence-level sourcing ----------------------------------------------------------------

def test_each_sentence_is_followed_by_its_outlet_linked_to_the_article():
    html = render_email(Briefing("2025-06-24", (TALKS,), NOW)).html
    assert summary_cites(html) == [("The Harbour Ledger", LEDGER), ("The Harbour Ledger", LEDGER),
                                   ("Capital Observer", OBSERVER),
                                   ("Baltic Dispatch", None)]  # a stored file without a URL: named, not linked
    # the outlet sits right after the sentence it vouches for (no line break between them)
    for sentence in TALKS.summary:
        assert re.search(re.escape(sentence.text) + r'&nbsp;<a class="cite"', html), sentence.text


def test_plain_text_has_markers_matching_a_numbered_sources_list():
    text = render_email(Briefing("2025-06-24", (TALKS,), NOW)).text
    flat = " ".join(text.split())
    assert ("prisoner exchange on Tuesday. [1] The exchange is to take place at the border crossing within a week. [1] "
            "Mediators said a second round would open in Geneva next month. [2] "
            "Baltic governments welcomed the exchange as a first step. [3]") in flat
    # numbered in the order the summary cites them; the uncited source comes last
    assert re.search(r"\[1\] The Harbour Ledger: .*\n\s+" + re.escape(LEDGER), text)
    assert re.search(r"\[2\] Capital Observer: .*\n\s+" + re.escape(OBSERVER), text)
    assert "[3] Baltic Dispatch: Baltic Dispatch on the Valdoria talks" in text
    assert "[4] Northgate Post" in text
    assert max(len(line) for line in text.splitlines() if "http" not in line) <= 90


def test_html_sources_are_labelled_numbered_the_same_way_and_all_linked():
    html = render_email(Briefing("2025-06-24", (TALKS,), NOW)).html
    assert ">Sources</p>" in html
    sources = html[html.index('class="sources"'):]
    order = [sources.index(name) for name in ("Harbour Ledger", "Capital Observer", "Baltic Dispatch",
                                              "Northgate Post")]
    assert order == sorted(order)
    for source in TALKS.sources:
        if source.url:
            assert f'<a href="{source.url}">{source.title}</a>' in sources


def test_sentence_of_an_unknown_article_still_names_its_outlet():
    stray = SummarySentence("A sentence from an article the sources no longer list.", "gone", "Lakeside Times", 0)
    story = Story("s", "Talks", (stray,), (LEDGER_SRC,), NOW)
    email = render_email(Briefing("2025-06-24", (story,), NOW))
    assert summary_cites(email.html) == [("Lakeside Times", None)]
    assert "no longer list. [Lakeside Times]" in " ".join(email.text.split())


def test_cites_in_the_archive_pages_too():
    briefing = Briefing("2025-06-24", (TALKS, OTHER), NOW)
    threads = story_threads([briefing])
    for page in (render_briefing_page(briefing, threads), render_story_page(briefing, TALKS, threads)):
        assert summary_cites(page)[:4] == [("The Harbour Ledger", LEDGER), ("The Harbour Ledger", LEDGER),
                                           ("Capital Observer", OBSERVER), ("Baltic Dispatch", None)]
        assert re.search(r'<h([23]) class="sources-label">Sources</h\1>', page)


# ---- outlet diversity -----------------------------------------------------------------------

def test_diversity_line_counts_outlets_countries_and_independent_reports():
    five = Story("s", "h", (), tuple(src(f"a{i}", f"Outlet {i}", country=c)
                                     for i, c in enumerate(["GB", "US", "FR", "DE", "GB"])), NOW)
    assert diversity_line(five) == "5 outlets in 4 countries"
    partly = Story("s", "h", (), (src("a", "A", country="GB"), src("b", "B", country="US"), src("c", "C")), NOW)
    assert diversity_line(partly) == "3 outlets in at least 2 countries"
    home = Story("s", "h", (), (src("a", "A", country="GB"), src("b", "B", country="GB")), NOW)
    assert diversity_line(home) == "2 outlets in one country"
    unknown = Story("s", "h", (), (src("a", "A"), src("b", "B")), NOW)
    assert diversity_line(unknown) == "2 outlets"
    with_copies = Story("s", "h", (), (src("w", "Meridian Wire", carried_by=("Atlas Daily", "Evening Courier"),
                                           kind="wire", country="GB"),
                                       src("b", "Capital Observer", country="US")), NOW)
    assert diversity_line(with_copies) == "4 outlets in 2 countries, 2 independent reports"
    lone = Story("s", "h", (), (src("a", "Capital Observer"),), NOW)
    assert diversity_line(lone) == "One outlet only"


def test_a_wire_story_through_three_outlets_reads_as_one_wire_report():
    wire = src("w", "Meridian Wire", "https://meridianwire.example/valdoria", kind="wire", country="GB",
               carried_by=("Atlas Daily", "Evening Courier", "Lakeside Times"))
    story = Story("s", "Envoys meet", (say("Envoys met in Geneva on Tuesday.", wire),), (wire,), NOW)
    assert diversity_line(story) == "One wire report: Meridian Wire, also carried by 3 outlets"
    email = render_email(Briefing("2025-06-24", (story,), NOW))
    assert "also carried by Atlas Daily, Evening Courier and Lakeside Times" in email.html
    assert "also carried by Atlas Daily, Evening Courier and Lakeside Times" in " ".join(email.text.split())
    assert summary_cites(email.html) == [("Meridian Wire", "https://meridianwire.example/valdoria")]
    # a sentence taken from a carrier's copy is credited to the wire too
    copy = SummarySentence("Envoys met in Geneva on Tuesday.", "https://eveningcourier.example/copy",
                           "Evening Courier", 0)
    story = Story("s", "Envoys meet", (copy,), (wire,), NOW)
    assert summary_cites(render_email(Briefing("2025-06-24", (story,), NOW)).html) == [
        ("Meridian Wire", "https://meridianwire.example/valdoria")]
    own = src("o", "Capital Observer", carried_by=("Atlas Daily",), kind="newspaper")
    assert diversity_line(Story("s", "h", (), (own,), NOW)) == "One report: Capital Observer, also carried by 1 outlet"
    many = src("w", "Meridian Wire", kind="wire", carried_by=tuple(f"Outlet {i}" for i in range(6)))
    text = render_email(Briefing("2025-06-24", (Story("s", "h", (), (many,), NOW),), NOW)).text
    assert "also carried by Outlet 0, Outlet 1, Outlet 2 and 3 more" in text


# ---- dates ----------------------------------------------------------------------------------

def test_guessed_times_are_never_shown_as_publication_times():
    imported = NOW + timedelta(days=500)  # the day the files were imported
    story = Story("s", "Old talks", (), (src("a", "A", when=imported, origin="file-mtime"),
                                         src("b", "B", when=imported, origin="fetched")), imported)
    assert updated_line(story, "UTC") == ""
    email = render_email(Briefing("2025-06-24", (story,), NOW))
    assert "Updated" not in email.html and "Updated" not in email.text
    assert "2026" not in email.text.split("--")[0]
    mixed = Story("s", "Talks", (), (src("a", "A", when=datetime(2022, 3, 1, 9, 30, tzinfo=timezone.utc)),
                                     src("b", "B", when=imported, origin="file-mtime")), imported)
    assert updated_line(mixed, "UTC") == "Updated 1 Mar 2022, 09:30 UTC"


def test_a_date_without_a_time_is_shown_as_a_date_in_any_zone():
    day_only = datetime(2025, 5, 16, tzinfo=timezone.utc)  # "on May 16" found in the text
    story = Story("s", "Talks", (), (src("a", "A", when=day_only, origin="content"),), day_only)
    assert updated_line(story, "America/New_York") == "Updated 16 May 2025"  # not 15 May, 20:00 EDT
    timed = Story("s", "Talks", (), (src("a", "A", when=NOW),), NOW)
    assert updated_line(timed, "Europe/London") == "Updated 24 Jun 2025, 16:12 BST"


def test_sources_of_different_days_show_their_dates():
    old = src("a", "Capital Observer", when=datetime(2022, 3, 1, 9, tzinfo=timezone.utc), origin="content")
    guessed = src("b", "Baltic Dispatch", when=NOW, origin="file-mtime")
    new = src("c", "The Harbour Ledger", when=NOW)
    text = render_email(Briefing("2025-06-24", (Story("s", "h", (), (old, guessed, new), NOW),), NOW)).text
    flat = " ".join(text.split())
    assert "Capital Observer on the Valdoria talks (1 Mar 2022)" in flat
    assert "The Harbour Ledger on the Valdoria talks (24 Jun 2025)" in flat
    assert "Baltic Dispatch on the Valdoria talks [" in flat  # a guessed date is left out
    same_day = render_email(Briefing("2025-06-24", (TALKS,), NOW)).text
    assert "(24 Jun 2025)" not in same_day  # one day: the update line says it once


# ---- the email's shape ----------------------------------------------------------------------

OTHER = Story("story-fish", "Coastal states sign a fisheries pact",
              (say("Five coastal states signed a pact on cod quotas.", LEDGER_SRC),), (LEDGER_SRC,), NOW)


def test_contents_list_links_down_to_each_story():
    email = render_email(Briefing("2025-06-24", (TALKS, OTHER), NOW))
    html = email.html
    contents = html[html.index("In this briefing"):html.index('class="story"')]
    assert re.findall(r'<a href="#(story-\d)"[^>]*>([^<]*)</a>', contents) == [
        ("story-1", TALKS.headline), ("story-2", OTHER.headline)]
    assert html.index('id="story-2"') > html.index('id="story-1"') > html.index("In this briefing")
    assert html.index('id="story-2"') < html.index(OTHER.headline + "</h2>")
    text = email.text
    assert text.index("In this briefing:") < text.index(" 1. " + TALKS.headline) < text.index("\n1. " + TALKS.headline)
    single = render_email(Briefing("2025-06-24", (TALKS,), NOW))
    assert "In this briefing" not in single.html and "In this briefing" not in single.text


def test_preheader_is_cut_at_a_word_boundary():
    heads = ["Ministers of the coastal states agree on a common fisheries patrol after months of talks",
             "Envoys from Valdoria and its neighbours open a second round of ceasefire negotiations",
             "Security Council extends the observer mission on the northern border for another year"]
    stories = (TALKS,) + tuple(Story(f"s{i}", h, (), (), NOW) for i, h in enumerate(heads))
    line = preheader(Briefing("2025-06-24", stories, NOW))
    assert len(line) <= 150 and line.endswith("…")
    words = " ".join(f"Also: {'; '.join(heads)}".split()).split()
    assert line[:-1].split() == words[:len(line[:-1].split())]  # whole words only


# ---- feed health ----------------------------------------------------------------------------

NOTES = (FeedNote("Baltic Dispatch", "https://balticdispatch.example/rss", "failed",
                  "HTTP 503 Service Unavailable; 3 failed fetches in a row"),
         FeedNote("Old Wire", "https://oldwire.example/feed", "paused", "410 Gone"),
         FeedNote("Harbour Ledger", "https://harbourledger.example/rss", "moved", "https://harbourledger.example/feed"))


def test_footer_says_which_feeds_failed_were_paused_or_moved():
    briefing = Briefing("2025-06-24", (TALKS,), NOW, feed_notes=NOTES)
    email = render_email(briefing)
    expected = ("Feed trouble since the last briefing: Baltic Dispatch failed (HTTP 503 Service Unavailable; "
                "3 failed fetches in a row); Old Wire paused (410 Gone); Harbour Ledger moved to "
                "https://harbourledger.example/feed.")
    assert expected in email.html
    footer = " ".join(email.text.split("\n--\n")[1].split())
    assert expected in footer
    page = render_briefing_page(briefing, story_threads([briefing]))
    assert f'<p class="feed-health">{expected}</p>' in page
    healthy = render_email(Briefing("2025-06-24", (TALKS,), NOW))
    assert "Feed trouble" not in healthy.html and "Feed trouble" not in healthy.text


def test_many_troubled_feeds_stay_within_two_lines():
    notes = tuple(FeedNote(f"Feed {i}", f"https://f{i}.example/rss", "failed", "connection refused " * 8)
                  for i in range(12))
    email = render_email(Briefing("2025-06-24", (TALKS,), NOW, feed_notes=notes))
    line = re.search(r'<p class="feed-health"[^>]*>([^<]*)</p>', email.html).group(1)
    assert "and 8 more feeds" in line and len(line) < 600
    assert "Feed 4 " not in line


def test_build_gathers_feed_notes_from_the_fetch_state(home, tmp_path):
    """Through the real store and a real build: what fetch recorded becomes the footer."""
    import json

    from jobs import build, import_files, open_store
    from core.options import load_options
    from tests.test_cli import CORPUS

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        '[[feeds]]\nurl = "https://balticdispatch.example/rss"\nname = "Baltic Dispatch"\n\n'
        '[[feeds]]\nurl = "https://oldwire.example/feed?token=s3cret"\n\n'
        '[[feeds]]\nurl = "https://harbourledger.example/feed"\nname = "Harbour Ledger"\n\n'
        '[[feeds]]\nurl = "https://northgatepost.example/rss"\nname = "Northgate Post"\n', encoding="utf-8")
    options = load_options()
    store = open_store(options)
    try:
        store.record_fetch("https://balticdispatch.example/rss", ok=False, etag=None, modified=None,
                           status="failed", error="HTTP 503 Service Unavailable", http_status=503)
        store.record_fetch("https://oldwire.example/feed?token=s3cret", ok=False, etag=None, modified=None,
                           status="failed", error="HTTP 410 Gone", http_status=410, paused="410 Gone")
        store.record_fetch("https://harbourledger.example/rss", ok=True, etag=None, modified=None,
                           status="ok", error=None)
        store.record_move("https://harbourledger.example/rss", "https://harbourledger.example/feed")
        # failed once, then came back: nothing to say about it
        store.record_fetch("https://northgatepost.example/rss", ok=False, etag=None, modified=None,
                           status="failed", error="timed out")
        store.record_fetch("https://northgatepost.example/rss", ok=True, etag=None, modified=None,
                           status="ok", error=None)
    finally:
        store.close()
    import_files(options, [CORPUS])
    first = build(options, date="2025-03-10", out=tmp_path / "out")
    assert [(n.feed, n.state) for n in first.briefing.feed_notes] == [
        ("Baltic Dispatch", "failed"), ("oldwire.example", "paused"), ("Harbour Ledger", "moved")]
    text = (tmp_path / "out" / "briefing.txt").read_text(encoding="utf-8")
    footer = " ".join(text.split("\n--\n")[1].split())
    assert ("Feed trouble since the last briefing: Baltic Dispatch failed (HTTP 503 Service Unavailable); "
            "oldwire.example paused (410 Gone); Harbour Ledger moved to https://harbourledger.example/feed.") in footer
    assert "s3cret" not in text and "Northgate" not in footer
    saved = json.loads((home / "archive" / "2025-03-10" / "briefing.json").read_text(encoding="utf-8"))
    assert [n["state"] for n in saved["feed_notes"]] == ["failed", "paused", "moved"]
    page = (home / "site" / "briefings" / "2025-03-10.html").read_text(encoding="utf-8")
    assert "Baltic Dispatch failed (HTTP 503 Service Unavailable)" in page

    # The next day the move is old news; the failing and paused feeds are still missing.
    second = build(options, date="2025-03-11", since_hours=48)
    assert [(n.feed, n.state) for n in second.briefing.feed_notes] == [
        ("Baltic Dispatch", "failed"), ("oldwire.example", "paused")]


def test_a_feed_failing_over_http_shows_in_the_footer(home, tmp_path):
    """Fetched from a real server on loopback: one feed answers, one says 503, one 410."""
    import briefing
    from tests.httpserver import LoopbackServer, Route

    rss = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Lakeside Times</title>"
           "<link>https://lakeside.example/</link><description>x</description><item><title>Envoys meet at the lake"
           "</title><link>https://lakeside.example/envoys</link><pubDate>Mon, 10 Mar 2025 09:00:00 GMT</pubDate>"
           "<description>Envoys of Ardenia and Belmark met at the lake on Monday to discuss the water treaty and "
           "the dam releases that divide them.</description></item></channel></rss>").encode()
    routes = {"/ok.xml": Route(200, {"Content-Type": "application/rss+xml"}, rss),
              "/down.xml": Route(503, {"Content-Type": "text/plain", "Retry-After": "1"}, b"busy"),
              "/gone.xml": Route(410, {"Content-Type": "text/plain"}, b"gone")}
    with LoopbackServer(routes) as server:
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            "[fetch]\nallow_private = true\nfetch_pages = false\ntimeout = 5\nmax_retry_wait = 0\n\n"
            f'[[feeds]]\nurl = "{server.url("/ok.xml")}"\nname = "Lakeside Times"\n\n'
            f'[[feeds]]\nurl = "{server.url("/down.xml")}"\nname = "Harbour Ledger"\n\n'
            f'[[feeds]]\nurl = "{server.url("/gone.xml")}"\nname = "Old Wire"\n', encoding="utf-8")
        assert briefing.main(["fetch"]) in (0, 1)
    assert briefing.main(["build", "--date", "2025-03-10", "--out", str(tmp_path / "out")]) == 0
    footer = " ".join((tmp_path / "out" / "briefing.txt").read_text(encoding="utf-8").split("\n--\n")[1].split())
    # the reason without the feed's address in front, short enough for a footer
    assert ("Feed trouble since the last briefing: Harbour Ledger failed (HTTP 503 Service Unavailable); "
            "Old Wire paused (410 Gone).") in footer
    assert "Lakeside Times" not in footer
    html = (tmp_path / "out" / "briefing.html").read_text(encoding="utf-8")
    assert "Harbour Ledger failed (" in html and "Old Wire paused (410 Gone)" in html
