"""OPML feed lists in and out, so a reader's subscriptions can be moved to and from briefing.

XML is parsed with defusedxml: an OPML file comes from elsewhere, and must not be able to
expand entities without bound or make us read local files or the network.
"""
from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from core.errors import ConfigError, InputError
from feeds.feedlist import feed_url
from feeds.fetch import FeedSpec

log = logging.getLogger(__name__)

# Not part of OPML; OPML 2.0 lets outlines carry other attributes, and this one keeps the
# per-feed "fetch article pages" switch through an export/import round trip.
FETCH_PAGES_ATTRIBUTE = "briefingFetchPages"


def _attr(element: ET.Element, name: str) -> str:
    # Exporters disagree on case ("xmlUrl", "xmlurl", "XMLURL"), so attributes are matched
    # without regard to it.
    wanted = name.lower()
    for key, value in element.attrib.items():
        if key.lower() == wanted:
            return value.strip()
    return ""


@dataclass(frozen=True)
class OpmlFeeds:
    """The feeds an OPML document lists, and a message for each outline that could not be used."""

    feeds: tuple[FeedSpec, ...]
    problems: tuple[str, ...] = ()


def read_opml(data: bytes) -> list[FeedSpec]:
    """Return the usable feeds listed in an OPML document, in document order, without duplicates.

    Outlines may be nested in folders to any depth; every outline with an ``xmlUrl`` is a
    feed, named by its ``title`` or else its ``text``. Raises ``InputError`` when the data
    is not OPML; outlines that cannot be used are left out (``read_opml_report`` says why).
    """
    return list(read_opml_report(data).feeds)


def read_opml_report(data: bytes) -> OpmlFeeds:
    """Like ``read_opml``, with a problem message for each outline whose address cannot be used.

    One bad outline never costs the others: ``feed://`` addresses become http(s), and
    addresses that are not http(s) at all are reported with the outline's name.
    """
    try:
        root = SafeET.fromstring(data)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise InputError(f"OPML file cannot be read: {exc}") from exc
    if root.tag.lower() != "opml":
        raise InputError(f"not an OPML file (the root element is <{root.tag}>, not <opml>)")
    feeds: list[FeedSpec] = []
    problems: list[str] = []
    seen: set[str] = set()
    number = 0
    for outline in root.iter():
        if not isinstance(outline.tag, str) or outline.tag.lower() != "outline":
            continue
        number += 1
        raw = _attr(outline, "xmlUrl")
        if not raw:
            continue
        name = " ".join((_attr(outline, "title") or _attr(outline, "text")).split()) or None
        try:
            url = feed_url(raw)
        except ConfigError as exc:
            problems.append(f"outline {number}{f' ({name})' if name else ''}: {exc}; skipped")
            continue
        if url in seen:
            continue
        seen.add(url)
        fetch_pages = _attr(outline, FETCH_PAGES_ATTRIBUTE).lower() not in ("false", "0", "no")
        feeds.append(FeedSpec(url=url, name=name, fetch_pages=fetch_pages))
    return OpmlFeeds(tuple(feeds), tuple(problems))


# Characters XML 1.0 cannot hold at all, even escaped; a feed name copied from somewhere
# odd may carry one, and the whole file would then be unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def write_opml(feeds: Iterable[FeedSpec], title: str = "briefing feeds", created: datetime | None = None) -> str:
    """Return an OPML 2.0 document listing ``feeds`` (a flat list of ``type="rss"`` outlines).

    ``created`` (optional, so that output can be compared byte for byte) becomes
    ``dateCreated``.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_text(title)
    if created is not None:
        ET.SubElement(head, "dateCreated").text = format_datetime(created)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = _xml_text(feed.name or feed.url)
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": _xml_text(feed.url)}
        if not feed.fetch_pages:
            attrs[FETCH_PAGES_ATTRIBUTE] = "false"
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
