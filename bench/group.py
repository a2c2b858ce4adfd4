"""Story grouping measured on the clustering sets: {id,title,date,source,url,text} -> {id,story}.

The articles are fed to ``summarize.group.group_articles`` one publication day at a
time, each run passing the previous runs' assignments, so the figure comes from the
incremental path the daily product uses: each day's articles are stored in a real store
(a temporary SQLite file) and each run takes the readings it holds, reading only the new
day's articles (``summarize.reading.stored_reading``), and the floors it keeps (earlier
articles compared with the new ones only: ``summarize.group``), as a day's build does.
The seconds of each day (wall and CPU) go to standard error. Articles without a date all get the same fixed date
(time is then neutral: every pair is within the window); a date with a time of day (the
real-text stream of ``python -m bench.realtext``) keeps it. The ``event`` answer field is
never read.

Example:
    python -m bench group --input ../shared/eval/clustering/basil.jsonl --output /tmp/g.jsonl
    python ../shared/eval/score.py clustering ../shared/eval/clustering/basil.jsonl /tmp/g.jsonl --anchors
    python -m bench.realtext --total 20000 --output /tmp/stream.jsonl   # three days of real text
    python -m bench group --input /tmp/stream.jsonl --output /tmp/s.jsonl
"""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from core.models import Article
from feeds.store import Store
from summarize.group import GroupingOptions, group_articles
from summarize.reading import stored_reading

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
            if len(date) > 10:  # with a time of day
                published = datetime.fromisoformat(date).astimezone(timezone.utc)
            else:
                published = (datetime.fromisoformat(date).replace(hour=12, tzinfo=timezone.utc)
                             if date else UNKNOWN_DATE)
            articles.append(Article(
                id=str(record["id"]), title=record.get("title") or "", text=record.get("text") or "",
                outlet=record.get("source") or "", published=published, url=record.get("url"),
                published_from="metadata" if date else "fetched"))
    return articles


def _cpu() -> float:
    """CPU seconds of this process and its finished workers (on a shared machine the figure to compare)."""
    used = os.times()
    return used.user + used.system + used.children_user + used.children_system


def group_by_day(articles: list[Article], options: GroupingOptions = GroupingOptions()) -> dict[str, str]:
    """Group ``articles`` as the daily product would: one run per publication day, in date order."""
    days: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        days[article.published.date().isoformat()].append(article)
    seen: list[Article] = []
    assigned: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-group-") as home:
        store = Store.open(Path(home) / "briefing.db")
        try:
            for day in sorted(days):
                began = time.perf_counter()
                store.add_articles(days[day])
                stored, cpu = time.perf_counter(), _cpu()
                seen.extend(days[day])
                assigned = group_articles(seen, assigned, options, read=stored_reading(store), kept=store)
                print(f"day {day}: {len(days[day])} new, {len(seen)} grouped; stored in "
                      f"{stored - began:.2f} s, grouped in {time.perf_counter() - stored:.2f} s "
                      f"({_cpu() - cpu:.2f} s CPU)", file=sys.stderr)
        finally:
            store.close()
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
