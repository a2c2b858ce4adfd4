"""Fetching and parsing against a peer: ``python -m bench.peer [--feeds 1000]``.

Serves the same loopback feeds as ``bench.day`` (same seed and real text: RSS and Atom on
many sites, failing feeds, teaser feeds) twice in one run, and each time times the
product's ``fetch`` job (fetch, parse, page extraction for teasers, store; default
options, fresh data directory) and rss2email's ``r2e run --no-send`` on the same feed URLs
(temporary config and data file; rss2email fetches one feed after another, and
``same-server-fetch-interval`` is left at its default of 0, so it does not wait between
feeds of one site):

1. **as the day is**: some feeds slow to answer (1-3 s) and every answer taking as long as
   a real site's (50-300 ms mostly, some more);
2. **no waiting**: no slow feeds and every answer at once, so that what is compared is the
   work of fetching and parsing, not how well each program waits.

rss2email is a benchmark-only tool, not a dependency of the product:
``pip install rss2email`` (measured with 3.14). Prints the wall times and their ratios.

Example:
    pip install rss2email
    python -m bench.peer
"""
from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.day import FeedServer, write_config


def r2e_config(path: Path, urls: list[str]) -> None:
    """An rss2email config listing ``urls`` as feeds f0, f1, ... (mail is never sent)."""
    lines = ["[DEFAULT]", "from = bench@example.org", "to = reader@example.org", "feed-timeout = 20", ""]
    for i, url in enumerate(urls):
        lines += [f"[feed.f{i}]", f"url = {url}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def compare(server: FeedServer, work: Path, r2e: str) -> tuple[float, float]:
    """Time the product's fetch and rss2email's run on ``server``'s feeds; print both."""
    import jobs
    from core.options import load_options

    urls = server.feed_urls()
    home = work / "home"
    home.mkdir()
    write_config(home, urls)
    began = time.perf_counter()
    report = jobs.fetch(load_options({"BRIEFING_HOME": str(home)}))
    ours = time.perf_counter() - began
    print(f"  briefing fetch: {ours:.1f} s wall; {report.ok} feeds ok, {len(report.failed)} failed, "
          f"{report.new_articles} new articles (pages of teaser entries fetched and extracted)", flush=True)

    config, data = work / "r2e.cfg", work / "r2e.json"
    r2e_config(config, urls)
    began = time.perf_counter()
    done = subprocess.run([r2e, "-c", str(config), "-d", str(data), "run", "--no-send"],
                          capture_output=True, text=True)
    theirs = time.perf_counter() - began
    errors = sum(1 for line in done.stderr.splitlines() if "error" in line.lower())
    print(f"  rss2email run --no-send: {theirs:.1f} s wall (exit {done.returncode}, "
          f"{errors} error lines; it does not fetch article pages)")
    print(f"  ratio rss2email / briefing: {theirs / ours:.1f}x", flush=True)
    return ours, theirs


def main(argv: list[str] | None = None) -> int:
    """Serve the feeds two ways, time the product's fetch and rss2email's, print the ratios."""
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=30000)
    parser.add_argument("--sites", type=int, default=250)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--eval", type=Path, default=Path("../shared/eval"), help="the evaluation data folder")
    parser.add_argument("--only", choices=("day", "no-waiting"), help="run one of the two comparisons")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    r2e = shutil.which("r2e")
    if r2e is None:
        print("rss2email is not installed: pip install rss2email", file=sys.stderr)
        return 2

    now = datetime.now(timezone.utc)
    ratios = []
    ways = [("day", "as the day is (slow feeds, real-site latency)", 0.05, True),
            ("no-waiting", "no waiting (no slow feeds, every answer at once)", 0.0, False)]
    for way, label, slow, waits in ways:
        if args.only and way != args.only:
            continue
        work = Path(tempfile.mkdtemp(prefix="briefing-peer-"))
        try:
            with FeedServer(args.feeds, args.articles, args.seed, now, args.eval, args.sites, slow, waits) as server:
                print(f"{label}\n  {server.describe()}", flush=True)
                ours, theirs = compare(server, work, r2e)
                ratios.append((label, theirs / ours))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("; ".join(f"{label}: {ratio:.1f}x" for label, ratio in ratios) + " (target >= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
