"""Summarisation measurement: Multi-News clusters -> extractive summaries.

Reads ``{id, documents: [...], summary}`` lines (the reference ``summary`` is never
read), turns each document into an :class:`~core.models.Article` and writes
``{"id", "summary"}`` lines made by :func:`summarize.summary.summarize_story` with the
product's default method and a 260-word budget, the length the scorer cuts to (the email
itself uses a shorter one: see ``bench/readability.py``).

Example:
    python -m bench summarize --input ../shared/eval/summarization/multinews.jsonl --output /tmp/sum.jsonl
    python ../shared/eval/score.py summarization ../shared/eval/summarization/multinews.jsonl /tmp/sum.jsonl --anchors
"""
from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime, timezone

from core.models import Article
from summarize.summary import SummaryOptions, summarize_story

log = logging.getLogger(__name__)

WORD_BUDGET = 260
# Multi-News gives no dates: every document gets the same one, so the summary keeps
# the documents' given order.
_UNDATED = datetime(2000, 1, 1, tzinfo=timezone.utc)


def cluster_articles(cluster_id: str, documents: list[str]) -> list[Article]:
    """One Article per document: empty title, outlet ``doc{i}``."""
    return [Article(id=f"{cluster_id}#doc{i}", title="", text=text, outlet=f"doc{i}",
                    published=_UNDATED, published_from="fetched")
            for i, text in enumerate(documents)]


def bench_options() -> SummaryOptions:
    """The product's defaults with a 260-word budget instead of the email's sentence count and length.

    The scorer reads the first 260 words, so the budget is filled (``fill_budget``: the
    last sentence may cross it) rather than kept under.
    """
    return replace(SummaryOptions(), max_sentences=None, max_words=WORD_BUDGET, fill_budget=True)


def main(input_path: str, output_path: str) -> int:
    """Summarise every cluster of ``input_path`` into ``output_path``; return the count."""
    options = bench_options()
    count = 0
    with open(input_path, encoding="utf-8") as src, open(output_path, "w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            cluster = json.loads(line)
            articles = cluster_articles(str(cluster["id"]), list(cluster.get("documents") or []))
            summary = summarize_story(articles, options)
            out.write(json.dumps({"id": cluster["id"], "summary": " ".join(s.text for s in summary)},
                                 ensure_ascii=False) + "\n")
            count += 1
    return count
