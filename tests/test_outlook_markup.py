"""The email's Outlook-only markup (templates.outlook): Outlook for Windows reads what mjml
wrote, every other client reads conforming HTML that lays out the same, in a real browser."""
from __future__ import annotations

import re
from dataclasses import replace

import mjml
import pytest

from templates.outlook import separate_outlook_markup
from templates.render import Links, render_mjml
from tests.conftest import needs_chromium
from tests.test_message import make_briefing
from tests.test_render import heavy_briefing

OUTLOOK_ONLY = re.compile(r"<!--\[if mso\]>(.*?)<!\[endif\]-->", re.S)
NOT_OUTLOOK = re.compile(r"<!--\[if !mso\]><!-->(.*?)<!--<!\[endif\]-->", re.S)
STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)


def _mjml_html() -> str:
    """mjml's HTML, as it was before this step, of a 20-story briefing with long words."""
    heavy = heavy_briefing(10)
    briefing = replace(heavy, stories=make_briefing(10, sentences=5, sources=5).stories + heavy.stories)
    links = Links("https://news.example.org/b.html", "https://news.example.org/u?t=1")
    return mjml.mjml2html(render_mjml(briefing, "UTC", links), disable_comments=True, fonts={})


@pytest.fixture(scope="module")
def both():
    raw = _mjml_html()
    return raw, separate_outlook_markup(raw)


def as_outlook_reads_it(html: str) -> str:
    """What Outlook for Windows (which follows `[if mso]`) reads of ``html``."""
    return OUTLOOK_ONLY.sub(lambda m: m.group(1), NOT_OUTLOOK.sub("", html))


def as_others_read_it(html: str) -> str:
    """What every other client and the validators read: comments are comments."""
    return re.sub(r"<!--.*?-->", "", html, flags=re.S)


def test_outlook_reads_every_tag_mjml_wrote(both):
    raw, made = both
    outlook = as_outlook_reads_it(made)
    assert STYLE.sub("", outlook) == STYLE.sub("", as_outlook_reads_it(raw))
    assert outlook.count('cellpadding="0"') == raw.count('cellpadding="0"') > 10
    assert 'xmlns:o="urn:schemas-microsoft-com:office:office"' in outlook.split("<head>")[0]
    # the mso- CSS of mjml's <style> moved to a <style> only Outlook reads
    declared = lambda html: sorted(re.findall(r"mso-[a-z-]+:\s*[^;}]+", " ".join(STYLE.findall(html))))
    assert declared(outlook) == declared(raw) != []


def test_other_clients_read_no_obsolete_attribute_or_mso_css(both):
    raw, made = both
    others = as_others_read_it(made)
    for bad in ("xmlns:v", "xmlns:o", "cellpadding=", "cellspacing=", 'border="0"', "mso-", "word-break:break-word"):
        assert bad in as_others_read_it(raw), bad  # mjml writes it ...
        assert bad not in others, bad  # ... and only Outlook now reads it
    assert not re.search(r"word-break:\s*break-word", others)
    assert not re.search(r"<t(able|d)\b[^>]*\s(align|width)=", others)
    assert others.count("<table") == as_others_read_it(raw).count("<table")


def test_css_takes_the_place_of_each_attribute():
    made = separate_outlook_markup(
        '<table border="0" cellpadding="0" cellspacing="0" align="center" width="600" role="presentation">'
        '<tr><td align="right">a</td><td style="padding:4px;word-break:break-word">b</td></tr></table>')
    others = as_others_read_it(made)
    assert others == ('<table role="presentation" style="border-collapse:collapse;margin-left:auto;margin-right:auto;'
                      'width:600px;"><tr><td style="text-align:right;padding:0;">a</td>'
                      '<td style="padding:4px;word-wrap:break-word;overflow-wrap:anywhere;">b</td></tr></table>')
    assert as_outlook_reads_it(made) == (
        '<table border="0" cellpadding="0" cellspacing="0" align="center" width="600" role="presentation">'
        '<tr><td align="right">a</td><td style="padding:4px;word-break:break-word">b</td></tr></table>')
    plain = '<div class="x" style="color:red">text</div>'
    assert separate_outlook_markup(plain) == plain


# Every element's box, in document order: the same list means the same layout.
BOXES_JS = """() => Array.from(document.body.querySelectorAll('*')).map(el => {
  const r = el.getBoundingClientRect();
  return [el.tagName, Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
})"""


@needs_chromium
@pytest.mark.parametrize("width", [600, 375])
def test_other_clients_lay_the_email_out_exactly_as_before(browser, both, width):
    boxes = []
    for html in both:
        page = browser.new_page(viewport={"width": width, "height": 900})
        try:
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="load")
            boxes.append(page.evaluate(BOXES_JS))
        finally:
            page.close()
    before, after = boxes
    assert len(before) > 500
    assert after == before
