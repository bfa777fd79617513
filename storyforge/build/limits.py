"""Limits on the build's calls: concurrency slots, requests per minute, the `--max-cost` budget."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

# Estimates and prices are floats: a sum that lands exactly on the cap must still fit.
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Limits:
    """How hard the build may push the provider."""

    concurrency: int = 4
    rpm: float | None = None
    max_cost_usd: float | None = None
    batch: bool = False  # calls go through the Batch API (build/batch.py), at batch prices


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
