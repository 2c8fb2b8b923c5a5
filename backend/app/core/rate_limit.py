"""Per-client rate limits: a sliding-window log per (bucket, client), in this process's memory or in the
database the API processes share (JIEDAN_RATE_LIMIT_STORE, core/config.py).

In memory each API process counts on its own: with N worker processes a client may get up to N times a
limit, and a restart forgets the counts. That is enough to blunt brute force and scraping from one client
of one process. Several processes or machines behind one proxy use the database store: every process
counts in the `rate_limit_hits` table (one row per counted hit, wall-clock time), serialised per
(bucket, client) by a transaction-scoped advisory lock on PostgreSQL and by the database's write lock on
SQLite, so a client gets each limit once. The two stores give the same verdicts for the same hits at the
same times (tests/backend/services/test_rate_limit_stores.py holds one against the other).

Buckets and their limits come from the settings (`JIEDAN_RATE_LIMIT_*`, see core/config.py).
The client is the signed-in address where there is one, else the client IP as the ASGI server
reports it (run uvicorn with --proxy-headers behind a trusted proxy so that is the real client).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Engine, delete, func, insert, select, text

from backend.app.core.config import Settings
from backend.app.models.rate_limit import RateLimitHit


class Bucket(StrEnum):
    """What a limit counts: one setting per bucket."""

    SIGN_IN = "sign_in"  # nonce + verify, per client IP
    PROPOSALS = "proposals"  # proposals sent
    MESSAGES = "messages"  # messages and attachment uploads
    SEARCH = "search"  # search queries


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until one more request fits (0 when allowed)


class Limiter(Protocol):
    def hit(self, bucket: Bucket, client: str) -> Verdict:
        """Count one request by `client` in `bucket`, unless it is over the limit (a refused hit is not counted)."""
        ...


def _limits(settings: Settings) -> dict[Bucket, int]:
    return {
        Bucket.SIGN_IN: settings.rate_limit_sign_in,
        Bucket.PROPOSALS: settings.rate_limit_proposals,
        Bucket.MESSAGES: settings.rate_limit_messages,
        Bucket.SEARCH: settings.rate_limit_search,
    }


def limiter_from_settings(settings: Settings, engine: Engine) -> Limiter | None:
    """The limiter the settings ask for (in memory, or in `engine`'s database); None when rate limits are off."""
    if not settings.rate_limit_enabled:
        return None
    window = settings.rate_limit_window_seconds
    if settings.rate_limit_store == "database":
        return DatabaseLimiter(_limits(settings), window=window, engine=engine)
    return SlidingWindowLimiter(_limits(settings), window=window)


def _verdict(count: int, oldest: float | None, limit: int, window: float, now: float) -> Verdict | None:
    """The refusal for a client whose window already holds `limit` hits (`oldest` the first of them), else None."""
    if count >= limit and oldest is not None:
        return Verdict(allowed=False, retry_after=max(1, math.ceil(oldest + window - now)))
    return None


class SlidingWindowLimiter:
    """At most `limits[bucket]` hits per client within any `window` seconds; thread-safe."""

    def __init__(
        self, limits: dict[Bucket, int], *, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self.window = window
        self.clock = clock
        self._hits: dict[tuple[Bucket, str], deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def hit(self, bucket: Bucket, client: str) -> Verdict:
        """Count one request by `client` in `bucket`, unless it is over the limit (a refused hit is not counted)."""
        now = self.clock()
        with self._lock:
            self._sweep(now)
            hits = self._hits.setdefault((bucket, client), deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            refused = _verdict(len(hits), hits[0] if hits else None, self.limits[bucket], self.window, now)
            if refused is not None:
                return refused
            hits.append(now)
            return Verdict(allowed=True, retry_after=0)

    def _sweep(self, now: float) -> None:
        """Forget clients idle for a whole window, so memory stays bounded by the active clients."""
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]


class DatabaseLimiter:
    """The sliding-window log in the database every API process shares; the same verdicts as
    SlidingWindowLimiter's, counted once across processes. `clock` is wall-clock time (time.time)."""

    def __init__(
        self, limits: dict[Bucket, int], *, window: float, engine: Engine, clock: Callable[[], float] = time.time
    ) -> None:
        self.limits = limits
        self.window = window
        self.engine = engine
        self.clock = clock
        self._last_sweep = clock()

    def hit(self, bucket: Bucket, client: str) -> Verdict:
        now = self.clock()
        key = (RateLimitHit.bucket == bucket.value) & (RateLimitHit.client == client)
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(bucket, client)})
            # a write first: on SQLite it takes the database's write lock, so the count below is this hit's alone
            connection.execute(delete(RateLimitHit).where(key, RateLimitHit.at <= now - self.window))
            count, oldest = connection.execute(select(func.count(), func.min(RateLimitHit.at)).where(key)).one()
            refused = _verdict(int(count), oldest, self.limits[bucket], self.window, now)
            if refused is not None:
                return refused
            connection.execute(insert(RateLimitHit).values(bucket=bucket.value, client=client, at=now))
            if now - self._last_sweep >= self.window:  # forget idle clients: the table stays bounded
                self._last_sweep = now
                connection.execute(delete(RateLimitHit).where(RateLimitHit.at <= now - self.window))
        return Verdict(allowed=True, retry_after=0)

    def count(self) -> int:
        """Hits held in the table (all buckets and clients)."""
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(RateLimitHit)) or 0)


def _lock_key(bucket: Bucket, client: str) -> int:
    """A signed 64-bit advisory-lock key for one (bucket, client)."""
    digest = hashlib.blake2b(f"rate-limit:{bucket.value}:{client}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
