"""Fetching and parsing against a peer: ``python -m bench.peer [--feeds 1000]``.

Serves the same loopback feeds as ``bench.day`` (same seed: RSS and Atom, slow and failing
feeds, teaser feeds) and, in one run, times:

* the product's ``fetch`` job in a fresh data directory (fetch, parse, page extraction for
  teasers, store), with its default options;
* rss2email's ``r2e run --no-send`` on the same feed URLs, with a temporary config and
  data file (rss2email fetches one feed after another; ``same-server-fetch-interval`` is
  left at its default of 0, so it does not wait between our loopback feeds).

rss2email is a benchmark-only tool, not a dependency of the product:
``pip install rss2email`` (measured with 3.14). Prints both wall times and their ratio.

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


def main(argv: list[str] | None = None) -> int:
    """Serve the feeds, time the product's fetch and rss2email's, print the ratio."""
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    r2e = shutil.which("r2e")
    if r2e is None:
        print("rss2email is not installed: pip install rss2email", file=sys.stderr)
        return 2

    from core import jobs
    from core.options import load_options

    now = datetime.now(timezone.utc)
    work = Path(tempfile.mkdtemp(prefix="briefing-peer-"))
    try:
        with FeedServer(args.feeds, args.articles, args.seed, now) as server:
            urls = server.feed_urls()
            print(f"server {server.base}: {args.feeds} feeds ({server.kinds}), {server.items} items", flush=True)

            home = work / "home"
            home.mkdir()
            write_config(home, urls)
            began = time.perf_counter()
            report = jobs.fetch(load_options({"BRIEFING_HOME": str(home)}))
            ours = time.perf_counter() - began
            print(f"briefing fetch: {ours:.1f} s wall; {report.ok} feeds ok, {len(report.failed)} failed, "
                  f"{report.new_articles} new articles (pages of teaser entries fetched and extracted)",
                  flush=True)

            config, data = work / "r2e.cfg", work / "r2e.json"
            r2e_config(config, urls)
            began = time.perf_counter()
            done = subprocess.run([r2e, "-c", str(config), "-d", str(data), "run", "--no-send"],
                                  capture_output=True, text=True)
            theirs = time.perf_counter() - began
            errors = sum(1 for line in done.stderr.splitlines() if "error" in line.lower())
            print(f"rss2email run --no-send: {theirs:.1f} s wall (exit {done.returncode}, "
                  f"{errors} error lines; it does not fetch article pages)")
            print(f"ratio rss2email / briefing: {theirs / ours:.1f}x (target >= 5x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
