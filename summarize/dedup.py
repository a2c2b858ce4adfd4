"""Near-duplicate articles: the same text published by several outlets.

Wire copy (one agency story run by many papers) and one article reached through two
feeds would otherwise fill a summary with the same sentence several times. Two articles
are copies when they have the same canonical URL, or when their word 5-shingles overlap
almost entirely: Jaccard similarity at least ``min_jaccard``, or the shorter text at
least ``min_containment`` inside the longer one (a copy with a different outlet line
and the publisher's trailing boilerplate keeps nearly all of its shingles but gains
some, which pulls Jaccard down for short items).

Near linear: candidate pairs come from MinHash band buckets, and only those are checked
exactly.
"""
from __future__ import annotations

import logging
import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.models import Article
from feeds.outlets import Registry
from feeds.urls import canonical_url
from summarize import textvec

log = logging.getLogger(__name__)

_PRIME = (1 << 31) - 1  # Mersenne prime; hash values are reduced below it


@dataclass(frozen=True)
class DedupOptions:
    """When two articles count as copies of one text."""

    shingle_words: int = 5
    min_jaccard: float = 0.8
    min_containment: float = 0.9
    # Containment alone is trusted only when the shorter text has this many shingles:
    # two one-line items with the same phrase are not the same article.
    min_shingles_for_containment: int = 30
    minhash_bands: int = 32
    minhash_rows: int = 2
    # A band bucket holding more articles than this is skipped (it is empty-ish text or
    # shared boilerplate); exact duplicates are still caught by their text hash.
    max_bucket: int = 500


def find_duplicates(articles: Sequence[Article], options: DedupOptions = DedupOptions()) -> dict[str, str]:
    """Map each article id that is a copy of another to the id of the copy kept for summarising.

    Kept ids are absent from the result. Among copies the one with the longest text is
    kept (it has the most to summarise), then the earliest published, then the smallest
    id, so the choice does not depend on input order. Every outlet still stays listed as
    a source: the caller handles that.
    """
    unique: dict[str, Article] = {}
    for article in articles:
        unique.setdefault(article.id, article)
    ordered = list(unique.values())
    shingles = [_shingles(a.text, options.shingle_words) for a in ordered]
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    by_url: dict[str, int] = {}
    by_text: dict[frozenset[int], int] = {}
    for i, article in enumerate(ordered):
        if article.url:
            union(i, by_url.setdefault(canonical_url(article.url), i))
        if shingles[i]:
            union(i, by_text.setdefault(shingles[i], i))

    for i, j in _candidates(shingles, options):
        if find(i) != find(j) and _is_copy(shingles[i], shingles[j], options):
            union(i, j)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(ordered)):
        groups[find(i)].append(i)
    result: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        keep = min(members, key=lambda i: (-len(ordered[i].text), ordered[i].published, ordered[i].id))
        for i in members:
            if i != keep:
                result[ordered[i].id] = ordered[keep].id
    log.debug("%d of %d articles are copies", len(result), len(ordered))
    return result


def _shingles(text: str, size: int) -> frozenset[int]:
    """Hashes of the lower-cased word ``size``-grams of ``text`` (the text itself when shorter)."""
    tokens = [w.lower() for w in textvec.words(text)]
    if not tokens:
        return frozenset()
    grams = (" ".join(tokens[i:i + size]) for i in range(max(len(tokens) - size + 1, 1)))
    return frozenset(zlib.crc32(g.encode("utf-8")) % _PRIME for g in grams)


def _is_copy(a: frozenset[int], b: frozenset[int], options: DedupOptions) -> bool:
    """Whether two shingle sets are near-identical (see the module docstring)."""
    shared = len(a & b)
    if not shared:
        return False
    if shared / (len(a) + len(b) - shared) >= options.min_jaccard:
        return True
    smaller = min(len(a), len(b))
    return smaller >= options.min_shingles_for_containment and shared / smaller >= options.min_containment


def _candidates(shingles: list[frozenset[int]], options: DedupOptions) -> set[tuple[int, int]]:
    """Pairs of articles that share at least one MinHash band (likely near-duplicates)."""
    count = options.minhash_bands * options.minhash_rows
    rng = np.random.default_rng(20240611)  # fixed: the same input always gives the same pairs
    a = rng.integers(1, _PRIME, size=count, dtype=np.uint64)
    b = rng.integers(0, _PRIME, size=count, dtype=np.uint64)
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for i, hashes in enumerate(shingles):
        if not hashes:
            continue
        values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
        signature = ((np.outer(a, values) + b[:, None]) % _PRIME).min(axis=1)
        for band in range(options.minhash_bands):
            rows = signature[band * options.minhash_rows:(band + 1) * options.minhash_rows]
            buckets[(band, rows.tobytes())].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if 1 < len(members) <= options.max_bucket:
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.add((members[x], members[y]))
    return pairs


def copy_groups(articles: Sequence[Article], copies: dict[str, str]) -> list[list[Article]]:
    """The articles as groups of copies of one text, each led by the copy kept for summarising.

    ``copies`` is :func:`find_duplicates`' result. Groups come in the order of their first
    member in ``articles``; an article with no copies is a group of one.
    """
    by_id: dict[str, Article] = {}
    for article in articles:
        by_id.setdefault(article.id, article)
    groups: dict[str, list[Article]] = {}
    for article in by_id.values():
        kept = copies.get(article.id, article.id)
        group = groups.setdefault(kept, [by_id[kept]])
        if article.id != kept:
            group.append(article)
    return list(groups.values())


def _alternation(names: Sequence[str]) -> str:
    return "|".join(re.escape(n) for n in names)


@lru_cache(maxsize=8)
def _credit_patterns(registry: Registry) -> tuple[re.Pattern, re.Pattern, re.Pattern] | None:
    """Where a text names the wire it comes from, built from the registry's wire and agency names.

    Case matters: agency names are proper nouns, and "AP" or "PA" in lower case are words.
    """
    names = registry.wire_names
    if not names:
        return None
    alt = _alternation(names)
    # Near the top: a dateline "KYIV, May 16 (Reuters) -", a byline "By Associated Press".
    head = re.compile(rf"\((?P<name>{alt})\)\s*[-–—]|^\s*By\s+(?:the\s+)?(?P<byline>{alt})\s*$", re.MULTILINE)
    # Anywhere: "Associated Press contributed to this report", "provided by AFP",
    # "Copyright 2025 The Associated Press", "(Reporting by ... for Reuters)".
    body = re.compile(rf"(?:^|\W)(?:The\s+)?(?P<name>{alt})\s+contributed\b"
                      rf"|\b(?:provided|supplied|distributed|written)\s+by\s+(?:the\s+)?(?P<by>{alt})\b"
                      rf"|(?:©|\bCopyright)\s*(?:\d{{4}}\s+)?(?:The\s+)?(?P<copy>{alt})\b")
    # At the very end: a sign-off "— AP", "- Reuters".
    tail = re.compile(rf"[-–—]\s*(?P<name>{alt})\s*\.?\s*$")
    return head, body, tail


def credited_wire(text: str, registry: Registry, signed_only: bool = False) -> str | None:
    """The registry name of the wire or agency a text credits as its source, if any.

    Only the wire's own signature counts (its dateline, byline, sign-off, a "contributed"
    or "provided by" credit, its copyright line); a story that merely cites a wire ("the
    agency reported") is that outlet's own report. ``signed_only`` looks only at the
    dateline and byline, which mark the whole text as the wire's.
    """
    patterns = _credit_patterns(registry)
    if patterns is None or not text:
        return None
    head, body, tail = patterns
    checks = ((head, text[:600]),) if signed_only else ((head, text[:600]), (tail, text[-200:]), (body, text))
    for pattern, chunk in checks:
        match = pattern.search(chunk)
        if match:
            name = next(g for g in match.groups() if g)
            found = registry.by_name(name)
            if found is not None and found.is_wire:
                return found.name
    return None
