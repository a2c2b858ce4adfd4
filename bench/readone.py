"""CPU time of reading articles (``summarize.reading.read_articles``) over real text, and a
check that another checkout reads every article the same.

Reading an article (its words, particulars and lead) is most of a big day's grouping
(issue 20). This times ``read_articles`` (as grouping calls it on each core, in runs of
250 articles) over ``--total`` real-text articles (``bench.realtext``, from
../shared/eval) in a fresh process per checkout and round, so
that a checkout given with ``--against`` (e.g. the main checkout) and this one are
measured in the same run, one after the other, on the same articles. With ``--against``
it also compares what both give for every article, term by term and in order (the order
of terms is the order of TF-IDF columns), in three variants: as published, with a
publication time that is only the fetch time (days stay weekday names) and without a
headline.

Example:
    BRIEFING_EVAL=/work/shared/eval python3 -m bench.readone --total 3000 --rounds 3 --against /work/main
"""
from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile

# Run in the checkout being measured (its own ``summarize``): reads the items, times
# ``read_articles`` over the first ``timed`` of them, writes (CPU seconds, outputs).
_CHILD = r"""
import pickle, sys, time
sys.path.insert(0, ".")
from summarize.reading import read_articles
from summarize.textvec import Weighting
with open(sys.argv[1], "rb") as handle:
    items, timed = pickle.load(handle)
weighting = Weighting()
start = time.process_time()
read_articles([(*item, weighting) for item in items[:timed]])
seconds = time.process_time() - start
out = []
if sys.argv[3] == "1":
    for run in read_articles([(*item, weighting) for item in items]):
        for words, facts, days in zip(run.words.documents(), run.facts.documents(), run.lead_days):
            out.append((list(words.items()), list(facts.items()), days))
with open(sys.argv[2], "wb") as handle:
    pickle.dump((seconds, out), handle)
"""


def _items(total: int) -> list[tuple]:
    """The articles as (title, text, published, published_from), then the same in the two other variants."""
    from bench.realtext import articles
    found = articles(total)
    items = [(a.title, a.text, a.published, a.published_from) for a in found]
    items += [(a.title, a.text, a.published, "fetched") for a in found]
    items += [("", a.text, a.published, a.published_from) for a in found]
    return items


def _run(tree: str, data: str, timed: int, outputs: bool) -> tuple[float, list]:
    """CPU seconds of ``read_articles`` in checkout ``tree`` (and its outputs when asked)."""
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
        result = handle.name
    try:
        subprocess.run([sys.executable, "-c", _CHILD, data, result, "1" if outputs else "0"],
                       cwd=tree, check=True)
        with open(result, "rb") as handle:
            return pickle.load(handle)
    finally:
        os.unlink(result)


def main(argv: list[str] | None = None) -> int:
    """Print the CPU seconds per checkout (best of the rounds) and, with ``--against``,
    how many articles the two checkouts read differently."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=3000, help="articles to read")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per checkout")
    parser.add_argument("--against", help="another checkout to time and compare with")
    args = parser.parse_args(argv)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    trees = ([args.against] if args.against else []) + [here]
    items = _items(args.total)
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
        pickle.dump((items, args.total), handle)
        data = handle.name
    try:
        best = {tree: float("inf") for tree in trees}
        outputs = {}
        for round_ in range(args.rounds):
            for tree in trees:
                seconds, out = _run(tree, data, args.total, outputs=round_ == 0 and args.against is not None)
                best[tree] = min(best[tree], seconds)
                if out:
                    outputs[tree] = out
        for tree in trees:
            print(f"{tree}: read_articles over {args.total} articles: {best[tree]:.2f} s CPU (best of {args.rounds})")
        if args.against:
            ours, theirs = outputs[here], outputs[args.against]
            differ = sum(a != b for a, b in zip(ours, theirs)) + abs(len(ours) - len(theirs))
            print(f"readings compared: {len(ours)} ({args.total} articles x 3 variants), differing: {differ}")
            print(f"ratio: {best[args.against] / best[here]:.2f}x")
            return 1 if differ else 0
    finally:
        os.unlink(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
