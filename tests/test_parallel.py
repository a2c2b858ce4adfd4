"""Reading a big day on every core gives exactly what reading it in one process gives."""
from __future__ import annotations

import os
import threading

import numpy as np
from summarize import parallel
from summarize.group import GroupingOptions, read_articles


def _pid_and_square(items):
    return [(os.getpid(), x * x) for x in items]


def _cubes(items):
    return np.asarray(items, dtype=np.int64) ** 3


def test_chunks_are_read_by_worker_processes_and_come_back_in_order():
    items = list(range(5000))
    out = parallel.map_chunks(_pid_and_square, items, workers=2, min_items=100, chunk=100)
    assert [square for _, square in out] == [x * x for x in items]
    assert len({pid for pid, _ in out}) >= 2  # this process and at least one worker


def test_array_results_are_joined_into_one_array():
    out = parallel.map_chunks(_cubes, np.arange(3001), workers=2, min_items=100, chunk=250)
    assert isinstance(out, np.ndarray)
    assert np.array_equal(out, np.arange(3001) ** 3)


def test_small_inputs_and_running_threads_keep_the_work_in_this_process():
    assert {pid for pid, _ in parallel.map_chunks(_pid_and_square, list(range(50)), workers=2)} == {os.getpid()}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        # Forking while another thread may hold a lock could hang a worker: read here.
        out = parallel.map_chunks(_pid_and_square, list(range(5000)), workers=2, min_items=100, chunk=100)
    finally:
        stop.set()
        other.join()
    assert {pid for pid, _ in out} == {os.getpid()}
    assert [square for _, square in out] == [x * x for x in range(5000)]


def test_articles_read_in_workers_match_articles_read_here():
    from datetime import datetime, timezone
    when = datetime(2026, 3, 9, 8, 0, tzinfo=timezone.utc)
    weighting = GroupingOptions().weighting
    items = [(f"Envoys meet in Geneva, round {n}",
              f"The envoys of Armenia and Azerbaijan met on Monday in Geneva for round {n} of talks. "
              f"Foreign Minister Ara Petrosyan said 1,{n:03d} prisoners could be exchanged by March {n % 28 + 1}.",
              when, "metadata", weighting) for n in range(1200)]
    here = read_articles(items)
    spread = parallel.map_chunks(read_articles, items, workers=2, min_items=100, chunk=64)
    def unpacked(chunks):
        return [item for chunk in chunks
                for item in zip(chunk.words.documents(), chunk.facts.documents(), chunk.lead_days)]

    assert unpacked(spread) == unpacked(here)
    terms, facts, lead_days = unpacked(here)[7]
    assert "geneva" in terms and "n:petros" in facts and "#1007" in facts
    assert sorted(d for d in lead_days if d[:2] == "d:") == ["d:2026-03-08", "d:2026-03-09"]  # "on Monday", "by March 8"


_KILLED_JOB = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from core.lock import job_lock
from summarize import parallel

def slow(items):
    time.sleep(60)
    return list(items)

with job_lock(Path({home!r}), "build"):
    print("reading", flush=True)
    parallel.map_chunks(slow, list(range(400)), workers=2, min_items=10, chunk=100)
"""


def test_a_killed_job_leaves_no_worker_holding_the_data_directory(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from core.errors import BusyError
    from core.lock import job_lock

    root = str(Path(__file__).resolve().parent.parent)
    job = subprocess.Popen([sys.executable, "-c", _KILLED_JOB.format(root=root, home=str(tmp_path))],
                           stdout=subprocess.PIPE, text=True)
    assert job.stdout.readline().strip() == "reading"
    time.sleep(1.0)  # the workers are forked and asleep in their chunks, sharing the lock's file
    job.send_signal(signal.SIGKILL)
    job.wait(10)
    deadline = time.monotonic() + 10
    while True:
        try:
            with job_lock(tmp_path, "fetch"):
                break  # the next job runs: no orphaned worker kept the lock
        except BusyError:
            assert time.monotonic() < deadline, "a worker of the killed job still holds the data directory"
            time.sleep(0.1)


_GROUP_THEN_FORK = """
import os, sys
sys.path.insert(0, {root!r})
from bench.synthetic import articles
from summarize.group import group_articles

day = articles(1500, seed=3)
first = group_articles(day)
child = os.fork()
if child == 0:  # a caller that forks after grouping (a scheduler, a test harness) groups again
    os._exit(0 if group_articles(day) == first else 3)
_, status = os.waitpid(child, 0)
print(os.waitstatus_to_exitcode(status))
"""


def test_grouping_again_in_a_forked_process_finishes():
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    # The product's threads (OpenMP) in a parent would leave a forked child waiting for ever.
    done = subprocess.run([sys.executable, "-c", _GROUP_THEN_FORK.format(root=root)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "0"
