"""Per-token rate limits, as the AutoShares documentation states them.

Fixed one-minute windows per (bucket, key): the key is the caller's token, except for orders,
which are limited per account. Every limited response carries X-RateLimit-Limit,
X-RateLimit-Remaining and X-RateLimit-Reset (epoch seconds); a refused call gets 429 with
Retry-After (seconds).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Calls per minute by bucket (README "Errors and limits").
LIMITS_PER_MINUTE: dict[str, int] = {
    "auth": 10,
    "orders": 50,
    "order_queries": 120,
    "positions": 120,
    "securities": 200,
    "history": 60,
    "watchlists": 60,
    "price_alerts": 60,
}
WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one check, with the numbers for the response headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        values = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }
        if not self.allowed:
            values["Retry-After"] = str(max(1, math.ceil(self.reset_at - time.time())))
        return values


class RateLimiter:
    """Counts calls per window; ``enabled`` can be flipped at run time (admin faults)."""

    def __init__(self, enabled: bool, clock: Callable[[], float] = time.time) -> None:
        self.enabled = enabled
        self._clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def check(self, bucket: str, key: str) -> RateDecision | None:
        """Count one call; None when limits are off or the bucket is unlimited."""
        limit = LIMITS_PER_MINUTE.get(bucket)
        if not self.enabled or limit is None:
            return None
        now = self._clock()
        started, count = self._windows.get((bucket, key), (now, 0))
        if now - started >= WINDOW_SECONDS:
            started, count = now, 0
        reset_at = started + WINDOW_SECONDS
        if count >= limit:
            return RateDecision(False, limit, 0, reset_at)
        count += 1
        self._windows[(bucket, key)] = (started, count)
        return RateDecision(True, limit, limit - count, reset_at)

    def reset(self) -> None:
        self._windows.clear()
