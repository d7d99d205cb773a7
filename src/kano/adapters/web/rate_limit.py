"""Rate limits of the public endpoints (survey link page, widget): fixed windows per key.

Keys are ``ip:…`` and ``token:…``; each limiter counts requests per key in fixed windows
(one minute) and answers ``hit(key)``: None when the request may go on, else the seconds
until the window ends (the 429's ``Retry-After``). One interface, :class:`RateLimit`, two
ways to count, chosen by the app database's engine (:func:`rate_limiter_for`):

- PostgreSQL: :class:`SharedRateLimiter` counts in the database (``rate_limit_hits``, an
  UNLOGGED table: disposable, no WAL), one ``INSERT … ON CONFLICT … DO UPDATE … RETURNING``
  per request in a short autocommit transaction of its own, so every ``kano serve``
  process — ``--workers N``, or several machines behind a load balancer — counts against
  the same limit. Windows are aligned to the wall clock (``window_start`` = the epoch
  second the window began), so the machines' clocks must agree (NTP) to within a second or
  so. If the database cannot be reached the limiter lets the request through and logs a
  warning (at most once a minute): a rate limit must not turn the public page into 500s.
  The worker's table upkeep job deletes past windows (``forget_past_windows``).
- SQLite (the embedded default, one server process): :class:`RateLimiter` counts in the
  process's memory.

Behind a reverse proxy the client address is the proxy's unless uvicorn runs with
``--forwarded-allow-ips``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request

logger = logging.getLogger(__name__)

KEY_LENGTH = 255  # rate_limit_hits.key
KEEP_PAST_WINDOWS_SECONDS = 600  # what forget_past_windows keeps (windows are a minute)
WARN_EVERY_SECONDS = 60.0

_COUNT = text(
    "INSERT INTO rate_limit_hits (key, window_start, hits) VALUES (:key, :window_start, 1) "
    "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1 "
    "RETURNING hits"
)


class RateLimit(Protocol):
    def hit(self, key: str) -> int | None:
        """Count one request of ``key``: None when allowed, else the seconds to wait."""
        ...


@dataclass
class RateLimiter:
    """In this process's memory (SQLite: one server process)."""

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


@dataclass
class SharedRateLimiter:
    """In the PostgreSQL database, shared by every process that uses it.

    ``name`` keeps the counters of two limiters on the same keys apart (the per-address
    limits of the form posts and of the page reads both count ``ip:…``)."""

    engine: Engine
    limit: int
    name: str
    window_seconds: int = 60
    clock: Callable[[], float] = time.time  # wall clock: the same for every process
    _warned_at: float = field(default=-math.inf, repr=False)

    def hit(self, key: str) -> int | None:
        now = self.clock()
        window_start = int(now // self.window_seconds) * self.window_seconds
        counter = f"{self.name}:{key}"[:KEY_LENGTH]
        try:
            # Its own connection in autocommit: one statement, never the caller's
            # transaction (a rollback there must not forget the hit, nor wait on it).
            with self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                hits = connection.execute(
                    _COUNT, {"key": counter, "window_start": window_start}
                ).scalar_one()
        except SQLAlchemyError as error:
            self._warn(now, error)
            return None  # fail open
        if hits <= self.limit:
            return None
        return max(1, math.ceil(window_start + self.window_seconds - now))

    def _warn(self, now: float, error: Exception) -> None:
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            logger.warning("rate limit %s not counted (requests let through): %s",
                           self.name, error.__class__.__name__, exc_info=error)


def rate_limiter_for(engine: Engine, limit: int, name: str) -> RateLimit:
    """The limiter the app database allows: shared on PostgreSQL, in memory on SQLite."""
    if engine.dialect.name == "postgresql":
        return SharedRateLimiter(engine, limit, name)
    return RateLimiter(limit)


def client_must_wait(request: Request, name: str, per_minute: int) -> int | None:
    """Count a request from the client's address against ``name``'s limit (one limiter per
    name and app, made on first use): None to go on, else the seconds to wait (login and
    set-password forms, where a limit slows down password guessing)."""
    limiters: dict[str, RateLimit] | None = getattr(request.app.state, "kano_client_limits", None)
    if limiters is None:
        limiters = request.app.state.kano_client_limits = {}
    limiter = limiters.get(name)
    if limiter is None:
        engine = request.app.state.kano_web.container.engine
        limiter = limiters[name] = rate_limiter_for(engine, per_minute, name)
    client = request.client.host if request.client else "unknown"
    return limiter.hit(f"ip:{client}")


def forget_past_windows(engine: Engine, now: float | None = None) -> int:
    """Delete the counters of windows that ended a while ago (PostgreSQL); how many."""
    if engine.dialect.name != "postgresql":
        return 0
    cutoff = int((time.time() if now is None else now) - KEEP_PAST_WINDOWS_SECONDS)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        result = connection.execute(
            text("DELETE FROM rate_limit_hits WHERE window_start < :cutoff"), {"cutoff": cutoff}
        )
    return int(result.rowcount)  # type: ignore[attr-defined]
