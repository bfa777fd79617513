"""Limits on the build's calls: concurrency slots, requests per minute, the `--max-cost` budget.

`Pacer` finds the account's limit by itself (AIMD): attempts go out freely until the
first 429; each 429 pauses every attempt for its RetryInfo delay and cuts the rate to
just under the quota it reveals, which then creeps up again (additive increase) until
the next 429. Without `--concurrency` the number of attempts in flight adapts the same
way: one more per window of answers, halved on a 429.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from storyforge.providers.pacing import Result

# Estimates and prices are floats: a sum that lands exactly on the cap must still fit.
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Limits:
    """How hard the build may push the provider."""

    concurrency: int = 4
    rpm: float | None = None
    max_cost_usd: float | None = None
    batch: bool = False  # calls go through the Batch API (build/batch.py), at batch prices
    adaptive: bool = False  # no --concurrency: `concurrency` is the ceiling, the window adapts


@dataclass(slots=True)
class Slot:
    """One call's claim on a concurrency slot and its reserved estimate, given back once."""

    estimate_usd: float
    held: bool = True


class RateLimiter:
    """Spaces call starts at least 60/rpm seconds apart (no limit when rpm is None)."""

    def __init__(self, rpm: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / rpm if rpm else 0.0
        self._clock = clock
        self._next = 0.0

    async def wait(self) -> None:
        """Wait for this call's start time; callers are served in the order they ask."""
        if not self.interval:
            return
        now = self._clock()
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class Budget:
    """Dollars spent and reserved; no call starts that could take the total past the cap."""

    def __init__(self, cap_usd: float | None) -> None:
        self.cap_usd = cap_usd
        self.spent_usd = 0.0
        self.reserved_usd = 0.0

    @property
    def exhausted_reason(self) -> str:
        """The reason given to steps skipped for the budget."""
        return f"--max-cost {self.cap_usd:.2f} reached"

    def reserve(self, estimate_usd: float) -> bool:
        """Reserve a call's estimate; False (nothing reserved) when it would pass the cap."""
        total = self.spent_usd + self.reserved_usd + estimate_usd
        if self.cap_usd is not None and total > self.cap_usd + _EPSILON:
            return False
        self.reserved_usd += estimate_usd
        return True

    def settle(self, estimate_usd: float, actual_usd: float) -> None:
        """Replace a call's reservation by what it actually cost."""
        self.reserved_usd = max(0.0, self.reserved_usd - estimate_usd)
        self.spent_usd += actual_usd


START_WINDOW = 4  # attempts in flight at first when the window adapts
BACKOFF = 0.98  # the rate after a 429: just under the quota the 429 revealed
# Additive increase: the rate grows by this share of its last cut value per second, so
# it reaches the quota again about a minute after a cut (one 429 a minute at most).
CREEP_PER_S = 0.02 / 60
_RECENT = 64  # starts remembered to read the quota from a 429


class Pacer:
    """The build's adaptive limiter of HTTP attempts (see the module docstring)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = max(1, limits.concurrency)
        self.window = float(min(START_WINDOW, self.ceiling) if limits.adaptive else self.ceiling)
        self.adaptive = limits.adaptive
        self.clock = clock
        self.in_flight = 0
        self.base_rate: float | None = None  # attempts a second since the last cut; None: free
        self.cut_at = 0.0
        self.next_start = 0.0
        self.paused_until = 0.0
        self.epoch = 0  # moves on every 429: waiting attempts pick their start again
        self.starts: deque[tuple[float, bool]] = deque(maxlen=_RECENT)  # (start, refused)
        self.refused = 0
        self._changed = asyncio.Condition()

    def rate(self, now: float) -> float | None:
        """Attempts a second allowed now (None: no limit learned yet)."""
        if self.base_rate is None:
            return None
        return self.base_rate * (1 + CREEP_PER_S * (now - self.cut_at))

    async def acquire(self) -> float:
        """Wait for a place in the window and this attempt's start time; return that time."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_flight < math.floor(self.window))
            self.in_flight += 1
        try:
            return await self._start_time()
        except BaseException:
            self.in_flight -= 1  # cancelled while waiting: the place goes to the next
            raise

    async def _start_time(self) -> float:
        while True:
            now, epoch = self.clock(), self.epoch
            start = max(now, self.next_start, self.paused_until)
            rate = self.rate(start)
            self.next_start = start + (1 / rate if rate else 0.0)
            if start > now:
                await asyncio.sleep(start - now)
            if epoch == self.epoch:  # else a 429 came meanwhile: pick the start again
                self.starts.append((start, False))
                return start

    def release(self, ticket: float, result: Result, retry_delay_s: float | None) -> None:
        """Learn from how the attempt begun at `ticket` ended, and free its place."""
        self.in_flight -= 1
        if result == "quota":
            self._cut(ticket, retry_delay_s if retry_delay_s is not None else 1.0)
        elif result == "ok" and self.adaptive:
            self.window = min(self.ceiling, self.window + 1 / self.window)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _cut(self, ticket: float, delay: float) -> None:
        self.refused += 1
        now = self.clock()
        self.paused_until = max(self.paused_until, now + delay)
        self.next_start = self.paused_until
        self.epoch += 1
        if ticket < self.cut_at:
            return  # sent before the last cut: that cut has already answered it
        self.starts = deque(((t, r or t == ticket) for t, r in self.starts), maxlen=_RECENT)
        # A token bucket empty after the last start before this one refills within the
        # gap plus the delay asked for: that is the quota, or more (never less).
        before = [t for t, refused in self.starts if t < ticket and not refused]
        quota = 1 / (ticket - max(before) + delay) if before else None
        current = self.rate(now)
        known = [r for r in (current, quota) if r]
        if known:
            self.base_rate, self.cut_at = BACKOFF * min(known), now
        if self.adaptive:
            self.window = max(1.0, self.window / 2)
