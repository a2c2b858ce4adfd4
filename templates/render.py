"""Rendering a briefing to strings: the MJML/HTML email and its plain-text alternative.

Everything here is pure: a ``Briefing`` in, strings out. All text that came from feeds
and files goes through jinja2's autoescaping in the HTML template, and links are kept
only when they are http(s), so a feed that carries ``<script>`` or a ``javascript:``
URL shows it as text at most.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2
import mjml

from core.models import Briefing, Story
from templates.outlook import separate_outlook_markup
from templates.storyview import feed_health, format_time, safe_url, story_view

HERE = Path(__file__).parent


@dataclass(frozen=True)
class RenderedEmail:
    """A briefing as an email: subject, preheader, HTML and plain text."""

    subject: str
    preheader: str
    html: str
    text: str


@dataclass(frozen=True)
class Links:
    """Public addresses for links in the email, when a base URL is configured."""

    view_url: str = ""
    unsubscribe_url: str = ""
    story_urls: tuple[tuple[str, str], ...] = ()  # (story id, permalink)


def safe_link(url: str | None) -> str | None:
    """Like ``safe_url`` but also allowing a plain ``mailto:`` link (the unsubscribe address)."""
    if url and url.strip().lower().startswith("mailto:"):
        url = url.strip()
        if "@" in url and not any(ch in url for ch in "\"'<> \n\r\t"):
            return url
        return None
    return safe_url(url)


_SCHEME_AFTER_SPACE = re.compile(r"\s+(?=(?:javascript|data|vbscript)\s*:)", re.I)


def _wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Wrap at ``width``; ``first`` is the first line's indent (``indent`` by default).
    A non-breaking space (before a source marker) holds its words on one line, then
    becomes a plain space."""
    first = indent if first is None else first
    # A line of plain text that opens with "javascript:" (a hostile title, say) is one some
    # mail clients make a link of: such a word stays on the line of the word before it.
    text = _SCHEME_AFTER_SPACE.sub("\u00a0", text)
    wrapped = textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=indent,
                            break_long_words=False, break_on_hyphens=False)
    return ("\n".join(wrapped) or first).replace("\u00a0", " ")


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE)), autoescape=autoescape,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["wrap"] = _wrap
    return env


_HTML = _environment(autoescape=True)
_TEXT = _environment(autoescape=False)


def long_date(date: str) -> str:
    """'2025-06-24' -> 'Tuesday, 24 June 2025'."""
    day = datetime.strptime(date, "%Y-%m-%d")
    return f"{day:%A}, {day.day} {day:%B %Y}"


def count_line(count: int) -> str:
    """'1 story' / '12 stories'."""
    return f"{count} {'story' if count == 1 else 'stories'}"


def subject_line(briefing: Briefing) -> str:
    """The email subject: the title, the date and the top headline."""
    day = datetime.strptime(briefing.date, "%Y-%m-%d")
    top = briefing.stories[0].headline if briefing.stories else "No major diplomacy developments"
    return f"{briefing.title}, {day.day} {day:%b %Y}: {top}"


PREHEADER_CHARS = 150


def preheader(briefing: Briefing) -> str:
    """The preview line mail clients show after the subject, cut at a word boundary."""
    if not briefing.stories:
        return "No major diplomacy developments since the last briefing."
    heads = [s.headline for s in briefing.stories[1:4]]
    line = f"Also: {'; '.join(heads)}" if heads else briefing.stories[0].headline
    line = " ".join(line.split())
    if len(line) <= PREHEADER_CHARS:
        return line
    cut = line[:PREHEADER_CHARS - 1]
    if line[PREHEADER_CHARS - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _story_view(story: Story, number: int, zone: str, permalink: str | None) -> dict:
    view = story_view(story, zone)
    view.update(anchor=f"story-{number}", number=number, link=safe_url(permalink))
    return view


def _context(briefing: Briefing, zone: str, links: Links) -> dict:
    permalinks = dict(links.story_urls)
    return {
        "title": briefing.title,
        "long_date": long_date(briefing.date),
        "count_line": count_line(len(briefing.stories)),
        "preheader": preheader(briefing),
        "stories": [_story_view(s, n, zone, permalinks.get(s.id)) for n, s in enumerate(briefing.stories, 1)],
        "quiet_message": "No major diplomacy developments since the last briefing.",
        "view_url": safe_url(links.view_url),
        "unsubscribe_url": safe_link(links.unsubscribe_url),
        "footer": f"{briefing.title}, made {format_time(briefing.generated, zone)} from the sources listed.",
        "feed_health": feed_health(briefing.feed_notes),
    }


def render_mjml(briefing: Briefing, zone: str = "UTC", links: Links = Links()) -> str:
    """The MJML source of the email (before mjml turns it into HTML)."""
    return _HTML.get_template("email.mjml.j2").render(_context(briefing, zone, links))


def render_email(briefing: Briefing, zone: str = "UTC", links: Links = Links()) -> RenderedEmail:
    """Render the briefing as an email: responsive HTML through mjml (its Outlook-only markup
    kept for Outlook alone, see templates.outlook), and plain text."""
    html = separate_outlook_markup(mjml.mjml2html(render_mjml(briefing, zone, links), disable_comments=True, fonts={}))
    text = _TEXT.get_template("email.txt.j2").render(_context(briefing, zone, links))
    return RenderedEmail(subject_line(briefing), preheader(briefing), html, text)
