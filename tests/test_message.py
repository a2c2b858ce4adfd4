"""The email message itself: parts, headers, links; and the recipients list. Pure, no server."""
from __future__ import annotations

import email
import re
from datetime import datetime, timedelta, timezone
from email.policy import default as default_policy
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.models import Briefing, Source, Story, SummarySentence
from delivery import message as messages
from tests.conftest import needs_chromium
from delivery.options import SmtpOptions
from delivery.recipients import load_recipients
from delivery.tokens import recipient_of_token, unsubscribe_token
from templates.render import Links, RenderedEmail, render_email

GENERATED = datetime(2025, 6, 24, 6, 30, tzinfo=timezone.utc)

# Invented fixtures. Some words and URLs are long on purpose: the narrow-screen check
# in test_email_browser needs text that would overflow if nothing wrapped it.
HEADLINES = [
    "Foreign ministers of Zürich-based mediation group agree on ceasefire talks timetable",
    "Naval powers sign a memorandum on safe passage through the Strait of Velmora",
    "Summit in Reykjavík ends without a joint communiqué on the Arctic fisheries dispute",
    "Ambassadors recalled after the Karvonia–Delmar border incident",
    "Trade envoys resume negotiations on the Transcontinentalinfrastructurepartnershipagreement",
]
OUTLETS = ["Harbour Ledger", "Meridian Wire", "Capital Observer", "Northgate Post", "Atlas Daily"]


def make_story(number: int, sentences: int = 5, sources: int = 5) -> Story:
    """An invented story with ``sentences`` summary sentences and ``sources`` sources."""
    headline = HEADLINES[number % len(HEADLINES)] + ("" if number < len(HEADLINES) else f" ({number})")
    summary = tuple(
        SummarySentence(
            f"Delegates from {OUTLETS[j % 5].split()[0]}ia said on day {number} that point {j} of the draft "
            f"would need another round of consultations before ministers could endorse it.",
            f"https://example.org/{number}/{j}", OUTLETS[j % 5], j)
        for j in range(sentences))
    long_url = ("https://news.example.org/world/diplomacy/2025/06/24/"
                + "a-very-long-slug-that-keeps-going-without-any-break-" * 2 + f"{number}")
    srcs = tuple(
        Source(f"https://example.org/{number}/{j}", OUTLETS[j % 5],
               # Some feeds give an entry no title, and the page's URL stands in for it.
               long_url if j == 0 and number % 2 else f"{OUTLETS[j % 5]} report {j} on story {number}",
               long_url if j == 0 else f"https://example.org/{number}/{j}?utm=none&ref=briefing",
               GENERATED - timedelta(hours=j))
        for j in range(sources))
    return Story(id=f"story-{number}", headline=headline, summary=summary, sources=srcs,
                 updated=GENERATED - timedelta(minutes=number), developing=number % 3 == 0)


def make_briefing(stories: int = 3, date: str = "2025-06-24", sentences: int = 5, sources: int = 5) -> Briefing:
    """An invented briefing of ``stories`` stories."""
    return Briefing(date=date, stories=tuple(make_story(i, sentences, sources) for i in range(stories)),
                    generated=GENERATED)


def _message(briefing: Briefing, unsubscribe_url: str = "", recipient: str = "ann@example.org"):
    sender = "Briefing Desk <desk@example.org>"
    mailto = messages.unsubscribe_mailto("", sender)
    rendered = render_email(briefing, "Europe/London",
                            Links("https://news.example.org/briefings/2025-06-24.html", unsubscribe_url or mailto))
    addressing = messages.Addressing(
        sender, recipient, messages.message_id(briefing.date, recipient, sender),
        messages.list_id_header("", briefing.title, sender), mailto, unsubscribe_url)
    msg = messages.build_message(rendered, addressing, GENERATED)
    return email.message_from_bytes(msg.as_bytes(), policy=default_policy)


def test_message_is_text_and_html_alternatives_in_utf8():
    parsed = _message(make_briefing())
    assert parsed.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in parsed.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # plainest first: clients show the last they can
    for part in parsed.iter_parts():
        assert part.get_content_charset() == "utf-8"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "Zürich-based" in text and "Zürich-based" in html
    assert "View in browser: https://news.example.org/briefings/2025-06-24.html" in text
    assert 'href="https://news.example.org/briefings/2025-06-24.html"' in html


def test_headers_name_the_date_top_headline_and_list():
    parsed = _message(make_briefing())
    assert parsed["Subject"] == f"Diplomacy briefing, 24 Jun 2025: {HEADLINES[0]}"
    assert parsed["From"].addresses[0].addr_spec == "desk@example.org"
    assert parsed["To"] == "ann@example.org"
    assert parsed["Date"].datetime == GENERATED
    assert parsed["List-Id"] == "Diplomacy briefing <briefing.example.org>"
    assert parsed["Message-ID"].endswith("@example.org>")


def test_headline_with_line_breaks_cannot_add_headers():
    story = make_story(0)
    evil = Story(**{**story.__dict__, "headline": "Talks resume\r\nBcc: everyone@example.net"})
    parsed = _message(Briefing("2025-06-24", (evil,), GENERATED))
    assert parsed["Bcc"] is None
    assert parsed["Subject"].endswith("Talks resume Bcc: everyone@example.net")


def test_one_click_unsubscribe_only_with_an_https_link():
    with_site = _message(make_briefing(), unsubscribe_url="https://news.example.org/unsubscribe?id=abc123")
    assert with_site["List-Unsubscribe"] == ("<https://news.example.org/unsubscribe?id=abc123>, "
                                             "<mailto:desk@example.org?subject=unsubscribe>")
    assert with_site["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert 'href="https://news.example.org/unsubscribe?id=abc123"' in with_site.get_body(("html",)).get_content()

    without = _message(make_briefing())
    assert without["List-Unsubscribe"] == "<mailto:desk@example.org?subject=unsubscribe>"
    assert without["List-Unsubscribe-Post"] is None
    assert 'href="mailto:desk@example.org?subject=unsubscribe"' in without.get_body(("html",)).get_content()


def test_message_id_is_stable_per_briefing_and_recipient():
    sender = "desk@example.org"
    first = messages.message_id("2025-06-24", "Ann@Example.org", sender)
    assert first == messages.message_id("2025-06-24", "ann@example.org", sender)
    assert first != messages.message_id("2025-06-24", "bob@example.org", sender)
    assert first != messages.message_id("2025-06-25", "ann@example.org", sender)
    assert messages.copy_message_id("2025-06-24", sender, "x1") != first


def test_quiet_day_email_says_so_in_both_parts():
    parsed = _message(Briefing("2025-06-24", (), GENERATED))
    assert parsed["Subject"] == "Diplomacy briefing, 24 Jun 2025: No major diplomacy developments"
    assert "No major diplomacy developments" in parsed.get_body(("plain",)).get_content()
    assert "No major diplomacy developments" in parsed.get_body(("html",)).get_content()


def test_personalize_puts_each_recipients_token_in_the_links():
    rendered = render_email(make_briefing(1), "UTC",
                            Links("", f"https://news.example.org/unsubscribe?id={messages.TOKEN_PLACEHOLDER}"))
    mine = messages.personalize(rendered, "tok42")
    assert "unsubscribe?id=tok42" in mine.html and "unsubscribe?id=tok42" in mine.text
    assert messages.TOKEN_PLACEHOLDER not in mine.html + mine.text


def test_unsubscribe_token_is_opaque_and_resolvable():
    key = b"k" * 32
    token = unsubscribe_token(key, "Ann@example.org")
    assert "ann" not in token and token == unsubscribe_token(key, "ann@example.org")
    assert recipient_of_token(key, token, ["bob@example.org", "ann@example.org"]) == "ann@example.org"
    assert recipient_of_token(b"x" * 32, token, ["ann@example.org"]) is None


def test_recipients_from_setting_and_file_checked_and_deduplicated(tmp_path: Path):
    (tmp_path / "people.txt").write_text("# the desk\nbob@example.org\n\ncara@example.org  # editor\n"
                                         "ANN@example.org\n", encoding="utf-8")
    smtp = SmtpOptions(to=("Ann <ann@example.org>",), recipients_file="people.txt")
    assert load_recipients(smtp, tmp_path) == ("ann@example.org", "bob@example.org", "cara@example.org")


def test_bad_address_in_file_is_reported_with_file_and_line(tmp_path: Path):
    path = tmp_path / "people.txt"
    path.write_text("bob@example.org\n# fine\nbob.example.org\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"people.txt line 3: 'bob.example.org' is not an email address"):
        load_recipients(SmtpOptions(recipients_file=str(path)), tmp_path)
    with pytest.raises(ConfigError, match="missing.txt does not exist"):
        load_recipients(SmtpOptions(recipients_file="missing.txt"), tmp_path)
    with pytest.raises(ConfigError, match="BRIEFING_TO"):
        load_recipients(SmtpOptions(to=("ann@",)), tmp_path)


def test_non_ascii_names_survive_in_from_and_list_id():
    rendered = render_email(Briefing("2025-06-24", (), GENERATED, title="Brèves diplomatiques"), "UTC")
    sender = '"Rédaction, Brèves" <desk@example.org>'
    addressing = messages.Addressing(sender, "ann@example.org", "<x@example.org>",
                                     messages.list_id_header("", "Brèves diplomatiques", sender), "")
    raw = messages.build_message(rendered, addressing, GENERATED).as_bytes()
    assert raw.isascii()  # every header encoded; the parts are quoted-printable
    parsed = email.message_from_bytes(raw, policy=default_policy)
    assert parsed["From"].addresses[0].display_name == "Rédaction, Brèves"
    assert parsed["List-Id"] == "Brèves diplomatiques <briefing.example.org>"
    assert parsed["Subject"].startswith("Brèves diplomatiques, 24 Jun 2025")


def _masked(raw: bytes) -> bytes:
    return re.sub(rb"={15}\d+==", b"BOUNDARY", raw)


@pytest.mark.parametrize("stories", [0, 1, 4, 9])
def test_template_copies_are_the_messages_build_message_makes(stories):
    base = "https://briefing.diplomacy-digest.example.org/unsubscribe?id="
    sender = '"Rédaction, Brèves" <desk@example.org>'
    rendered = render_email(make_briefing(stories) if stories else Briefing("2025-06-24", (), GENERATED), "UTC",
                            Links("https://x.example.org/b.html", base + messages.TOKEN_PLACEHOLDER))
    mailto = messages.unsubscribe_mailto("", sender)
    list_id = messages.list_id_header("", "Diplomacy briefing", sender)
    template = messages.MessageTemplate(rendered, sender, list_id, mailto, base, GENERATED)
    for n, recipient in enumerate(["ann@example.org", "a.much.longer.local.part.for.testing@sub.example.org"]):
        token = unsubscribe_token(bytes([n]) * 32, recipient)
        mid = messages.message_id("2025-06-24", recipient, sender)
        whole = messages.build_message(messages.personalize(rendered, token), messages.Addressing(
            sender, recipient, mid, list_id, mailto, base + token), GENERATED)
        assert _masked(template.for_recipient(recipient, mid, token)) == _masked(messages.as_bytes(whole))


def test_a_token_split_by_a_quoted_printable_soft_break_is_replaced_whole():
    # Push the link across a 76-character line edge: some prefix length puts a soft break inside it.
    found_split = False
    for pad in range(0, 80):
        rendered = RenderedEmail("s", "", "<body>" + "x" * pad + f"<a href=\"https://e.org/u?id={messages.TOKEN_PLACEHOLDER}\">u</a>",
                                 "t" * pad + f" https://e.org/u?id={messages.TOKEN_PLACEHOLDER}\n")
        template = messages.MessageTemplate(rendered, "d@example.org", "L <l.example.org>", "", "https://e.org/u?id=",
                                            GENERATED)
        found_split |= messages.TOKEN_PLACEHOLDER.encode() not in template.body
        raw = template.for_recipient("ann@example.org", "<m@example.org>", "f" * 32)
        parsed = email.message_from_bytes(raw, policy=default_policy)
        assert "https://e.org/u?id=" + "f" * 32 in parsed.get_body(("html",)).get_content()
        assert "https://e.org/u?id=" + "f" * 32 in parsed.get_body(("plain",)).get_content()
        assert b"placeholder" not in raw
    assert found_split  # the case the regular expression is there for did occur


def test_list_unsubscribe_stays_literal_with_a_long_base_url():
    base = "https://briefing.diplomacy-digest.example.org/" + "a-long-path-segment/" * 8
    parsed_raw = messages.as_bytes(messages.build_message(
        render_email(make_briefing(1), "UTC"), messages.Addressing(
            "desk@example.org", "ann@example.org", "<m@example.org>", "L <l.example.org>",
            "mailto:desk@example.org?subject=unsubscribe", base + "unsubscribe?id=" + "a" * 32), GENERATED))
    assert f"\r\nList-Unsubscribe: <{base}unsubscribe?id={'a' * 32}>,\r\n <mailto:".encode() in parsed_raw


# -- the 8bit form: long HTML lines broken where a break changes nothing -------------------

def _both_forms(briefing: Briefing):
    """(the 8bit message, the quoted-printable one) of ``briefing`` to one recipient, parsed, and the 8bit raw bytes."""
    sender = "Briefing Desk <desk@example.org>"
    base = "https://briefing.diplomacy-digest.example.org/unsubscribe?id="
    rendered = render_email(briefing, "UTC", Links("https://x.example.org/b.html", base + messages.TOKEN_PLACEHOLDER))
    template = messages.MessageTemplate(rendered, sender, "L <l.example.org>", "", base, GENERATED)
    token = unsubscribe_token(b"k" * 32, "ann@example.org")
    raw8 = template.for_recipient("ann@example.org", "<m@example.org>", token, eightbit=True)
    rawqp = template.for_recipient("ann@example.org", "<m@example.org>", token, eightbit=False)
    parse = lambda raw: email.message_from_bytes(raw, policy=default_policy)  # noqa: E731
    return parse(raw8), parse(rawqp), raw8, rawqp


class _Page:
    """What html.parser sees: every tag with its attributes, the text, the links."""

    def __init__(self, html: str) -> None:
        from html.parser import HTMLParser

        self.tags: list[tuple[str, tuple]] = []
        self.text: list[str] = []
        page = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                page.tags.append((tag, tuple(attrs)))

            def handle_endtag(self, tag):
                page.tags.append(("/" + tag, ()))

            def handle_data(self, data):
                page.text.append(data)

            def handle_comment(self, data):
                page.tags.append(("!--", (data,)))

        Parser(convert_charrefs=True).feed(html)
        self.links = [dict(attrs).get("href") for tag, attrs in self.tags if tag == "a"]
        self.words = " ".join("".join(self.text).split())


def test_8bit_html_has_short_lines_and_the_same_page_as_quoted_printable():
    msg8, msgqp, raw8, rawqp = _both_forms(make_briefing(9, sentences=8))
    assert [p["Content-Transfer-Encoding"] for p in msg8.iter_parts()] == ["8bit", "8bit"]
    assert max(len(line) for line in raw8.split(b"\r\n")) <= messages.MAX_LINE
    html8 = msg8.get_body(("html",)).get_content().replace("\r\n", "\n")
    htmlqp = msgqp.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert max(len(line) for line in htmlqp.split("\n")) > messages.MAX_LINE  # there was something to break
    page8, pageqp = _Page(html8), _Page(htmlqp)
    assert page8.tags == pageqp.tags  # every tag, attribute value and comment exactly the same
    assert page8.links == pageqp.links and len(page8.links) > 40
    assert page8.words == pageqp.words
    assert msg8.get_body(("plain",)).get_content().replace("\r\n", "\n") == \
        msgqp.get_body(("plain",)).get_content().replace("\r\n", "\n")
    # Fewer lines for the server to read, fewer bytes for the reader to download.
    assert raw8.count(b"\n") * 2 < rawqp.count(b"\n") and len(raw8) < len(rawqp)


@needs_chromium
def test_8bit_html_shows_the_same_in_a_browser(browser):
    msg8, msgqp, _raw8, _rawqp = _both_forms(make_briefing(9, sentences=8))
    seen = []
    for msg in (msg8, msgqp):
        page = browser.new_page(viewport={"width": 600, "height": 900})
        try:
            page.set_content(msg.get_body(("html",)).get_content(), wait_until="load")
            seen.append(page.evaluate("() => [document.body.innerText, document.body.scrollHeight, "
                                      "[...document.links].map(a => a.href)]"))
        finally:
            page.close()
    assert seen[0] == seen[1]


def test_wrap_html_breaks_only_at_spaces_between_attributes_or_in_ordinary_text():
    words = " ".join(f"word{i}" for i in range(400))
    title = " ".join(["a", "title", "with", "spaces"] * 10)
    html = (f'<p title="{title}">{words}<b>bold</b><i>italic</i></p>'
            f'<a href="https://e.org/?q={"x" * 150}" class="a b" style="color:red">link</a>')
    wrapped = messages.wrap_html(html, 300)
    assert wrapped is not None and max(len(line) for line in wrapped.split("\n")) <= 300
    assert wrapped.replace("\n", " ") == html  # only spaces became line breaks
    assert f'title="{title}"' in wrapped  # never inside an attribute value
    assert "<b>bold</b><i>italic</i>" in wrapped  # nothing between inline elements


@pytest.mark.parametrize("html", [
    "<pre>" + " ".join(["code"] * 100) + "</pre>",
    '<p style="white-space:pre-wrap">' + " ".join(["kept"] * 100) + "</p>",
    "<textarea>" + " ".join(["typed"] * 100) + "</textarea>",
    "<!-- " + " ".join(["note"] * 100) + " -->",
    '<img alt="' + " ".join(["alt"] * 100) + '">',
])
def test_wrap_html_gives_up_where_a_break_would_show(html):
    assert messages.wrap_html(html, 100) is None


def test_an_html_part_that_cannot_be_wrapped_stays_quoted_printable():
    rendered = RenderedEmail("s", "", "<pre>" + "é " * 600 + "</pre>", "short text é\n")
    template = messages.MessageTemplate(rendered, "d@example.org", "L <l.example.org>", "", "", GENERATED)
    raw = template.for_recipient("ann@example.org", "<m@example.org>", "", eightbit=True)
    parsed = email.message_from_bytes(raw, policy=default_policy)
    assert [p["Content-Transfer-Encoding"] for p in parsed.iter_parts()] == ["8bit", "quoted-printable"]
    assert parsed.get_body(("html",)).get_content().replace("\r\n", "\n") == "<pre>" + "é " * 600 + "</pre>\n"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_wire_form_is_dot_stuffed_once_in_the_template():
    rendered = RenderedEmail("s", "", "<p>one</p>\n.<p>two</p>\n", "a line\n.starts with a dot\n..two\n")
    template = messages.MessageTemplate(rendered, "d@example.org", "L <l.example.org>", "", "", GENERATED)
    wire = template.wire("ann@example.org", "<m@example.org>", "", True)
    plain = template.for_recipient("ann@example.org", "<m@example.org>", "", eightbit=True)
    assert wire.data == re.sub(rb"(?m)^\.", b"..", plain) and wire.data.endswith(b"\r\n")
    assert b"\r\n..starts with a dot\r\n...two\r\n" in wire.data
    assert wire.eightbit is False  # all ASCII: 7bit, no BODY=8BITMIME needed
