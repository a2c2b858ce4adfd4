"""Worker processes for the fetch's CPU work (parsing feeds, extracting article pages).

The downloads run on the event loop; whatever is CPU-bound goes to a pool of worker
processes beside it, handed over in order of urgency (``Workers.run(..., first=True)`` goes
ahead of the calls waiting), so the sockets never wait for a parser and a page whose feed is
waiting for it is not queued behind the feeds not yet parsed.
"""
from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from core.errors import FeedError

log = logging.getLogger(__name__)

# Below this many feeds the pool's start (a fresh interpreter per worker, ~0.5 s of imports)
# costs more than parsing them here.
MIN_POOL_FEEDS = 8


def _ready() -> bool:
    """A new worker's first task: proves it can load this module. Workers start a fresh
    interpreter that imports the code from disk, and an upgrade of the installed code in
    the middle of a run left workers that could not find the functions they were sent."""
    return True


def _call(what: str, function: Callable, args: tuple):
    """Run ``function(*args)`` in a worker; any failure comes back as a picklable ``FeedError``."""
    try:
        return function(*args)
    except FeedError:
        raise
    except Exception as exc:  # e.g. RecursionError deep in a parser: this feed's failure, not the run's
        detail = f"{exc.__class__.__name__}: {exc}"[:500]
        raise FeedError(f"{what}: unexpected error while parsing ({detail})") from None


class Workers:
    """Runs the CPU-heavy steps (parsing, page extraction) in worker processes beside the event loop.

    With ``size`` 0, or when no worker can be started (a sandbox without semaphores, code
    on disk that no longer matches), everything runs in this process, as before. A worker
    that dies (a crash in a C parser, the out-of-memory killer) breaks the whole pool and
    fails every call in flight, so each of those calls is retried alone in a fresh
    single-worker pool: only the call that kills its worker again fails, with a message
    naming its feed or page.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.pool: Executor | None = None
        self._alone = asyncio.Semaphore(max(1, size))
        self._restart = asyncio.Lock()
        # Calls are handed to the pool through this gate, one more than there are workers
        # (so a worker never waits for the event loop), in order of urgency: the pool's own
        # queue is first come, first served, and a page fetched while a hundred feeds wait
        # to be parsed would otherwise be extracted only after all of them.
        self._gate = _Gate(max(1, size) + 1)
        # The pool starts with the first call: a run where every feed answers 304 has
        # nothing to parse, and starting the workers (a fresh interpreter each, importing
        # the parsers) was most of such a run's CPU.
        self._starting = asyncio.Lock()
        self._started = False

    async def __aenter__(self) -> Workers:
        return self

    async def _ensure_started(self) -> None:
        async with self._starting:
            if not self._started:
                if self.size > 0:
                    self.pool = await self._start(self.size)
                self._started = True  # only now: the calls waiting on the lock need the pool

    async def __aexit__(self, exc_type, *exc_info) -> None:
        if self.pool is not None:
            # Normally every call has returned and the workers exit at once; when the run is
            # being abandoned, a worker still busy on a long parse is not waited for.
            self.pool.shutdown(wait=exc_type is None, cancel_futures=True)
            self.pool = None

    async def _start(self, size: int) -> Executor | None:
        # "spawn": a fresh interpreter per worker. Forking this process would copy whatever
        # locks its other threads (DNS lookups, a caller's threads) hold at that moment.
        pool = None
        try:
            pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"))
            await asyncio.get_running_loop().run_in_executor(pool, _ready)
        except (OSError, NotImplementedError, ImportError, BrokenProcessPool) as exc:
            log.warning("cannot start worker processes (%s); parsing feeds in this process", exc)
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            return None
        log.debug("started a pool of %d worker processes", size)
        return pool

    async def run(self, what: str, function: Callable, *args, first: bool = False, light: bool = False):
        """``function(*args)`` in a worker (or here); ``what`` (the feed's or page's URL) starts
        its error messages. Calls with ``first`` go ahead of the others waiting for a worker;
        a ``light`` call runs here as long as no worker has been needed yet.
        Raises ``FeedError`` for its failures."""
        if not self._started:
            if light:
                # A rerun where every feed answers 304 but for a few small error pages
                # would otherwise start the whole pool (a second of CPU per worker) for them.
                return function(*args)
            await self._ensure_started()
        pool = self.pool
        if pool is None:
            return function(*args)
        loop = asyncio.get_running_loop()
        try:
            async with self._gate.take(0 if first else 1):
                if self.pool is pool:
                    return await loop.run_in_executor(pool, _call, what, function, args)
                pool = self.pool  # replaced while this call waited at the gate
                if pool is None:
                    return function(*args)
                return await loop.run_in_executor(pool, _call, what, function, args)
        except BrokenProcessPool:
            async with self._restart:
                if self.pool is pool:  # the first call to notice replaces the pool for the others
                    pool.shutdown(wait=False, cancel_futures=True)
                    self.pool = await self._start(self.size)
        if self.pool is None:  # no worker can start any more: parse here, as without a pool
            return function(*args)
        log.info("%s: a worker process died; retrying it alone", what)
        async with self._alone:
            alone = await self._start(1)
            if alone is None:
                return function(*args)
            try:
                return await loop.run_in_executor(alone, _call, what, function, args)
            except BrokenProcessPool:
                raise FeedError(f"{what}: not parsed, it crashed the worker process parsing it "
                                "(a malformed or hostile document?); skipped") from None
            finally:
                alone.shutdown(wait=False, cancel_futures=True)


class _Gate:
    """``slots`` holders at once; waiters are let in by priority (lower first), then in order."""

    def __init__(self, slots: int) -> None:
        self.free = slots
        self._waiting: list[tuple[int, int, asyncio.Future]] = []
        self._order = itertools.count()

    @contextlib.asynccontextmanager
    async def take(self, priority: int):
        """Hold one slot; wait for it behind the waiters of the same or a lower priority."""
        if self.free > 0 and not self._waiting:
            self.free -= 1
        else:
            turn = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._order), turn))
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._release()  # the slot was handed over just as we were cancelled
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self.free += 1
