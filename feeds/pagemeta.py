"""What a saved page says about itself: who published it and its own metadata.

The page's outlet comes from its copyright line, its masthead and the sentences in its
furniture that name the site ("Subscribe to The Herald"); an HTML page also states its
site name, publisher (JSON-LD), canonical URL and publication time in its metadata.
These are signals only: :mod:`feeds.outlets` turns them into the one name shown.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence

import lxml.etree
import lxml.html

# A wire-service dateline names the outlet: "ISTANBUL (Reuters) -", "PARIS, June 3 (AFP) —".
_DATELINE = re.compile(r"^[A-Z]{2,}[A-Z .'’/-]*(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?\s+\(([A-Z][\w&.' -]{1,30})\)\s*[-–—]")
_COPYRIGHT = re.compile(r"(?:(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?)+"
                        r"(?:by\s+)?([A-Z][\w&.' -]{2,40}?)"
                        r"(?:[.,|•]|\s+All rights|\s+unless\b|\s+[-–]\s|$)", re.IGNORECASE)
# The company behind a masthead: "© 2025 The Ledger Media Ltd" is the outlet "The Ledger".
_CORPORATE = re.compile(r"(?:\s+(?:Media|Group|Publishing|Publications|Digital|Holdings|Company|Co|Corp|Corporation"
                        r"|Ltd|Limited|Inc|LLC|PLC|GmbH|SA|AG|Pvt|Pte|Pty|Newspapers?))+\.?$", re.IGNORECASE)


def guess_outlet(lines: Sequence[str]) -> str | None:
    """The outlet named by the page itself: its copyright line, else a wire dateline.

    The copyright line names who published the page; a dateline names whose copy it is,
    which for syndicated wire copy is a different outlet, so the copyright line wins.
    The copyright holder is often the company ("© 2025 Meridian Group"), whose masthead
    near the top of the page is the fuller name ("Meridian Wire"): that is preferred.
    """
    for line in reversed(lines[-40:]):
        match = _COPYRIGHT.search(line)
        if match and len(line) < 200:
            holder = re.sub(r"[\s,]*\d{4}(?:\s*[-–]\s*\d{4})?$", "", match.group(1).strip())
            holder = re.sub(r"^(?:copyright\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?", "", holder, flags=re.IGNORECASE)
            name = _CORPORATE.sub("", holder).strip(" &-–,")
            # "© All rights reserved" names no one.
            if len(name) >= 3 and not re.match(r"all rights", name, re.IGNORECASE):
                name = name.title() if name.isupper() and " " in name else name
                # Only a company ("Meridian Group") has a fuller masthead name to look for.
                return (_masthead(name, lines[:12]) if name != holder else None) or name
    for line in lines[:40]:
        match = _DATELINE.match(line.strip())
        if match:
            return match.group(1).strip()
    return None


def _masthead(company: str, top: Sequence[str]) -> str | None:
    """A short line near the top that extends the company's name ("Meridian" -> "Meridian Wire").

    The extension is one or two capitalised words ("Forbes 400", a menu item, is not a masthead).
    """
    for line in [line.strip() for line in top if line.strip()][:6]:
        extra = line[len(company):].split() if line.startswith(company + " ") else []
        if 1 <= len(extra) <= 2 and len(line) <= 40 and all(w.isalpha() and w[0].isupper() for w in extra):
            return line
    return None


# Outlets name themselves over and over in their furniture ("Subscribe to The Herald",
# "The Herald is trusted by readers", "worked at The Herald since"); the article rarely does.
_SELF_NAME = re.compile(r"\bThe (?:[A-Z][a-z]+)(?: [A-Z][a-z]+)?\b")
# Only a name in such a sentence is the site's own: a name that merely recurs in the removed
# lines is as often a teaser's subject ("The Crown" in a list of related stories).
_SELF_CONTEXT = (r"(?:subscribe|sign\s+up|support|donate|join|follow|welcome|newsletters?)\s+(?:to|for|from|us\s+at|at)?"
                 r"\s*{name}\b|\b{name}(?:'s|’s)?\s+(?:newsletters?|is|has|journalism|reporters?|staff|editors?|"
                 r"readers|app|team|podcasts?|free)\b|\b(?:at|with|for|joined)\s+{name}\s+(?:since|in)\b")


def outlet_from_furniture(removed: Sequence[str], body: str, min_count: int = 2) -> str | None:
    """An outlet name that the lines cleaning removed use about the site, and the article does not."""
    counts: dict[str, int] = defaultdict(int)
    for line in removed:
        for name in set(_SELF_NAME.findall(line)):
            if re.search(_SELF_CONTEXT.format(name=re.escape(name)), line, re.IGNORECASE):
                counts[name] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    for name, count in ranked:
        if count >= min_count and name not in body:
            return name
    return None


_PUBLISHED_META = ("article:published_time", "parsely-pub-date", "datepublished", "date", "pubdate",
                   "dc.date", "dc.date.issued", "sailthru.date", "og:published_time")


def html_metadata(data: bytes) -> dict[str, str]:
    """The page's own statements of its URL, site name and publication time.

    Page metadata is more exact than a date guessed from the text: trafilatura's date
    search returns a day without the time, and some pages give no ``og:site_name`` so
    its site-name guess falls back on the title.
    """
    try:
        tree = lxml.html.fromstring(data)
    except (ValueError, lxml.etree.ParserError):
        return {}
    return tree_metadata(tree)


def tree_metadata(tree) -> dict[str, str]:
    """The metadata of a parsed page (see :func:`html_metadata`)."""
    found: dict[str, str] = {}
    for key, value in _json_ld(tree).items():
        found.setdefault(key, value)
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = (meta.get("content") or "").strip()
        if not value:
            continue
        if key in _PUBLISHED_META and "published" not in found:
            found["published"] = value
        elif key in ("og:site_name", "application-name") and "site" not in found:
            found["site"] = value
        elif key == "og:url" and "url" not in found:
            found["url"] = value
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            found["url"] = link.get("href").strip()
    if "published" not in found:
        for time in tree.iter("time"):
            if time.get("datetime"):
                found["published"] = time.get("datetime").strip()
                break
    return found


def _json_ld(tree) -> dict[str, str]:
    """``datePublished`` and the publisher's name from the page's JSON-LD, if any."""
    found: dict[str, str] = {}
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (json.JSONDecodeError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
                continue
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("@graph"), list):
                stack.extend(reversed(item["@graph"]))
            if isinstance(item.get("datePublished"), str) and "published" not in found:
                found["published"] = item["datePublished"].strip()
            publisher = item.get("publisher")
            if isinstance(publisher, list) and publisher:
                publisher = publisher[0]
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str) and "publisher" not in found:
                found["publisher"] = publisher["name"].strip()
            elif isinstance(publisher, str) and publisher.strip() and "publisher" not in found:
                found["publisher"] = publisher.strip()
    return found


_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "header", "footer", "section", "article", "small", "br",
           "td", "nav", "aside", "span")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def page_lines(tree) -> list[str]:
    """The visible text of a page, one line per block (for its masthead and copyright line)."""
    tree = lxml.html.fromstring(lxml.html.tostring(tree))  # a copy: the caller's tree is not changed
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for element in tree.iter(*_BLOCKS):
        # lxml parses control characters into a tail but refuses them when the tail is set again
        # (a scraped page with a stray \x1f after a <br> raised ValueError): they are not text.
        element.tail = "\n" + _NOT_XML.sub("", element.tail or "")
    return [" ".join(line.split()) for line in tree.text_content().splitlines() if line.strip()]
