"""How long the everyday commands take to answer: ``python -m bench startup``.

Each of ``archive list``, ``feeds list``, ``search WORDS`` and ``subscribers list`` is run
as a user runs it (a new Python process, ``briefing.py`` from a checkout) in a data
directory holding the demo's briefing, the starter feed list and a few subscribers, and
timed wall clock; the median of ``--repeat`` runs is printed beside ``python -c pass``,
the floor any command stands on, with the CPU time of each (user + system), which the
load of other work on the machine sways less than the wall time. ``--before DIR`` times another checkout (say the code
before a change, from ``git archive``) in the same run, so that the two can be compared
on a machine whose load varies.

Example:
    mkdir /tmp/before && git archive HEAD~3 | tar -x -C /tmp/before
    python -m bench startup --before /tmp/before
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
COMMANDS = (("archive", "list"), ("feeds", "list"), ("search", "ceasefire"), ("subscribers", "list"))


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(code: Path, home: Path, argv: tuple[str, ...]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; the CPU time is less swayed by other work on the machine."""
    env = {**os.environ, "BRIEFING_HOME": str(home), "PYTHONPATH": str(code)}
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, str(code / "briefing.py"), *argv], cwd=code, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def _floor() -> tuple[float, float]:
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start, _cpu() - cpu


def _cell(runs: list[tuple[float, float]]) -> str:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    return f"{wall:13.2f} / {cpu:4.2f} s"


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
        floors = [_floor() for _ in range(args.repeat)]
        print(f"{'python -c pass':<24}" + _cell(floors))
        header = "".join(f"{label + ' wall / cpu':>22}" for label, _ in codes)
        print(f"{'command':<24}{header}   (median of {args.repeat})")
        for argv_ in COMMANDS:
            cells = [_cell([_run(code, home, argv_) for _ in range(args.repeat)]) for _, code in codes]
            print(f"{' '.join(argv_):<24}" + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
