"""Hostile content: XSS payloads in titles, summaries, outlet names and URLs, through the whole
pipeline, must come out escaped or dropped in the email (HTML and text), the archive pages,
the Atom feed and the search results.

The payloads arrive the way they would in life: in a feed served from a loopback server
(titles, escaped and raw-HTML descriptions, links, the feed's own title), in the configured
outlet name, and in an imported HTML page (its <title>, og:site_name and canonical link).
Every HTML output is then parsed: it may contain only the elements and attributes a clean
briefing has, no event-handler attribute, and no javascript:/data:/vbscript: URL.
"""
from __future__ import annotations

import email
import html
import json
import re
import threading
import urllib.request
import xml.etree.ElementTree as ET
from email.policy import default as default_policy
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

import jobs
from core.options import load_options
from tests.httpserver import Route, http_server  # noqa: F401 - pytest fixture

# Written for this project: the classic shapes of script injection, each a different way past
# a naive filter (case, broken tags, entities, attribute break-outs, odd schemes, templates).
PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(2)</sCrIpT>",
    "<scr<script>ipt>alert(3)</script>",
    "<img src=x onerror=alert(4)>",
    "<svg onload=alert(5)>",
    "<svg><script>alert(6)</script></svg>",
    "\"><script>alert(7)</script>",
    "'><img src=x onerror=alert(8)>",
    "\" onmouseover=\"alert(9)",
    "' onfocus='alert(10)' autofocus='",
    "</title><script>alert(11)</script>",
    "</textarea><script>alert(12)</script>",
    "</style><script>alert(13)</script>",
    "<!--<script>alert(14)//-->",
    "<![CDATA[<script>alert(15)</script>]]>",
    "&lt;script&gt;alert(16)&lt;/script&gt;",
    "&#60;script&#62;alert(17)&#60;/script&#62;",
    "<iframe src=\"javascript:alert(18)\"></iframe>",
    "<a href=\"javascript:alert(19)\">read</a>",
    "<a href=\" &#14; javascript:alert(20)\">read</a>",
    "<a href=\"jav&#x09;ascript:alert(21)\">read</a>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgyMik8L3NjcmlwdD4=\"></object>",
    "<embed src=\"data:image/svg+xml,<svg onload=alert(23)>\">",
    "<body onload=alert(24)>",
    "<details open ontoggle=alert(25)>",
    "<input autofocus onfocus=alert(26)>",
    "<form action=\"javascript:alert(27)\"><button>go</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(28)\">",
    "<base href=\"javascript:alert(29)//\">",
    "<link rel=\"stylesheet\" href=\"data:text/css,*{x:expression(alert(30))}\">",
    "<div style=\"background:url(javascript:alert(31))\">x</div>",
    "<style>@import 'javascript:alert(32)';</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(33)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(34)>\">",
    "{{ 7*7 }}{% for x in () %}{% endfor %}",
    "${alert(36)}",
    "\u2028\u2029<script>alert(37)</script>",
    "%3Cscript%3Ealert(38)%3C%2Fscript%3E",
    "javascript:alert(39)",
    "data:text/html,<script>alert(40)</script>",
]
# Links an item may carry, each of which must never become an href.
BAD_LINKS = ["javascript:alert('L1')", "JaVaScRiPt:alert('L2')", " javascript:alert('L3')",
             "data:text/html,<script>alert('L4')</script>", "vbscript:msgbox('L5')",
             "java\tscript:alert('L6')", "javascript&colon;alert('L7')"]
BAD_LINK_MARKS = ["L1", "L2", "L3", "L4", "L5", "L6", "L7"]
TOPIC = ("Foreign ministers of Arlandia and Bexmoor met for talks on the border treaty, and envoys said "
         "the negotiations on the ceasefire agreement would continue at the summit next week.")
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster", "srcset",
                  "content", "style"}


def _xml(text: str) -> str:
    return html.escape(text, quote=True)


def hostile_feed(link_base: str) -> str:
    """An RSS feed whose every field carries a payload; half the descriptions are raw HTML."""
    items = []
    for n, payload in enumerate(PAYLOADS):
        link = BAD_LINKS[n % len(BAD_LINKS)] if n % 3 == 0 else f"{link_base}/story/{n}?q={quote(payload)}"
        description = (f"<![CDATA[<p>{TOPIC}</p><p>{payload}</p>]]>" if n % 2
                       else _xml(f"{TOPIC} Quote: {payload}"))
        items.append(f"<item><title>Treaty talks {n}: {_xml(payload)}</title><link>{_xml(link)}</link>"
                     f"<guid isPermaLink=\"false\">hostile-{n}</guid><description>{description}</description>"
                     f"<author>{_xml(payload)}</author>"
                     f"<pubDate>Mon, 03 Mar 2025 {n % 24:02d}:00:00 GMT</pubDate></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{_xml(PAYLOADS[3])} Gazette</title><link>javascript:alert('feedlink')</link>"
            + "".join(items) + "</channel></rss>")


def hostile_page(n: int, payload: str) -> str:
    """A saved article page with payloads in its head."""
    return (f"<html><head><title>Ceasefire envoys {n} {payload}</title>"
            f"<meta property=\"og:site_name\" content=\"{_xml(payload)}\">"
            f"<meta property=\"og:url\" content=\"javascript:alert('og{n}')\">"
            f"<link rel=\"canonical\" href=\"data:text/html,canon{n}\"></head><body><article>"
            f"<h1>Ceasefire envoys {n} {payload}</h1>" + f"<p>{TOPIC} {payload}</p>" * 4 +
            "</article></body></html>")


class _Elements(HTMLParser):
    """Every element and attribute of an HTML document (attribute values entity-decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str]]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [(k.lower(), v or "") for k, v in attrs]))
        self._in_script = tag == "script"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._in_script = False


def html_problems(document: str, allowed: dict[str, set[str]], where: str) -> list[str]:
    """What is wrong with ``document``: elements or attributes a clean page does not have,
    event handlers, script, and URLs with a dangerous scheme."""
    parser = _Elements()
    parser.feed(document)
    problems = []
    for tag, attrs in parser.tags:
        if tag not in allowed:
            problems.append(f"{where}: element <{tag}>")
            continue
        for name, value in attrs:
            squeezed = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
            if name.startswith("on"):
                problems.append(f"{where}: event handler {name}= on <{tag}>")
            elif name not in allowed[tag]:
                problems.append(f"{where}: attribute {name}= on <{tag}>")
            if name in URL_ATTRIBUTES and any(s in squeezed for s in DANGEROUS_SCHEMES):
                problems.append(f"{where}: {name}={value[:60]!r} on <{tag}>")
    return problems


def vocabulary(*documents: str) -> dict[str, set[str]]:
    """The elements and attributes the clean documents use."""
    found: dict[str, set[str]] = {}
    for document in documents:
        parser = _Elements()
        parser.feed(document)
        for tag, attrs in parser.tags:
            found.setdefault(tag, set()).update(name for name, _ in attrs)
    found.pop("script", None)
    return found


def _home(home: Path, http_server, feed: str, outlet_name: str) -> None:
    http_server.routes["/feed"] = Route(200, {"Content-Type": "application/rss+xml"}, feed)
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        '[briefing]\nbase_url = "https://briefing.example.org"\nmax_stories = 60\n'
        '[fetch]\nfetch_pages = false\n'
        '[smtp]\nhost = "127.0.0.1"\nsender = "desk@example.org"\nto = "ann@example.org"\n'
        f'[[feeds]]\nurl = "{http_server.url("/feed")}"\nallow_private = true\n'
        f"name = {json.dumps(outlet_name)}\n"
        f'[[feeds]]\nurl = "{http_server.url("/feed")}?unnamed"\nallow_private = true\n')


def _outputs(home: Path, tmp: Path) -> dict[str, str]:
    """Run fetch, build, site and a dry-run send; every HTML and text output by name."""
    from delivery.send import send_briefing
    options = load_options(home=home)
    report = jobs.fetch(options)
    assert report.failed == () and report.new_articles > 0, report
    imports = tmp / "pages"
    imports.mkdir(exist_ok=True)
    for n, payload in enumerate(PAYLOADS[:12]):
        (imports / f"page{n}.html").write_text(hostile_page(n, payload))
    jobs.import_files(options, [imports])
    built = jobs.build(options, date="2025-03-03", since_hours=24 * 365 * 5)
    assert built.briefing.stories
    outputs = {"archive email html": (built.folder / "briefing.html").read_text(),
               "archive email text": (built.folder / "briefing.txt").read_text()}
    send_briefing(options, "2025-03-03", dry_run=tmp / "outbox")
    (eml,) = sorted((tmp / "outbox").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    outputs["sent email html"] = message.get_body(("html",)).get_content()
    outputs["sent email text"] = message.get_body(("plain",)).get_content()
    outputs["subject"] = str(message["Subject"])
    if hasattr(jobs, "update_site"):
        assert jobs.update_site(options) == ()
        for page in sorted(options.site_dir.rglob("*.html")):
            outputs[f"site {page.relative_to(options.site_dir)}"] = page.read_text()
        atom = options.site_dir / "feed.atom"
        if atom.exists():
            outputs["atom"] = atom.read_text()
    return outputs


@pytest.fixture(scope="module")
def clean_vocabulary(tmp_path_factory):
    """The elements and attributes of the same outputs made from a harmless feed."""
    from tests.httpserver import LoopbackServer
    tmp = tmp_path_factory.mktemp("clean")
    feed = hostile_feed("https://gazette.example")
    for payload in PAYLOADS:
        feed = feed.replace(_xml(payload), "plain words").replace(payload, "plain words")
    for bad in BAD_LINKS:
        feed = feed.replace(_xml(bad), "https://gazette.example/x")
    feed = feed.replace("javascript:alert('feedlink')", "https://gazette.example/")
    with LoopbackServer() as server:
        _home(tmp / "home", server, feed, "Plain Gazette")
        import os
        old = os.environ.get("BRIEFING_HOME")
        outputs = _outputs(tmp / "home", tmp)
        if old is not None:
            os.environ["BRIEFING_HOME"] = old
    documents = [v for k, v in outputs.items() if "html" in k or k.startswith("site")]
    try:  # a results page, as the archive server renders it
        from archive.search import SearchResult
        from archive.site import render_search_page
        documents.append(render_search_page("plain", "2025-03-01", "2025-03-31", [
            SearchResult("2025-03-03", "s1", "Plain words", "Plain Gazette", (("plain ", False), ("words", True)))]))
        documents.append(render_search_page("plain", "", "", [], error="no such date"))
    except ImportError:
        pass
    documents.extend(_wire_story_pages())
    return vocabulary(*documents)


def _wire_story_pages() -> list[str]:
    """The email and pages of a harmless developing story told by a wire copy that other outlets
    carried: markup only such stories have (the "also carried by" line, the badge) is clean too."""
    from datetime import datetime, timezone

    from archive.site import render_briefing_page, render_story_page
    from core.models import Briefing, Source, Story, SummarySentence
    from templates.render import render_email

    when = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
    source = Source("https://gazette.example/a", "Plain Wire", "Plain words", "https://gazette.example/a", when,
                    carried_by=("Plain Gazette", "Plain Desk"), kind="wire")
    other = Source("https://gazette.example/b", "Plain Desk", "Plain words", None, when.replace(hour=11))
    story = Story("s1", "Plain words", (SummarySentence("Plain words.", source.article_id, "Plain Wire", 0),),
                  (source, other), when, developing=True)
    briefing = Briefing("2025-03-03", (story,), when)
    return [render_email(briefing).html, render_briefing_page(briefing, {}), render_story_page(briefing, story, {})]


@pytest.fixture
def hostile_outputs(home, tmp_path, http_server):
    _home(home, http_server, hostile_feed(http_server.url("")), PAYLOADS[6] + " Desk")
    return _outputs(home, tmp_path)


def test_no_payload_survives_as_markup_anywhere(hostile_outputs, clean_vocabulary):
    htmls = {k: v for k, v in hostile_outputs.items() if "html" in k or k.startswith("site")}
    assert len(htmls) >= 4
    problems = [p for where, doc in htmls.items() for p in html_problems(doc, clean_vocabulary, where)]
    assert problems == [], "\n".join(problems)
    for where, doc in htmls.items():
        assert "<script" not in doc.lower(), where


@pytest.mark.parametrize("planted", [
    "<script>x()</script>", "<img src=x onerror=x()>", "<p onclick='x()'>a</p>", "<a href=' java\tscript:x()'>a</a>",
    "<a href='data:text/html,x'>a</a>", "<iframe src='https://x.example'></iframe>", "<p style='background:url(javascript:x)'>a</p>",
])
def test_the_checker_sees_each_kind_of_injection(planted):
    allowed = {"p": {"class", "style"}, "a": {"href"}, "img": {"src"}}
    assert html_problems(f"<html><body>{planted}</body></html>", allowed, "planted") != []
    assert html_problems("<p class='x'>fine &lt;script&gt;</p><a href='https://x.example'>a</a>", allowed, "ok") == []


def test_the_payloads_are_shown_as_text_not_lost(hostile_outputs):
    # Escaping, not deleting: a headline about "<script> tags" keeps its words.
    page = hostile_outputs["sent email html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;script&gt;" in page
    assert "Treaty talks" in hostile_outputs["sent email text"]


def test_bad_links_never_become_links(hostile_outputs):
    for where, doc in hostile_outputs.items():
        for mark in BAD_LINK_MARKS + ["feedlink", "og0", "canon0"]:
            for scheme in ("javascript", "data:text/html,canon", "vbscript"):
                assert not re.search(rf"href=[\"']?\s*{scheme}[^>]*{mark}", doc, re.I), (where, mark)
    text = hostile_outputs["sent email text"]
    for line in text.splitlines():
        stripped = line.strip().lower()
        assert not stripped.startswith(DANGEROUS_SCHEMES), line


def test_the_atom_feed_is_well_formed_and_its_content_clean(hostile_outputs, clean_vocabulary):
    atom = hostile_outputs.get("atom")
    if atom is None:
        pytest.skip("the archive site has no Atom feed yet")
    root = ET.fromstring(atom)  # well-formed despite every payload
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for entry in root.findall("a:entry", ns):
        content = entry.find("a:content", ns).text or ""
        assert html_problems(content, clean_vocabulary, "atom content") == []
        title = entry.find("a:title", ns).text or ""
        assert "<" not in title or entry.find("a:title", ns).get("type") in (None, "text")


def test_search_results_escape_what_they_show(hostile_outputs, home, clean_vocabulary):
    server_module = pytest.importorskip("archive.server")
    from archive.search import open_index
    options = load_options(home=home)
    open_index(options.db_path, options.archive_dir).close()
    server = server_module.SiteServer(options.site_dir, server_module.database_search(options.db_path),
                                      "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        pages = []
        for query in ["treaty talks", "script alert", PAYLOADS[0], PAYLOADS[7], PAYLOADS[8], "onerror"]:
            url = f"{server.url}search?q={quote(query)}"
            with urllib.request.urlopen(url, timeout=10) as answer:
                pages.append((query, answer.read().decode("utf-8")))
    finally:
        server.shutdown()
        server.server_close()
    assert any("Treaty talks" in page for _, page in pages)  # the search did find the hostile stories
    for query, page in pages:
        assert html_problems(page, clean_vocabulary, f"search {query!r}") == []
