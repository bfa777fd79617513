"""How a provider's attempts are paced: a hook the build's limiter fills, a no-op by default."""

from __future__ import annotations

from typing import Literal, Protocol

Result = Literal["ok", "quota", "other"]


class Pacer(Protocol):
    """Told before every HTTP attempt and after it, so the build can run at the quota."""

    async def acquire(self) -> float:
        """Wait until this attempt may start; returns its start time (a ticket)."""
        ...

    def release(self, ticket: float, result: Result, retry_delay_s: float | None) -> None:
        """The attempt begun at `ticket` ended: answered, refused for quota (429), or else."""
        ...


class NoPacer:
    """Every attempt starts at once."""

    async def acquire(self) -> float:
        """No wait."""
        return 0.0

    def release(self, ticket: float, result: Result, retry_delay_s: float | None) -> None:
        """Nothing to learn."""
