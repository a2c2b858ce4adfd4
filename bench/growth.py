"""How the middle of the pipeline grows with the number of articles: ``python -m bench.growth``.

For each size (default 1k, 5k, 20k, 50k) a fresh child process builds that many
real-text articles (``bench.realtext``: real documents of ../shared/eval reused as outlets
do, heavy-tailed events over three days, so every size is one dense news window) and runs
the product's pure stages on them: topic scores, grouping all of them into stories (the
grouping figure is for every article, on topic or not), then as ``briefing.py build`` does: the stories ranked by outlets,
recency and topic score (``jobs.shown_stories``) and the ones shown de-duplicated,
summarised and headlined (``make_story``). It prints each stage's seconds (wall, and CPU with the forked workers' included),
the peak memory of the child and of its whole process tree (PSS: forked workers included,
shared pages counted once), a table, and the exponent ``b`` of the least-squares fit
``time = a * n ** b`` (1 is linear, 2 is every article against every other).

Example:
    python -m bench.growth
    python -m bench.growth --sizes 1000 5000
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone

from bench.treememory import TreePeak


def run_one(size: int, seed: int) -> dict:
    """Run the pure stages on ``size`` synthetic articles; return stage seconds and peak MB."""
    from bench import realtext
    from jobs import shown_stories
    from core.options import load_options
    from summarize.group import group_articles
    from summarize.standing import rank_stories
    from summarize.stories import make_story, members_by_story
    from summarize.topic import is_relevant, load_profile, score_articles, score_story

    options = load_options({"BRIEFING_HOME": "/nonexistent-briefing-bench"})
    began = time.perf_counter()
    articles = realtext.articles(size, seed=seed)
    build = time.perf_counter() - began
    peaks: dict[str, float] = {"input": _peak_mb()}
    profile = load_profile(options.briefing.topic_profile)
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}

    began, used = time.perf_counter(), _cpu()
    relevant = [a for a, score in zip(articles, score_articles(articles, profile)) if is_relevant(score, profile)]
    stages["topic"], cpu["topic"] = time.perf_counter() - began, _cpu() - used
    peaks["topic"] = _peak_mb()

    began, used = time.perf_counter(), _cpu()
    story_of = group_articles(articles, options=options.grouping)
    stages["group"], cpu["group"] = time.perf_counter() - began, _cpu() - used
    peaks["group"] = _peak_mb()

    began, used = time.perf_counter(), _cpu()
    now = datetime(2025, 5, 14, tzinfo=timezone.utc)
    groups = members_by_story(articles, story_of)
    general = options.briefing
    stories = [make_story(outline.id, groups[outline.id], outline.topic_score, options.summary, dedup=options.dedup)
               for outline in shown_stories(groups, general.min_sources, general.max_stories, now,
                                            lambda members: score_story(members, profile))]
    ranked = rank_stories(stories, now)
    stages["stories"], cpu["stories"] = time.perf_counter() - began, _cpu() - used
    peaks["stories"] = _peak_mb()
    return {"size": size, "relevant": len(relevant), "stories": len(ranked), "stages": stages,
            "total": sum(stages.values()), "cpu": cpu, "build_s": build, "peaks": peaks,
            "groups": len(set(story_of.values())), "peak_mb": _peak_mb()}


def _cpu() -> float:
    """CPU seconds of this process and of its finished workers (forked readers included): on
    a shared machine the figure to compare, where wall seconds grow with the others' load."""
    used = os.times()
    return used.user + used.system + used.children_user + used.children_system


def _peak_mb() -> float:
    """The process's peak resident memory so far, in MB (a running maximum: each stage's
    figure is the peak up to the end of that stage)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fitted_exponent(sizes: list[int], seconds: list[float]) -> float:
    """The slope of log(seconds) against log(size), by least squares."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-9)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    """Run every size in its own process and print the table and the fitted exponents."""
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000, 50000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child's entry
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.seed)))
        return 0

    rows = []
    for size in args.sizes:
        child = subprocess.Popen([sys.executable, "-m", "bench.growth", "--one", str(size), "--seed", str(args.seed)],
                                 stdout=subprocess.PIPE, text=True)
        sampler = TreePeak(child.pid)
        sampler.start()
        out, _ = child.communicate()
        tree_peak = sampler.stop() / 2**20
        if child.returncode:
            raise SystemExit(f"the {size}-article run failed (exit {child.returncode})")
        row = json.loads(out.strip().splitlines()[-1])
        row["tree_mb"] = tree_peak
        rows.append(row)
        stages = ", ".join(f"{k} {v:.1f} s ({row['cpu'][k]:.1f} s CPU)" for k, v in row["stages"].items())
        peaks = ", ".join(f"{k} {v:.0f}" for k, v in row["peaks"].items())
        print(f"{size:>6} articles ({row['relevant']} on topic, {row['groups']} groups, {row['stories']} shown): "
              f"{row['total']:.1f} s [{stages}], peak MB after each stage [{peaks}] (this process); "
              f"whole tree, workers included (PSS): {tree_peak:.0f} MB", flush=True)

    print("\n| articles | on topic | stories | topic s | group s | group CPU s | stories s | total s | peak MB | tree PSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        s = r["stages"]
        print(f"| {r['size']} | {r['relevant']} | {r['stories']} | {s['topic']:.1f} | {s['group']:.1f} | {r['cpu']['group']:.1f} | "
              f"{s['stories']:.1f} | {r['total']:.1f} | {r['peak_mb']:.0f} | {r['tree_mb']:.0f} |")
    if len(rows) > 1:
        sizes = [r["size"] for r in rows]
        print(f"\nfitted exponent (time = a * n^b): total b = {fitted_exponent(sizes, [r['total'] for r in rows]):.2f}, "
              f"group b = {fitted_exponent(sizes, [r['stages']['group'] for r in rows]):.2f}, "
              f"peak memory b = {fitted_exponent(sizes, [r['peak_mb'] for r in rows]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
