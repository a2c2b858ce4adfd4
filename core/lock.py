"""One job at a time per data directory: an advisory lock file under BRIEFING_HOME."""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from core.errors import BusyError


@contextmanager
def job_lock(home: Path, job: str, wait: bool = False) -> Iterator[None]:
    """Hold the data directory's lock while a job runs; raise BusyError if another job has it.

    The lock is released by the operating system when the process ends, even when it is
    killed, so a crash never leaves a stale lock behind.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = home / "briefing.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another job"
            raise BusyError(f"cannot {job}: {holder} is running on {home}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"'{job}' (pid {os.getpid()})".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
