"""A requests-per-minute quota as a token bucket: a call over it gets 429 with RetryInfo."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class TokenBucket:
    """`rpm` tokens a minute, refilled continuously, holding at most `burst`.

    The burst defaults to one second's worth (at least one token), so a client that
    sends faster than the quota is told so at once rather than after a minute's credit.
    """

    def __init__(
        self, rpm: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rpm <= 0:
            raise ValueError("the quota must be more than 0 requests a minute")
        self.rpm = rpm
        self.rate = rpm / 60.0
        self.burst = burst if burst is not None else max(1.0, math.ceil(self.rate))
        self._tokens = self.burst
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()
        self.refused = 0  # requests answered 429, for tests and benchmarks

    def take(self) -> float | None:
        """Spend one token; None when there was one, else the seconds until there will be."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return None
            self.refused += 1
            return (1.0 - self._tokens) / self.rate
