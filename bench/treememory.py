"""The memory of a process and its descendants, as proportional set size (PSS).

Worker processes forked from the product share its pages until they write to them; adding
up resident sizes would count every shared page once per process. PSS divides each shared
page among the processes that map it, so the sum over a tree is what the tree really uses.
Read from /proc/PID/smaps_rollup (Linux); elsewhere the resident size stands in.
"""
from __future__ import annotations

import threading

import psutil


def pss_bytes(pid: int) -> int:
    """The proportional set size of one process (its resident size where PSS is not available)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return 0


def tree_bytes(root: int, exclude: set[int] = frozenset()) -> int:
    """PSS of ``root`` and all its descendants (except ``exclude``), now."""
    try:
        process = psutil.Process(root)
        pids = [root] + [child.pid for child in process.children(recursive=True)]
    except psutil.Error:
        return 0
    return sum(pss_bytes(pid) for pid in pids if pid not in exclude)


class TreePeak(threading.Thread):
    """Samples ``tree_bytes(root)`` every ``interval`` seconds from a thread of another process."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:  # noqa: D102
        while not self._halt.wait(self.interval):
            self.peak = max(self.peak, tree_bytes(self.root))

    def stop(self) -> int:
        """Stop sampling; the peak in bytes."""
        self._halt.set()
        self.join()
        return self.peak
