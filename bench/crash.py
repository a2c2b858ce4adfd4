"""The full crash run: SIGKILL fetch, build and send at random moments, at least 50 times.

    python -m bench.crash --kills 60 --seed 7

Runs ``tests.crashkit.crash_run`` (loopback HTTP and SMTP servers in their own process,
each job a forked child killed after a random delay) and prints the figures: kills per
phase, what was checked after each kill, and every problem found (there should be none).
Exit code 1 when a problem was found. Linux only (``os.fork``).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    """Run the crash benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.crash", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=60, help="kills that must land mid-job (default 60)")
    parser.add_argument("--seed", type=int, default=7, help="random seed for delays and feed content")
    parser.add_argument("--feeds", type=int, default=6, help="feeds on the loopback server (default 6)")
    parser.add_argument("--items", type=int, default=6, help="new items per feed per round (default 6)")
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.crashkit import crash_run

    with tempfile.TemporaryDirectory(prefix="briefing-crash-") as workdir:
        report = crash_run(Path(workdir), args.kills, seed=args.seed, feeds=args.feeds, items_per_round=args.items)
    figures = asdict(report) | {"total_kills": report.total_kills}
    print(f"kills landed mid-job: {report.total_kills} ({', '.join(f'{k} {v}' for k, v in report.kills.items())}); "
          f"{report.finished_early} jobs finished before their kill")
    print(f"after each kill: integrity_check, {report.articles_checked} committed-article checks, "
          f"{report.briefings_checked} briefing-folder checks, mail checks")
    print(f"feed items served {report.items_served}, stored {report.articles_stored}; deliveries "
          f"{report.deliveries_made}/{report.deliveries_expected}; messages received {report.messages_checked}, "
          f"repeated copies {report.same_message_again}")
    print(f"problems: {len(report.problems)}  ({report.seconds:.0f} s)")
    for problem in report.problems:
        print(f"  {problem}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
