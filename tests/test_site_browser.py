"""The archive site as a reader uses it, in headless Chromium: browse, follow a thread, search.

Served by the real server on loopback and opened from disk; screenshots of each step are
saved (and the story page copied to /tmp/site-story.png for a person to look at). Needs
Debian's chromium at /usr/bin/chromium (driven by Playwright); skipped without it.
"""
from __future__ import annotations

import shutil
import threading

import pytest

from archive.server import SiteServer, database_search
from tests.conftest import needs_chromium
from tests.test_site import HOSTILE_HEADLINE, HOSTILE_SENTENCE, archived_site

pytestmark = needs_chromium

OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(site folder, server) for the three invented briefings."""
    root = tmp_path_factory.mktemp("browse")
    server = SiteServer(archived_site(root), database_search(root / "briefing.db"), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root / "site", server
    server.shutdown()
    server.server_close()


def _page(browser, width: int = 1100):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.dialogs = []  # any alert() means feed text ran as script
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    # Nothing outside loopback and the disk: no fonts, scripts or images from elsewhere.
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("http://127.0.0.1", "file://")) else route.abort())
    return page


def test_browse_index_briefing_story_thread_and_search(browser, site, tmp_path):
    folder, server = site
    page = _page(browser)
    page.goto(server.url)
    assert page.locator("h1").inner_text() == "Diplomacy briefing"
    page.screenshot(path=str(tmp_path / "1-index.png"), full_page=True)

    page.get_by_role("link", name="Tuesday, 1 July 2025").click()
    assert page.url.endswith("/briefings/2025-07-01.html")
    page.screenshot(path=str(tmp_path / "2-briefing.png"), full_page=True)

    # the contents list at the top jumps down to the story; its headline opens the permalink
    page.locator("nav.contents").get_by_role("link", name="Lakeside summit closes with a joint statement").click()
    assert page.url.endswith("/briefings/2025-07-01.html#story-summit")
    assert page.evaluate("() => { const top = document.getElementById('story-summit').getBoundingClientRect().top;"
                         " return top >= -1 && top < innerHeight; }")
    page.locator("article").get_by_role("link", name="Ceasefire talks in Valdoria, day 3", exact=True).click()
    assert page.url.endswith("/stories/story-talks1/2025-07-01.html")
    cite = page.locator("p.summary a.cite").first
    assert cite.is_visible() and cite.inner_text() == "Meridian Wire"
    assert cite.get_attribute("href") == "https://meridian.example/story-talks1/0701"
    assert page.locator(".badge").first.inner_text() == "Developing"
    page.screenshot(path=str(tmp_path / "3-story.png"), full_page=True)
    shutil.copy(tmp_path / "3-story.png", "/tmp/site-story.png")

    page.locator("a.thread-earlier").click()  # the thread, one day back
    assert page.url.endswith("/stories/story-talks1/2025-06-24.html")
    assert page.locator("h1").first.inner_text() == "Ceasefire talks in Valdoria, day 2"
    page.screenshot(path=str(tmp_path / "4-thread-earlier.png"), full_page=True)

    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Words").fill("fisheries quotas")
    page.get_by_role("button", name="Search").click()
    assert "1 story found" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "5-search.png"), full_page=True)
    shutil.copy(tmp_path / "5-search.png", "/tmp/site-search.png")
    page.get_by_role("link", name="Coastal states sign a fisheries pact", exact=True).click()
    assert page.url.endswith("/stories/story-fisheries/2025-06-23.html")
    assert "Five coastal states signed a pact" in page.locator(".summary").inner_text()
    assert page.dialogs == []
    page.close()


def test_site_opened_from_disk_works_without_a_server(browser, site):
    folder, _ = site
    page = _page(browser)
    page.goto((folder / "index.html").as_uri())
    page.get_by_role("link", name="Monday, 23 June 2025").click()
    page.locator("article").get_by_role("link", name="Ceasefire talks in Valdoria, day 1", exact=True).click()
    page.locator("a.thread-later").click()
    assert page.url.endswith("/stories/story-talks1/2025-06-24.html")
    assert page.locator("link[rel=stylesheet]").count() == 1
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(244, 241, 234)"
    page.close()


@pytest.mark.parametrize("path", ["index.html", "briefings/2025-06-24.html", "stories/story-talks1/2025-06-24.html",
                                  "search?q=ceasefire"])
def test_pages_fit_a_phone_screen(browser, site, tmp_path, path):
    _, server = site
    page = _page(browser, 375)
    page.goto(server.url + path)
    assert page.evaluate(OVERFLOW_JS) <= 0, f"{path} scrolls sideways on a phone"
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("path", ["briefings/2025-06-24.html", "stories/story-hostile/2025-06-24.html",
                                  "search?q=script", "search?q=onerror", "feed.atom"])
def test_hostile_text_shows_as_text_and_never_runs(browser, site, tmp_path, path):
    _, server = site
    page = _page(browser)
    page.goto(server.url + path)
    assert page.evaluate("() => document.querySelectorAll('script, img, iframe').length") == 0
    text = page.evaluate("() => document.documentElement.textContent")
    if path == "feed.atom":  # shown as its XML source: the markup stays escaped inside it
        assert "&lt;script&gt;" in text and "onerror" in text
    elif path != "search?q=onerror":
        assert HOSTILE_HEADLINE in text
    if path.startswith("stories") or path == "search?q=onerror":
        assert "onerror=alert(1)" in text
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    assert page.dialogs == []
    page.close()


def test_hostile_story_page_shows_the_markup_literally(browser, site):
    _, server = site
    page = _page(browser)
    page.goto(server.url + "stories/story-hostile/2025-06-24.html")
    assert page.locator("h1").inner_text() == HOSTILE_HEADLINE
    assert HOSTILE_SENTENCE in page.locator(".summary").inner_text()
    assert page.dialogs == []
    page.close()
