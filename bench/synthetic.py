"""Deterministic synthetic news for the speed benchmarks: many events, many outlets.

Real evaluation sets hold a few hundred articles; the scale benchmarks need tens of
thousands. Each synthetic event has its own invented names (people, places, a subject)
and a day; its articles mix those names with diplomacy vocabulary and common English
words, so grouping, topic scoring and summarising do the work they do on real news
(shared background vocabulary, event-specific terms, stories of very different sizes).
Everything comes from one ``random.Random(seed)``: the same seed gives the same articles.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from core.models import Article

_DIPLOMACY = (
    "diplomats ambassador envoy talks negotiations summit ceasefire treaty sanctions embassy "
    "foreign minister delegation agreement accord mediation bilateral ministers dialogue "
    "peace proposal security council resolution alliance tariffs trade deal prisoner exchange "
    "humanitarian corridor border dispute recognition visit communique statement officials "
    "government president premier parliament allies partners relations cooperation"
).split()

_COMMON = (
    "the a of to in and on for with at by from after before during while about over under "
    "between against among new first last next other more most many several some this that "
    "these those week day morning evening meeting plan issue step point region country city "
    "people group part time place case move call said added told asked noted stressed "
    "warned hoped expected agreed refused planned started ended held opened closed met "
    "public private early late major minor long short strong weak clear open direct "
    "further important possible likely recent current previous final full joint"
).split()

# Off-topic events (sport, markets, weather) use these words instead of the diplomacy ones.
_OTHER = (
    "match goal season league coach players team win score stadium fans final cup "
    "shares market prices investors profit quarter earnings stocks bank rates growth "
    "storm rain temperatures forecast flooding weather heat snow winds coast"
).split()

_SYLLABLES = ("ka ro mi ten sa vo lu dar bel in os ur ta ne pri gor al ev ski man "
              "zu co ha fi ber qu ly nov ash tor").split()


@dataclass(frozen=True)
class Event:
    """One invented news event: its names and the day it happened."""

    names: tuple[str, ...]
    day: datetime
    vocabulary: tuple[str, ...] = tuple(_DIPLOMACY)


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()


def _famous(rng: random.Random) -> list[str]:
    """200 names (big countries, leaders) that recur across many events, like real news."""
    return [_name(rng) for _ in range(200)]


def _sentence(rng: random.Random, event: Event, words: int) -> str:
    out = []
    for _ in range(words):
        roll = rng.random()
        if roll < 0.18:
            out.append(rng.choice(event.names))
        elif roll < 0.36:
            out.append(rng.choice(event.vocabulary))
        else:
            out.append(rng.choice(_COMMON))
    text = " ".join(out)
    return text[0].upper() + text[1:] + "."


def events(count: int, start: datetime, days: float, rng: random.Random,
           off_topic: float = 0.0) -> list[Event]:
    """``count`` events spread over ``days`` days from ``start``, each with 8 names."""
    famous = _famous(rng)
    # Two of an event's eight names are famous ones, picked with a heavy tail (a few
    # appear in a large share of all events); six are its own.
    return [Event(tuple(famous[min(int(rng.paretovariate(1.0)) - 1, 199)] for _ in range(2))
                  + tuple(_name(rng) for _ in range(6)),
                  start + timedelta(days=rng.random() * days),
                  tuple(_OTHER) if rng.random() < off_topic else tuple(_DIPLOMACY)) for _ in range(count)]


def article_text(rng: random.Random, event: Event, sentences: int) -> str:
    """An article body about ``event``: paragraphs of two or three sentences."""
    body, paragraph = [], []
    for _ in range(sentences):
        paragraph.append(_sentence(rng, event, rng.randint(10, 24)))
        if len(paragraph) >= rng.randint(2, 3):
            body.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        body.append(" ".join(paragraph))
    return "\n\n".join(body)


def article_title(rng: random.Random, event: Event) -> str:
    """A headline naming two of the event's names and a diplomacy word."""
    a, b = rng.sample(event.names[:4], 2)
    return f"{a} and {b} {rng.choice(event.vocabulary)} {rng.choice(event.vocabulary)}"


def story_sizes(total: int, rng: random.Random, largest: int = 300) -> list[int]:
    """Event sizes summing to ``total``: most events small, a few very large (heavy tail).

    ``largest`` caps one event: the biggest real story of a day draws a few hundred
    articles (an aggregator listed 295 for the 2025 Istanbul talks).
    """
    sizes = []
    left = total
    while left > 0:
        size = min(left, largest, max(1, int(rng.paretovariate(1.2))))
        sizes.append(size)
        left -= size
    return sizes


def articles(total: int, seed: int = 1, start: datetime = datetime(2025, 5, 10, tzinfo=timezone.utc),
             days: float = 3.0, outlets: int = 400, sentences: tuple[int, int] = (12, 30),
             off_topic: float = 0.0) -> list[Article]:
    """``total`` synthetic articles over ``days`` days, grouped in heavy-tailed events.

    ``off_topic`` is the share of events about sport, markets or weather instead of diplomacy.
    """
    rng = random.Random(seed)
    sizes = story_sizes(total, rng)
    found = events(len(sizes), start, days, rng, off_topic)
    out = []
    for e, (event, size) in enumerate(zip(found, sizes)):
        for k in range(size):
            published = event.day + timedelta(hours=rng.random() * 30)
            out.append(Article(
                id=f"https://news{rng.randrange(outlets)}.example/{e}/{k}",
                title=article_title(rng, event),
                text=article_text(rng, event, rng.randint(*sentences)),
                outlet=f"Outlet {rng.randrange(outlets)}", published=published,
                url=f"https://news{rng.randrange(outlets)}.example/{e}/{k}",
                published_from="metadata"))
    rng.shuffle(out)
    return out
