from __future__ import annotations

import asyncio

import pytest

from storyforge.build.limits import Budget, RateLimiter


def test_budget_refuses_what_could_pass_the_cap() -> None:
    budget = Budget(0.10)
    assert budget.reserve(0.04) and budget.reserve(0.04)
    assert not budget.reserve(0.04)
    budget.settle(0.04, 0.01)
    assert budget.reserve(0.04)
    assert budget.spent_usd == pytest.approx(0.01)
    assert budget.reserved_usd == pytest.approx(0.08)
    assert budget.exhausted_reason == "--max-cost 0.10 reached"


def test_budget_accepts_a_sum_landing_exactly_on_the_cap() -> None:
    budget = Budget(0.3)
    assert all(budget.reserve(0.1) for _ in range(3))


def test_no_cap_never_refuses() -> None:
    assert Budget(None).reserve(1e9)


def test_rate_limiter_spaces_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    limiter = RateLimiter(30, clock=lambda: now[0])

    async def three() -> None:
        for _ in range(3):
            await limiter.wait()

    asyncio.run(three())
    assert slept == [2.0, 4.0]


def test_rate_limiter_without_rpm_never_waits() -> None:
    limiter = RateLimiter(None)
    asyncio.run(limiter.wait())
    assert limiter.interval == 0.0
