"""When to call again and how long to wait: jittered backoff, never under the server's wait."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Literal

from storyforge.providers.apierror import ApiError
from storyforge.providers.base import Outcome

QUOTA_EXHAUSTED = "quota exhausted (limit 0): enable billing for this key's project"
CREDITS_DEPLETED = (
    "the prepaid credits of this key's project are used up: add credits in AI Studio "
    "(https://ai.studio/projects, Billing), then build again"
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do after an error: `retry` after backoff, `again` at once (the cause was fixed)."""

    action: Literal["retry", "again", "fail"]
    reason: str = ""
    fatal: bool = False


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter, from `initial_s` doubling up to `max_s`."""

    initial_s: float
    max_s: float
    rng: random.Random

    def delay(self, attempt: int, server_wait: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_s, self.initial_s * 2.0 ** max(attempt - 1, 0))
        return max(self.rng.uniform(0.0, ceiling), server_wait or 0.0)


def judge(error: ApiError, *, key_env_var: str, model: str) -> Verdict:
    """The default verdict on an error: retry the transient, stop everything on the hopeless."""
    if error.billing:
        return Verdict("fail", CREDITS_DEPLETED, fatal=True)
    if error.status == 429 and error.quota_exhausted:
        return Verdict("fail", QUOTA_EXHAUSTED, fatal=True)
    if error.retryable:
        return Verdict("retry", error.one_line())
    if (
        error.status in {401, 403}
        or error.reason == "API_KEY_INVALID"
        or (error.status == 400 and "api key" in str(error).lower())
    ):
        return Verdict(
            "fail", f"the API key was refused (HTTP {error.status}): check {key_env_var}", True
        )
    if error.status == 404:
        return Verdict(
            "fail",
            f"model '{model}' is retired or unknown; pick one with --model "
            "(storyforge models lists them)",
            fatal=True,
        )
    return Verdict("fail", error.one_line())


Attempt = Callable[[], Awaitable[Outcome]]
Judge = Callable[[ApiError], Awaitable[Verdict]]


async def with_retries(
    attempt: Attempt, decide: Judge, *, max_attempts: int, backoff: Backoff
) -> Outcome:
    """Call `attempt` until it returns an Outcome or `decide` says stop; count the attempts.

    `attempt` returns an Outcome for every answer it could read (a 200, even a malformed
    one) and raises ApiError for error answers and broken connections. Cancellation is
    never caught, so Ctrl-C stops a build even while it waits to retry.
    """
    count = 0
    while True:
        count += 1
        try:
            return replace(await attempt(), attempts=count)
        except ApiError as error:
            verdict = await decide(error)
            if verdict.action == "again":
                continue
            if verdict.action == "fail" or count >= max_attempts:
                reason = verdict.reason or error.one_line()
                if verdict.action == "retry":
                    reason = f"{reason} (gave up after {count} attempt{'s' if count != 1 else ''})"
                return Outcome("failed", reason=reason, attempts=count, fatal=verdict.fatal)
            await asyncio.sleep(backoff.delay(count, error.retry_delay_s))
