"""The email as rendered: structure, escaping of feed text, safe links, size."""
from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

from core.models import Briefing, FeedNote, Source, Story, SummarySentence
from templates.render import Links, render_email, safe_url

NOW = datetime(2025, 6, 24, 15, 12, tzinfo=timezone.utc)


def story(n: int, headline: str = "", sentences: int = 5, sources: int = 5, developing: bool = False) -> Story:
    summary = tuple(SummarySentence(f"Sentence {i} of story {n} says what the envoys agreed on day {i}, "
                                    f"with enough words to look like a real summary sentence.",
                                    f"https://o{i}.example/{n}", f"Outlet {i}", i) for i in range(sentences))
    srcs = tuple(Source(f"https://o{i}.example/{n}", f"Outlet {i}", f"Outlet {i} headline for story {n}",
                        f"https://o{i}.example/world/2025/06/24/story-{n}-with-a-long-slug-for-realism", NOW)
                 for i in range(sources))
    return Story(f"s{n}", headline or f"Ministers meet over story {n}", summary, srcs, NOW, 1.0, developing)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.scripts, self.handlers = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name == "href":
                self.hrefs.append(value)
            if name.startswith("on"):
                self.handlers.append(name)


def test_header_story_parts_and_preheader():
    briefing = Briefing("2025-06-24", (story(1, developing=True), story(2, sources=1)), NOW)
    email = render_email(briefing)
    html, text = email.html, email.text
    assert '<html lang="en"' in html
    assert "Tuesday, 24 June 2025" in html and "2 stories" in html
    assert "Ministers meet over story 1" in html
    assert "5 outlets" in html and "One outlet only" in html
    assert "Developing" in html
    assert "Updated\u00a024\u00a0Jun\u00a02025,\u00a015:12\u00a0UTC" in html  # kept on one line
    assert "Outlet 3 headline for story 1" in html
    assert email.subject == "Diplomacy briefing, 24 Jun 2025: Ministers meet over story 1"
    assert "Ministers meet over story 2" in email.preheader
    # mj-preview becomes a hidden preheader block before the first story
    assert html.index(email.preheader) < html.index("Ministers meet over story 1</h2>")
    assert "1. Ministers meet over story 1" in text and "2. Ministers meet over story 2" in text
    assert "https://o0.example/world/2025/06/24/story-1-with-a-long-slug-for-realism" in text


def test_feed_text_is_escaped_and_unsafe_links_dropped():
    hostile = Story(
        "x", "Talks <script>alert('h')</script> <img src=x onerror=alert(1)>",
        (SummarySentence("Envoys <b onmouseover=alert(2)>met</b> & agreed.", "a", "Out", 0),),
        (Source("a", "Evil <i>Outlet</i>", "T <script>x</script>", "javascript:alert(3)", NOW),
         Source("b", "Data", "Payload", "data:text/html;base64,PHNjcmlwdD4=", NOW)),
        NOW)
    html = render_email(Briefing("2025-06-24", (hostile,), NOW)).html
    parsed = _Links()
    parsed.feed(html)
    assert parsed.scripts == 0 and parsed.handlers == []
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in parsed.hrefs)
    assert "&lt;script&gt;alert" in html and "onerror=alert(1)&gt;" in html


def test_every_link_is_absolute():
    links = Links(view_url="https://brief.example/briefings/2025-06-24.html",
                  unsubscribe_url="https://brief.example/unsubscribe?u=1",
                  story_urls=(("s1", "https://brief.example/stories/s1.html"),))
    html = render_email(Briefing("2025-06-24", (story(1),), NOW), links=links).html
    parsed = _Links()
    parsed.feed(html)
    assert parsed.hrefs and all(h.startswith(("https://", "http://", "mailto:")) for h in parsed.hrefs)
    assert "https://brief.example/stories/s1.html" in parsed.hrefs
    assert "View in browser" in html


OUTLET_NAMES = ("Meridian Wire", "The Harbour Ledger", "Capital Observer", "Northgate Post", "Baltic Dispatch",
                "Straits Morning Herald")


def heavy_story(n: int) -> Story:
    """A story as large as a real one gets: six outlets, every summary sentence from a
    different one (so every sentence carries its own linked outlet), long article URLs,
    a wire report carried by three more outlets."""
    url = "https://{host}.example/world/europe/2025/06/24/foreign-ministers-agree-ceasefire-monitoring-mission-{n}-{i}"
    srcs = tuple(Source(url.format(host=o.split()[-1].lower(), n=n, i=i), o,
                        f"{o.split()[-1]} report: envoys agree monitoring mission for the border, part {n}",
                        url.format(host=o.split()[-1].lower(), n=n, i=i), NOW, "metadata",
                        ("Atlas Daily", "Evening Courier", "Lakeside Times") if i == 0 else (),
                        ("GB", "US", "FR", "DE", "LT", "SG")[i], "wire" if i == 0 else "newspaper")
                 for i, o in enumerate(OUTLET_NAMES))
    summary = tuple(SummarySentence(
        f"Foreign ministers from the six states said on Tuesday that the monitoring mission for story {n} "
        f"would start within a month, with observers drawn from neutral countries, sentence {i}.",
        srcs[i].article_id, srcs[i].outlet, i) for i in range(5))
    return Story(f"s{n}", f"Ministers agree a monitoring mission for the border, story {n}", summary, srcs, NOW,
                 1.0, n % 3 == 0)


def heavy_briefing(stories: int = 20) -> Briefing:
    """A 20-story briefing of heavy stories with a few troubled feeds in the footer."""
    notes = (FeedNote("Baltic Dispatch", "https://balticdispatch.example/rss", "failed", "HTTP 503 Service Unavailable"),
             FeedNote("Old Wire", "https://oldwire.example/feed", "paused", "410 Gone"))
    return Briefing("2025-06-24", tuple(heavy_story(n) for n in range(stories)), NOW, feed_notes=notes)


def test_twenty_stories_stay_under_gmail_clipping():
    html = render_email(heavy_briefing()).html
    assert html.count('class="cite"') == 100  # every sentence credited: the size is the real one
    assert len(html.encode("utf-8")) < 102 * 1024


def test_quiet_day_is_a_well_formed_email():
    email = render_email(Briefing("2025-06-24", (), NOW))
    assert "No major diplomacy developments" in email.html
    assert "0 stories" in email.html and "No major diplomacy developments" in email.text
    assert email.subject.endswith("No major diplomacy developments")


def test_safe_url():
    assert safe_url("https://a.example/x?y=1") == "https://a.example/x?y=1"
    assert safe_url(" JavaScript:alert(1)") is None
    assert safe_url("/relative/path") is None
    assert safe_url('https://a.example/"onmouseover=x') is None


# ---- what a mail administrator's validators and a reader notice -------------------------------

LONG_HEADLINE = ("Foreign ministers of the coastal states agree on a joint patrol of the northern "
                 "fishing grounds after talks")


def test_story_anchors_reach_name_only_clients_and_contents_links_look_like_links():
    import re
    email = render_email(Briefing("2025-06-24", (story(1), story(2)), NOW))
    html = email.html
    # Gmail's webmail, Outlook for Windows and Yahoo follow a local link only to an empty <a>
    # with that name (caniemail, "Local anchors"); other clients go by the id. A name equal to
    # its element's id is obsolete but conforming HTML (a warning in the Nu checker, no error).
    for n in (1, 2):
        assert re.search(rf'<div class="story"[^>]*><a id="story-{n}" name="story-{n}"></a><h2', html)
    assert html.count('id="story-') == 2
    for link in re.findall(r'<a href="#story-\d"[^>]*>', html):
        assert "text-decoration:underline" in link and "color:#0b5cad" in link, link


def test_plain_text_headlines_are_wrapped_in_the_body_as_in_the_contents():
    text = render_email(Briefing("2025-06-24", (story(1, LONG_HEADLINE), story(2)), NOW)).text
    assert max(len(line) for line in text.splitlines() if not line.lstrip().startswith("http")) <= 76
    assert "1. Foreign ministers of the coastal states agree" in text
    body = text[text.index("\n1. Foreign"):]
    first, second = body.splitlines()[1:3]
    assert len(first) <= 72 and second.startswith("   ") and second.endswith("fishing grounds after talks")


def test_a_source_of_unknown_outlet_is_not_counted_as_an_outlet():
    from templates.storyview import diversity_line
    known = [Source(f"https://{o[0].lower()}.example/a", o, f"{o} report", f"https://{o[0].lower()}.example/a", NOW)
             for o in ("Meridian Wire", "Capital Observer")]
    unknown = Source("https://blog.example/a", "unknown outlet", "A post", "https://blog.example/a", NOW)
    assert diversity_line(Story("s", "h", (), (*known, unknown), NOW)) == "2 outlets and 1 source of unknown outlet"
    assert diversity_line(Story("s", "h", (), (unknown, unknown), NOW)) == "2 sources of unknown outlet"
    assert "3 outlets" not in render_email(Briefing("2025-06-24", (Story("s", "h", (), (*known, unknown), NOW),),
                                                    NOW)).text
