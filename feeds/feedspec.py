"""One configured feed: its settings and its address, checked. Light on purpose: every
command reads the feed list, and only ``fetch`` needs the fetching machinery."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import ConfigError


@dataclass(frozen=True)
class FeedSpec:
    """One configured feed: its URL, the outlet name to show (else the feed's own title), and
    whether teaser entries may have their article page fetched."""

    url: str
    name: str | None = None
    fetch_pages: bool = True
    # An intranet feed on a private or loopback address must say so: by default such
    # addresses are refused, so that a feed (or a redirect, or a link in a feed) cannot
    # make us fetch from the machines behind the user's firewall.
    allow_private: bool = False


def feed_url(url: str) -> str:
    """A feed address made ready to fetch, or ``ConfigError`` saying why it cannot be one.

    ``feed://host/path`` and ``feed:https://host/path`` (a scheme some browsers and OPML
    exporters use to mean "subscribe to this") become the http(s) address they stand for.
    """
    raw = url
    url = url.strip()
    lower = url.lower()
    if lower.startswith("feed:"):
        rest = url[5:]
        url = rest if rest.lower().startswith(("http://", "https://")) else "http:" + rest
        lower = url.lower()
    if not lower.startswith(("http://", "https://")):
        raise ConfigError(f"{raw!r} is not a feed address: it must start with http:// or https://")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise ConfigError(f"{raw!r} is not a feed address ({exc})") from None
    if not parts.hostname or any(ch.isspace() for ch in url) or any(ord(ch) < 32 for ch in url):
        raise ConfigError(f"{raw!r} is not a feed address: it needs a host name and no spaces")
    return url
