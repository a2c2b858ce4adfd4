"""Topic relevance measurement: score each item with the default profile, say diplomacy or not.

Reads JSON lines {id, title, text, ...} (the ``label`` field is never read) and writes
{id, diplomacy: bool} for ``../shared/eval/score.py topic``.

Example:
    python -m bench topic --input ../shared/eval/relevance/wcep-silver.jsonl --output /tmp/topic.jsonl
    python ../shared/eval/score.py topic ../shared/eval/relevance/wcep-silver.jsonl /tmp/topic.jsonl --anchors
"""
from __future__ import annotations

import json
import logging

from summarize.topic import is_relevant, load_profile, score_text

log = logging.getLogger(__name__)


def main(input_path: str, output_path: str) -> int:
    """Write one {id, diplomacy} line per input item; return how many were written."""
    profile = load_profile(None)
    count = 0
    with open(input_path, encoding="utf-8") as src, open(output_path, "w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            item = json.loads(line)
            score = score_text(item.get("title", ""), item.get("text", ""), profile)
            out.write(json.dumps({"id": item["id"], "diplomacy": is_relevant(score, profile),
                                  "score": score}) + "\n")
            count += 1
    log.info("scored %d items with profile %r", count, profile.name)
    return count


def speed(eval_dir: str, count: int, seed: int = 5) -> dict[str, float]:
    """Seconds to decide the topic of ``count`` articles of ``bench.dayload``'s real-text day,
    with the rules alone (before the model) and with the packaged model, in one run."""
    import dataclasses
    import time
    from datetime import datetime, timedelta, timezone
    from pathlib import Path

    from bench.dayload import day_articles
    from core.models import Article
    from summarize.topic import score_articles

    start = datetime.now(timezone.utc) - timedelta(days=2)
    day = day_articles(Path(eval_dir), count, seed=seed, start=start, days=1.5)
    articles = [Article(id=f"https://day.example/{i}", title=a.title, text=a.text, outlet="x", published=start)
                for i, a in enumerate(day)]
    profile = load_profile(None)
    rules = dataclasses.replace(profile, model_file="")
    figures: dict[str, float] = {"articles": len(articles)}
    for name, chosen in (("rules", rules), ("model", profile)):
        began = time.perf_counter()
        scores = score_articles(articles, chosen)
        figures[f"{name} s"] = round(time.perf_counter() - began, 2)
        figures[f"{name} on topic"] = sum(is_relevant(s, chosen) for s in scores)
    return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.topic",
                                     description="time the topic decision on a real-text day")
    parser.add_argument("--eval", default="../shared/eval")
    parser.add_argument("--articles", type=int, default=26541)
    options = parser.parse_args()
    print(json.dumps(speed(options.eval, options.articles)))
