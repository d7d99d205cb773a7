"""A small in-process rate limiter for the public endpoints (survey link page, widget).

Fixed one-minute windows per key (``ip:…``, ``token:…``). Each ``kano serve`` process
counts on its own, so with N worker processes a client gets at most N × the limit; that
is enough to stop a flood from one address, which is what it is for. Behind a reverse
proxy the client address is the proxy's unless uvicorn runs with ``--forwarded-allow-ips``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    limit: int  # requests per window and key
    window_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _counts: dict[str, tuple[float, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str) -> int | None:
        """Count one request of ``key``: None when allowed, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            if len(self._counts) > 50_000:
                self._forget_expired(now)
            start, count = self._counts.get(key, (now, 0))
            if now - start >= self.window_seconds:
                start, count = now, 0
            if count >= self.limit:
                return max(1, math.ceil(start + self.window_seconds - now))
            self._counts[key] = (start, count + 1)
            return None

    def _forget_expired(self, now: float) -> None:
        expired = [k for k, (start, _) in self._counts.items()
                   if now - start >= self.window_seconds]
        for key in expired:
            del self._counts[key]
