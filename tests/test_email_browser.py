"""The email as a person sees it: rendered by headless Chromium at desktop and phone widths.

The HTML is taken from a real message (``send --dry-run``) of a 20-story briefing with
long words and long URLs, so what is checked is exactly what a mail client receives.
Needs Debian's chromium at /usr/bin/chromium (driven by Playwright); skipped without it.
"""
from __future__ import annotations

import email
import os
import shutil
from email.policy import default as default_policy
from dataclasses import replace
from pathlib import Path

import pytest

from archive.briefings import save_briefing
from core.options import load_options
from delivery.send import send_briefing
from templates.render import render_email
from tests.conftest import needs_chromium
from tests.test_message import make_briefing
from tests.test_render import heavy_briefing

pytestmark = needs_chromium

# Gmail clips an HTML body beyond about 102 KB behind a "View entire message" link.
GMAIL_CLIP_BYTES = 102 * 1024

# Runs in the page: everything a reader would notice as broken, one line each.
LAYOUT_PROBLEMS_JS = """(width) => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > width) problems.push(`page is ${doc.scrollWidth}px wide, viewport ${width}px`);
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5)
      problems.push(`<${el.tagName.toLowerCase()}> "${(el.textContent || '').trim().slice(0, 40)}" ends at ${Math.round(box.right)}px`);
  }
  for (const img of document.images)
    if (!img.hasAttribute('alt')) problems.push(`image without alt: ${img.getAttribute('src')}`);
  for (const a of document.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href') || '';
    if (href.startsWith('#')) {  // the contents list: a story further down the same message
      const name = href.slice(1);
      if (!document.getElementById(name) && !document.getElementsByName(name).length)
        problems.push(`link to a missing anchor: "${href}"`);
    } else if (!/^(https?:\\/\\/[^\\/\\s]+|mailto:[^\\s@]+@)/i.test(href)) problems.push(`link not absolute: "${href}"`);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def email_html(tmp_path_factory) -> str:
    """The HTML part of the message one recipient would get for a 20-story briefing."""
    home = tmp_path_factory.mktemp("browser") / "home"
    # Ten stories with long words and URLs, ten as heavy as real ones (six outlets, every
    # sentence credited to its own), and troubled feeds in the footer.
    heavy = heavy_briefing(10)
    briefing = replace(heavy, stories=make_briefing(10, sentences=5, sources=5).stories + heavy.stories)
    save_briefing(home / "archive", briefing, render_email(briefing))
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("BRIEFING_")]:
            mp.delenv(key)
        for key, value in {"BRIEFING_HOME": str(home), "BRIEFING_FROM": "Briefing Desk <desk@example.org>",
                           "BRIEFING_TO": "ann@example.org", "BRIEFING_BRIEFING_BASE_URL": "https://news.example.org",
                           "BRIEFING_BRIEFING_TIMEZONE": "Europe/London"}.items():
            mp.setenv(key, value)
        outbox = home / "outbox"
        send_briefing(load_options(), briefing.date, dry_run=outbox)
    [eml] = outbox.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    return message.get_body(("html",)).get_content()


def render(browser, html: str, width: int, screenshot: Path):
    """Open ``html`` at ``width`` px (no network), save a full-page screenshot, return the page's problems."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.route("**/*", lambda route: route.abort())  # hermetic: nothing leaves the machine
        page.set_content(html, wait_until="load")
        page.screenshot(path=str(screenshot), full_page=True)
        return page.evaluate(LAYOUT_PROBLEMS_JS, width)
    finally:
        page.close()


def test_twenty_story_email_stays_below_gmail_clipping(email_html):
    assert "Transcontinentalinfrastructurepartnershipagreement" in email_html
    assert email_html.count('class="sources"') == 20
    assert email_html.count('class="cite"') == 100
    assert len(email_html.encode("utf-8")) < GMAIL_CLIP_BYTES


# Runs in the page: each summary sentence's outlet as the reader sees it.
CITES_JS = """(width) => Array.from(document.querySelectorAll('p.summary')).map(p => Array.from(
  p.querySelectorAll('.cite')).map(c => {
    const box = c.getBoundingClientRect();
    const lines = c.getClientRects().length;
    return {outlet: c.textContent, href: c.getAttribute('href'), visible: box.width > 0 && box.height > 0
            && box.right <= width && getComputedStyle(c).visibility === 'visible', lines: lines,
            size: parseFloat(getComputedStyle(c).fontSize)};
  }))"""


@pytest.mark.parametrize("width", [600, 375])
def test_every_sentence_shows_its_outlet_linked_to_the_article(browser, email_html, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(email_html, wait_until="load")
        stories = page.evaluate(CITES_JS, width)
    finally:
        page.close()
    assert len(stories) == 20 and all(len(cites) == 5 for cites in stories)
    for cites in stories:
        for cite in cites:
            assert cite["visible"], cite
            assert cite["lines"] == 1, f"{cite['outlet']!r} breaks over two lines"
            assert 11 <= cite["size"] < 16  # smaller than the text it follows, still legible
            assert cite["href"].startswith("https://")
    heavy = stories[10]
    assert [c["outlet"].replace("\u00a0", " ") for c in heavy] == ["Meridian Wire", "The Harbour Ledger",
                                                                    "Capital Observer", "Northgate Post",
                                                                    "Baltic Dispatch"]


def test_contents_list_jumps_to_each_story(browser, email_html):
    page = browser.new_page(viewport={"width": 375, "height": 700})
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(email_html, wait_until="load")
        contents = page.locator('a[href^="#story-"]')
        assert contents.count() == 20
        target = contents.nth(14)
        headline = target.inner_text()
        target.click()
        page.wait_for_timeout(100)
        top = page.evaluate("""(name) => document.getElementById(name).getBoundingClientRect().top""",
                            "story-15")
        assert -2 < top < 100  # the story is now at the top of the screen
        assert page.locator("h2", has_text=headline).first.is_visible()
        footer = page.locator("p.feed-health")
        assert "Baltic Dispatch failed (HTTP 503" in footer.inner_text() and footer.is_visible()
    finally:
        page.close()


@pytest.mark.parametrize("width", [600, 375])
def test_email_renders_cleanly_at_desktop_and_phone_width(browser, email_html, tmp_path, width):
    shot = tmp_path / f"briefing-email-{width}.png"
    problems = render(browser, email_html, width, shot)
    assert shot.stat().st_size > 10_000  # a real picture of the email, not a blank page
    shutil.copy(shot, Path("/tmp") / shot.name)  # for a person to look at
    assert problems == []


def test_the_check_catches_overflow_missing_alt_and_relative_links(browser, tmp_path):
    broken = ('<html><body style="margin:0"><table width="560"><tr><td>wide</td></tr></table>'
              '<img src="https://example.org/logo.png"><a href="/briefings/today.html">today</a>'
              '<a href="mailto:desk@example.org">mail</a><a href="#nowhere">jump</a><a name="here"></a>'
              '<a href="#here">ok</a></body></html>')
    problems = render(browser, broken, 375, tmp_path / "broken.png")
    assert problems[0] == "page is 560px wide, viewport 375px"
    assert "image without alt: https://example.org/logo.png" in problems
    assert 'link not absolute: "/briefings/today.html"' in problems
    assert 'link to a missing anchor: "#nowhere"' in problems
    assert not any("mailto" in p or "#here" in p for p in problems)
