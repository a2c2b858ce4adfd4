"""Counting requests per key in a sliding window, for the subscribe form's limits (per client, per mailbox).

Kept in memory: a restart forgets the counts, which at worst lets one more window's worth
through. The number of keys is bounded, so a flood of different addresses costs a bounded
amount of memory: past ``max_keys`` the keys seen longest ago are dropped.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque


class RateLimit:
    """At most ``limit`` events per key in any ``window`` seconds."""

    def __init__(self, limit: int, window: float = 3600.0, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> int:
        """Count one event for ``key``; 0 when it is allowed, else the seconds until one would be."""
        if self.limit <= 0:
            return 0
        moment = time.monotonic() if now is None else now
        with self._lock:
            times = self._events.pop(key, None) or deque()
            while times and times[0] <= moment - self.window:
                times.popleft()
            self._events[key] = times  # now the most recently seen key
            if len(times) >= self.limit:
                return max(1, math.ceil(times[0] + self.window - moment))
            times.append(moment)
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
            return 0


def mailbox_key(address: str) -> str:
    """The mailbox an address reaches: lower case, without a ``+tag`` (``ann+x@example.org`` is ann's)."""
    local, _, domain = address.lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"
