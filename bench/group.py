"""Story grouping measured on the clustering sets: {id,title,date,source,url,text} -> {id,story}.

The articles are fed to ``summarize.group.group_articles`` one publication day at a
time, each run passing the previous runs' assignments, so the figure comes from the
incremental path the daily product uses. Articles without a date all get the same fixed
date (time is then neutral: every pair is within the window). The ``event`` answer field
is never read.

Example:
    python -m bench group --input ../shared/eval/clustering/basil.jsonl --output /tmp/g.jsonl
    python ../shared/eval/score.py clustering ../shared/eval/clustering/basil.jsonl /tmp/g.jsonl --anchors
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import datetime, timezone

from core.models import Article
from summarize.group import GroupingOptions, group_articles

log = logging.getLogger(__name__)

# Stand-in publication time for records without a date.
UNKNOWN_DATE = datetime(2000, 1, 1, 12, tzinfo=timezone.utc)


def load_articles(input_path: str) -> list[Article]:
    """Read the evaluation records as Articles (only id, title, date, source, url, text)."""
    articles = []
    with open(input_path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            date = record.get("date") or ""
            published = (datetime.fromisoformat(date[:10]).replace(hour=12, tzinfo=timezone.utc)
                         if date else UNKNOWN_DATE)
            articles.append(Article(
                id=str(record["id"]), title=record.get("title") or "", text=record.get("text") or "",
                outlet=record.get("source") or "", published=published, url=record.get("url"),
                published_from="metadata" if date else "fetched"))
    return articles


def group_by_day(articles: list[Article], options: GroupingOptions = GroupingOptions()) -> dict[str, str]:
    """Group ``articles`` as the daily product would: one run per publication day, in date order."""
    days: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        days[article.published.date().isoformat()].append(article)
    seen: list[Article] = []
    assigned: dict[str, str] = {}
    for day in sorted(days):
        seen.extend(days[day])
        assigned = group_articles(seen, assigned, options)
    return assigned


def main(input_path: str, output_path: str) -> int:
    """Group the articles of ``input_path`` day by day and write {id, story} lines; return the count."""
    articles = load_articles(input_path)
    assigned = group_by_day(articles)
    with open(output_path, "w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps({"id": article.id, "story": assigned[article.id]}) + "\n")
    log.info("%d articles in %d stories", len(assigned), len(set(assigned.values())))
    return len(articles)
