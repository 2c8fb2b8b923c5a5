"""Per-client rate limits: a sliding-window log per (bucket, client) held in this process's memory.

Each API process counts on its own: with N worker processes a client may get up to N times a limit,
and a restart forgets the counts. That is enough to blunt brute force and scraping from one client;
a deployment that needs one shared count puts the limit in its reverse proxy as well.

Buckets and their limits come from the settings (`JIEDAN_RATE_LIMIT_*`, see core/config.py).
The client is the signed-in address where there is one, else the client IP as the ASGI server
reports it (run uvicorn with --proxy-headers behind a trusted proxy so that is the real client).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from backend.app.core.config import Settings


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

    @classmethod
    def from_settings(cls, settings: Settings) -> SlidingWindowLimiter | None:
        """The limiter the settings ask for, or None when `JIEDAN_RATE_LIMIT_ENABLED=false`."""
        if not settings.rate_limit_enabled:
            return None
        limits = {
            Bucket.SIGN_IN: settings.rate_limit_sign_in,
            Bucket.PROPOSALS: settings.rate_limit_proposals,
            Bucket.MESSAGES: settings.rate_limit_messages,
            Bucket.SEARCH: settings.rate_limit_search,
        }
        return cls(limits, window=settings.rate_limit_window_seconds)

    def hit(self, bucket: Bucket, client: str) -> Verdict:
        """Count one request by `client` in `bucket`, unless it is over the limit (a refused hit is not counted)."""
        now = self.clock()
        with self._lock:
            self._sweep(now)
            hits = self._hits.setdefault((bucket, client), deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limits[bucket]:
                return Verdict(allowed=False, retry_after=max(1, math.ceil(hits[0] + self.window - now)))
            hits.append(now)
            return Verdict(allowed=True, retry_after=0)

    def _sweep(self, now: float) -> None:
        """Forget clients idle for a whole window, so memory stays bounded by the active clients."""
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]
