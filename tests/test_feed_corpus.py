"""A sample of the real and broken feeds of ../shared/eval/feeds through fetch and store (when present).

The full run is ``python -m bench.feeds_corpus``; this sample takes the real-world feeds of
rss-parser and feed-rs (BBC, the Guardian, reddit, YouTube, JSON Feed 1.1...) and every
20th file of feedparser's test suite. No feed crashes the run, every entry feedparser
finds is stored or explained (empty, or a repeat of an earlier entry's link), every
failure names its feed and says why, and the JSON Feeds parse.
"""
from __future__ import annotations

import pytest

from bench.feeds_corpus import CORPUS, feed_files, ingest, summary

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/eval/feeds is not present")


def _sample():
    files, _ = feed_files()
    real = [p for p in files if "feedparser/" not in p.relative_to(CORPUS).as_posix()]
    suite = [p for p in files if "feedparser/" in p.relative_to(CORPUS).as_posix()]
    return real + suite[::20]


def test_a_sample_of_real_and_broken_feeds_loses_nothing():
    files = _sample()
    figures = ingest(files)
    totals = summary(figures, 0)
    assert totals["files tried"] == len(files) >= 100
    assert totals["crashes"] == 0
    assert totals["entries lost"] == 0, [f.path for f in figures if f.lost]
    assert totals["articles stored"] > 200
    assert totals["failed files where feedparser found entries"] == 0
    for f in figures:
        if f.status == "failed":
            assert f.error.startswith("http://127.0.0.1:") and ": " in f.error  # the feed, then the reason
    json_feeds = [f for f in figures if f.path.endswith(".json")]
    assert json_feeds and all(f.status == "ok" and f.stored for f in json_feeds)
