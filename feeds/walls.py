"""Pages that are only a wall: a login, paywall or cookie-consent notice instead of the article.

A saved page or a fetched article page sometimes holds no article at all, just the notice
that stands in front of it ("You have reached your limit of free articles... Subscribe",
"Sign in to continue reading", "We use cookies... Accept all"). Stored as an article it
became a story of its own. The test is general, not a list of sites: the text is short,
and most of its words are in sentences that speak of subscribing, signing in, accounts,
free-article limits or cookie consent. A real article that ends with a newsletter blurb is
long enough, and its blurb a small enough share, to pass.
"""
from __future__ import annotations

import logging
import re

from core.errors import InputError

log = logging.getLogger(__name__)

# Above this many words a page holds more than a notice: walls run to a few sentences, and
# the shortest real news items in feeds are rarely under ~40 words of their own.
MAX_WALL_WORDS = 160
# Share of the words that must be in wall sentences for the page to be only a wall.
MIN_WALL_SHARE = 0.5

# The vocabulary of walls, in English: subscriptions and metered access, accounts and
# logins, consent to cookies and tracking, ad blockers and JavaScript checks.
_WALL = re.compile(
    r"\b(?:subscri(?:be|bed|ber|bers|ption|ptions)|paywall|premium (?:content|article|access)|"
    r"unlimited (?:access|digital access|reading)|free articles?|article limit|limit of (?:free )?articles|"
    r"(?:sign|log)(?:ged)? ?(?:in|on|up)\b|login|create (?:a free |an |your )?account|register (?:now|for free|to)|"
    r"already (?:a )?(?:subscriber|member|registered)|continue reading|keep reading|read the full|"
    r"per (?:month|week|year)\b|free trial|cancel any ?time|"
    r"cookies?|consent|privacy (?:settings|policy|preferences|choices)|manage (?:your )?(?:preferences|options|choices)|"
    r"accept all|reject all|legitimate interest|partners? (?:use|process)|personali[sz]ed (?:ads|content)|"
    r"ad ?blocker|disable your ad|enable javascript|javascript (?:is )?(?:disabled|required)|"
    r"verify (?:you are|that you're) (?:a )?human|are you a robot)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORDS = re.compile(r"\w+", re.UNICODE)


def wall_share(text: str) -> tuple[int, float, int]:
    """The text's word count, the share of its words in sentences that use wall language,
    and how many different wall phrases it uses."""
    total = wall = 0
    cues: set[str] = set()
    for sentence in _SENTENCE.split(text or ""):
        words = len(_WORDS.findall(sentence))
        total += words
        found = {m.group().lower() for m in _WALL.finditer(sentence)}
        if words and found:
            wall += words
            cues |= found
    return total, (wall / total if total else 0.0), len(cues)


def is_wall(text: str) -> bool:
    """True when ``text`` is only a login, paywall or consent notice, not an article.

    Two different wall phrases are required: one word such as "consent" or "subscribe"
    also occurs in a short news item, while a real wall always says several such things
    ("limit of free articles", "subscribe", "sign in").
    """
    words, share, cues = wall_share(text)
    return 0 < words <= MAX_WALL_WORDS and share >= MIN_WALL_SHARE and cues >= 2


def refuse_wall(where: str, text: str) -> None:
    """Raise ``InputError`` naming ``where`` when ``text`` is only a wall (see ``is_wall``)."""
    if is_wall(text):
        raise InputError(f"{where}: no article text (the page is only a login, paywall or cookie-consent "
                         "notice); not stored")
