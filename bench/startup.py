"""How long the everyday commands take to answer: ``python -m bench startup``.

Each of ``archive list``, ``feeds list``, ``search WORDS`` and ``subscribers list`` is run
as a user runs it (a new Python process, ``briefing.py`` from a checkout) in a data
directory holding the demo's briefing, the starter feed list and a few subscribers, and
timed wall clock; the median of ``--repeat`` runs is printed beside ``python -c pass``,
the floor any command stands on. ``--before DIR`` times another checkout (say the code
before a change, from ``git archive``) in the same run, so that the two can be compared
on a machine whose load varies.

Example:
    mkdir /tmp/before && git archive HEAD~3 | tar -x -C /tmp/before
    python -m bench startup --before /tmp/before
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
COMMANDS = (("archive", "list"), ("feeds", "list"), ("search", "ceasefire"), ("subscribers", "list"))


def _run(code: Path, home: Path, argv: tuple[str, ...]) -> float:
    env = {**os.environ, "BRIEFING_HOME": str(home), "PYTHONPATH": str(code)}
    start = time.perf_counter()
    subprocess.run([sys.executable, str(code / "briefing.py"), *argv], cwd=code, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _floor() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def make_home(home: Path) -> None:
    """A data directory as a user's looks after a first day: the demo briefing, feeds, subscribers."""
    env = {**os.environ, "BRIEFING_HOME": str(home), "PYTHONPATH": str(HERE)}
    main = [sys.executable, str(HERE / "briefing.py"), "-q"]
    subprocess.run([*main, "demo", "--home", str(home)], cwd=HERE, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*main, "init", "--force"], cwd=HERE, env=env, check=True)
    subprocess.run([*main, "subscribers", "add", "ann@example.org", "bo@example.org"], cwd=HERE, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    """Print the median wall time of each everyday command (and of ``python -c pass``)."""
    parser = argparse.ArgumentParser(prog="python -m bench startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command; the median is shown")
    parser.add_argument("--before", type=Path, metavar="DIR", help="another checkout to time in the same run")
    args = parser.parse_args(argv)
    codes = [("before", args.before.resolve())] if args.before else []
    codes.append(("now", HERE))
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        home = Path(tmp) / "home"
        make_home(home)
        for _ in range(2):  # warm the file cache and the bytecode of each checkout
            for _, code in codes:
                _run(code, home, COMMANDS[0])
        floor = statistics.median(_floor() for _ in range(args.repeat))
        print(f"{'python -c pass':<24}{floor:7.2f} s")
        header = "".join(f"{label:>9}" for label, _ in codes)
        print(f"{'command':<24}{header}   (median of {args.repeat}, wall)")
        for argv_ in COMMANDS:
            times = []
            for _, code in codes:
                runs = []
                for _ in range(args.repeat):  # interleaved with nothing else: one command at a time
                    runs.append(_run(code, home, argv_))
                times.append(statistics.median(runs))
            print(f"{' '.join(argv_):<24}" + "".join(f"{t:7.2f} s" for t in times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
