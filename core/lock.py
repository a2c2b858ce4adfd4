"""One job at a time per data directory: advisory lock files under BRIEFING_HOME."""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from core.errors import BusyError


class LockFile:
    """An exclusive advisory lock on a file, naming its holder inside the file.

    The operating system releases the lock when the process ends, even when it is
    killed, so a crash never leaves a stale lock behind.
    """

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self, holder: str, wait: bool = False) -> str | None:
        """Take the lock; return None, or who holds it when it is taken (and ``wait`` is off)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            current = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            return current
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        self.fd = fd
        return None

    def release(self) -> None:
        """Give the lock back."""
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


@contextmanager
def job_lock(home: Path, job: str, wait: bool = False) -> Iterator[None]:
    """Hold the data directory's job lock while a job runs; BusyError if another job has it."""
    lock = LockFile(home / "briefing.lock")
    holder = lock.acquire(f"'{job}' (pid {os.getpid()})", wait)
    if holder is not None:
        raise BusyError(f"cannot {job}: {holder} is running on {home}")
    try:
        yield
    finally:
        lock.release()
