"""Reading many articles on every core: a chunked map over worker processes.

Grouping reads every article of the window (its words, names, figures and days) before
comparing any two; on a big day that reading is most of the stage and it is the same pure
function per article, so it is spread over the machine's cores. Results come back in the
input's order and are exactly what a plain loop gives.

The workers are forked from this process, so they start at once with the articles already
in memory (nothing to import, nothing to send but the results). Forking is safe only while
no other thread runs (a thread holding a lock at that moment would leave the lock held in
the child for ever), and only on Linux (macOS forbids it to many system libraries), so
anywhere else, and for small inputs, everything is read here, as before. This process reads
its share of the chunks from the end of the list while the workers read from the front.
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import numpy as np

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Below this many items forking the workers and sending the results back costs more than it
# saves (a day of a few thousand articles is read in a second or two).
MIN_ITEMS = 3000
CHUNK = 250


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_WORK: tuple[Callable, Sequence] | None = None  # (function, items), inherited by the forked workers


def _chunk(start: int, stop: int) -> list:
    """In a worker: the function over items[start:stop] of the work set before the fork."""
    assert _WORK is not None
    function, items = _WORK
    return function(items[start:stop])


def _follow_parent(parent: int) -> None:
    """In a new worker: die with the parent. A forked worker shares the parent's open files,
    the data directory's lock among them; when the parent is killed (SIGKILL, the
    out-of-memory killer), workers left waiting for work would hold that lock for ever and
    every later run would find the directory busy."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def can_fork() -> bool:
    """Whether worker processes may be forked from this one now (see the module's text)."""
    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def map_chunks(function: Callable[[Sequence[T]], list[R]], items: Sequence[T], *,
               workers: int | None = None, min_items: int = MIN_ITEMS, chunk: int = CHUNK) -> list[R]:
    """``function`` over ``items`` in chunks, on up to ``workers`` processes (default: the cores).

    ``function`` takes a slice of ``items`` and returns one result per item, as a list or
    a numpy array; the results are joined in the order of ``items`` and are the same as
    ``function(items)`` gives. ``function`` is not sent to the workers (they are forked
    with it), so it may be a closure or a ``functools.partial`` over large arrays.
    """
    global _WORK
    size = cores() if workers is None else workers
    if size <= 1 or len(items) < min_items:
        return function(items)
    if not can_fork():
        log.debug("reading %d items in this process: %s", len(items),
                  "threads are running: " + ", ".join(t.name for t in threading.enumerate())
                  if threading.active_count() > 1 else "no fork on this system")
        return function(items)
    bounds = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]
    results: list[list[R] | None] = [None] * len(bounds)
    _WORK = (function, items)
    try:
        pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_follow_parent, initargs=(os.getpid(),))
    except (OSError, NotImplementedError, ImportError) as exc:
        _WORK = None
        log.info("cannot start worker processes (%s); reading here", exc)
        return function(items)
    futures: dict[int, Future] = {}
    try:
        # This process takes an equal share from the end, the workers the rest from the front.
        mine = len(bounds) // (size + 1)
        for number in range(len(bounds) - mine):
            futures[number] = pool.submit(_chunk, *bounds[number])
        for number in range(len(bounds) - mine, len(bounds)):
            results[number] = function(items[bounds[number][0]:bounds[number][1]])
        for number, future in futures.items():
            results[number] = future.result()
    except (BrokenProcessPool, OSError) as exc:
        log.info("worker processes failed (%s); reading the rest here", exc)
        for number, part in enumerate(results):
            if part is None:
                results[number] = function(items[bounds[number][0]:bounds[number][1]])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _WORK = None
    if results and isinstance(results[0], np.ndarray):
        return np.concatenate(results)  # type: ignore[return-value]
    return [result for part in results for result in part]  # type: ignore[union-attr]
