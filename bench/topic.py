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


def _timed(score, articles) -> tuple[list[float], float, float]:
    """``score(articles)`` with its wall seconds and CPU seconds (this process and its workers)."""
    import resource
    import time

    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    wall, used = time.perf_counter(), cpu()
    scores = score(articles)
    return scores, round(time.perf_counter() - wall, 2), round(cpu() - used, 2)


def _whole_text_rules(profile, articles) -> list[float]:
    """The decision with the rules of the whole text for the articles within the model's
    reach, as before 2026-12-07's second session (the model's reading as shipped)."""
    from summarize.topic import _rule_score

    model = profile.model
    scores = []
    for a, log_odds in zip(articles, model.log_odds_many([(a.title, a.text) for a in articles]).tolist()):
        rules = _rule_score(a.title, a.text, profile) if model.can_reach(log_odds) else 0.0
        scores.append(round(model.chance(log_odds, rules), 6))
    return scores


def speed(eval_dir: str, count: int, seed: int = 5, rules: bool = True) -> dict[str, float]:
    """Seconds (wall and CPU) to decide the topic of ``count`` articles of ``bench.dayload``'s
    real-text day, in one run: with the rules alone (before the model; skipped when ``rules``
    is false), with the model and the whole text's rules (before), and as shipped."""
    import dataclasses
    import functools
    from datetime import datetime, timedelta, timezone
    from pathlib import Path

    from bench.dayload import day_articles
    from core.models import Article
    from summarize.parallel import map_chunks
    from summarize.topic import score_articles

    start = datetime.now(timezone.utc) - timedelta(days=2)
    day = day_articles(Path(eval_dir), count, seed=seed, start=start, days=1.5)
    articles = [Article(id=f"https://day.example/{i}", title=a.title, text=a.text, outlet="x", published=start)
                for i, a in enumerate(day)]
    profile = load_profile(None)
    profile.model  # loaded before any clock starts
    variants = [("model, whole-text rules", profile,
                 lambda items: map_chunks(functools.partial(_whole_text_rules, profile), items)),
                ("model", profile, lambda items: score_articles(items, profile))]
    if rules:
        only = dataclasses.replace(profile, model_file="")
        variants.insert(0, ("rules", only, lambda items: score_articles(items, only)))
    figures: dict[str, float] = {"articles": len(articles)}
    for name, chosen, score in variants:
        scores, wall, cpu = _timed(score, articles)
        figures[f"{name} s"], figures[f"{name} cpu s"] = wall, cpu
        figures[f"{name} on topic"] = sum(is_relevant(s, chosen) for s in scores)
    return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.topic",
                                     description="time the topic decision on a real-text day")
    parser.add_argument("--eval", default="../shared/eval")
    parser.add_argument("--articles", type=int, default=26541)
    parser.add_argument("--no-rules", action="store_true", help="skip the rules-alone baseline (the slow one)")
    options = parser.parse_args()
    print(json.dumps(speed(options.eval, options.articles, rules=not options.no_rules)))
